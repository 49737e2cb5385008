package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the API's Prometheus series, registered on a registry the
// caller owns (no global state).
type Metrics struct {
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	ingested *prometheus.CounterVec
}

// NewMetrics registers the API's series on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vox_http_requests_total",
			Help: "HTTP requests by route and status code."}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "vox_http_request_duration_seconds",
			Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"route"}),
		ingested: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "vox_feedback_ingested_total",
			Help: "Feedback items received by the API: stored, or duplicate of an earlier item."}, []string{"result"}),
	}
	reg.MustRegister(m.requests, m.latency, m.ingested)
	return m
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

// Instrument counts and times the requests of one route.
func (m *Metrics) Instrument(route string, h http.Handler) http.Handler {
	return m.instrument(route, h)
}

func (m *Metrics) instrument(route string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		h.ServeHTTP(rec, r)
		m.requests.WithLabelValues(route, strconv.Itoa(rec.code)).Inc()
		m.latency.WithLabelValues(route).Observe(time.Since(start).Seconds())
	})
}

func (m *Metrics) countIngested(duplicates []bool) {
	for _, d := range duplicates {
		if d {
			m.ingested.WithLabelValues("duplicate").Inc()
		} else {
			m.ingested.WithLabelValues("stored").Inc()
		}
	}
}
