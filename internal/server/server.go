// Package server assembles Vox's HTTP surface: the REST API, the web UI,
// health checks and Prometheus metrics, behind one handler.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"vox/internal/alert"
	"vox/internal/api"
	"vox/internal/ingest"
	"vox/internal/report"
	"vox/internal/store"
	"vox/internal/survey"
)

// Server is a running Vox HTTP service.
type Server struct {
	DB       *store.DB
	Ingest   *ingest.Service
	Log      *slog.Logger
	Registry *prometheus.Registry
	// Web is the web UI handler (mounted at /); nil serves only the API.
	Web http.Handler
	// Public serves customers: hosted survey pages (/s/) and the widget
	// (/widget/); nil leaves them out.
	Public http.Handler
	// Alerts and Surveys back their API endpoints when set.
	Alerts  *alert.Service
	Surveys *survey.Service
	// Reports queues weekly report sends (send now) when set.
	Reports *report.Scheduler
}

// New builds a Server with its own metrics registry.
func New(db *store.DB, svc *ingest.Service, log *slog.Logger) *Server {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return &Server{DB: db, Ingest: svc, Log: log, Registry: reg}
}

// Handler returns the whole HTTP surface.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	a := api.New(s.DB, s.Ingest, s.Log, api.NewMetrics(s.Registry))
	if s.Alerts != nil {
		a.SetAlerts(s.Alerts)
	}
	if s.Surveys != nil {
		a.SetSurveys(s.Surveys)
	}
	if s.Reports != nil {
		a.SetReports(s.Reports)
	}
	mux.Handle("/api/", a.Handler())
	if s.Public != nil {
		mux.Handle("/s/", s.Public)
		mux.Handle("/widget/", s.Public)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.DB.Ping(ctx); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		_, _ = w.Write([]byte("ready\n"))
	})
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.Registry, promhttp.HandlerOpts{}))
	if s.Web != nil {
		mux.Handle("/", s.Web)
	}
	return mux
}

// Serve listens on ln until ctx ends, then shuts down gracefully.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
