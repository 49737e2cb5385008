// Package api serves Vox's REST API under /api/v1: feedback ingestion and
// listing, customers, and the OpenAPI document that describes them.
package api

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"vox/internal/alert"
	"vox/internal/auth"
	"vox/internal/ingest"
	"vox/internal/report"
	"vox/internal/store"
	"vox/internal/survey"
)

// MaxBodyBytes caps a request body: 1000 items with long texts fit, a
// runaway upload does not.
const MaxBodyBytes = 8 << 20

// API holds the handlers' dependencies.
type API struct {
	db      *store.DB
	ingest  *ingest.Service
	log     *slog.Logger
	metrics *Metrics
	surveys *survey.Service   // nil: survey endpoints answer 503
	alerts  *alert.Service    // nil: a default service on db (see alertSvc)
	reports *report.Scheduler // nil: a default scheduler on db (see reportScheduler)
}

// New returns the API. metrics may be nil.
func New(db *store.DB, svc *ingest.Service, log *slog.Logger, metrics *Metrics) *API {
	if log == nil {
		log = slog.Default()
	}
	return &API{db: db, ingest: svc, log: log, metrics: metrics}
}

// route is one endpoint; the table is also what the OpenAPI test walks.
type route struct {
	method, path string
	public       bool
	handle       func(w http.ResponseWriter, r *http.Request, ws int64) error
}

func (a *API) routes() []route {
	rs := a.coreRoutes()
	// Feature packages append their routes here, one line each.
	rs = append(rs, a.surveyRoutes()...)
	rs = append(rs, a.metricsRoutes()...)
	rs = append(rs, a.alertRoutes()...)
	rs = append(rs, a.businessRoutes()...)
	rs = append(rs, a.closeLoopRoutes()...)
	rs = append(rs, a.privacyRoutes()...)
	rs = append(rs, a.reportRoutes()...)
	return rs
}

func (a *API) coreRoutes() []route {
	return []route{
		{method: "GET", path: "/api/v1/openapi.json", public: true, handle: a.openAPI},
		{method: "POST", path: "/api/v1/feedback", handle: a.postFeedback},
		{method: "GET", path: "/api/v1/feedback", handle: a.listFeedback},
		{method: "GET", path: "/api/v1/feedback/{id}", handle: a.getFeedback},
		{method: "GET", path: "/api/v1/customers", handle: a.listCustomers},
		{method: "POST", path: "/api/v1/customers", handle: a.postCustomer},
		{method: "GET", path: "/api/v1/customers/{id}", handle: a.getCustomer},
		{method: "POST", path: "/api/v1/customers/{id}/merge", handle: a.mergeCustomer},
		{method: "POST", path: "/api/v1/transactions", handle: a.postTransactions},
		{method: "POST", path: "/api/v1/churn-events", handle: a.postChurnEvent},
	}
}

// Handler returns the /api/v1 handler.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		mux.Handle(rt.method+" "+rt.path, a.wrap(rt))
	}
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, &apiError{Status: http.StatusNotFound, Code: "no_route", Message: "no such endpoint: " + r.Method + " " + r.URL.Path})
	})
	return mux
}

// grantKey is the context key of the request's store.APIKeyGrant.
type grantKey struct{}

func (a *API) wrap(rt route) http.Handler {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var g store.APIKeyGrant
		if !rt.public {
			var err error
			if g, err = a.authenticate(r); err != nil {
				if errors.Is(err, errKeyWithoutAuthority) {
					writeError(w, errKeyWithoutAuthority)
				} else {
					writeError(w, errUnauthorized)
				}
				return
			}
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBodyBytes)
		if err := rt.handle(w, r.WithContext(context.WithValue(r.Context(), grantKey{}, g)), g.WorkspaceID); err != nil {
			a.fail(w, r, err)
		}
	})
	if a.metrics != nil {
		return a.metrics.instrument(rt.method+" "+rt.path, h)
	}
	return h
}

// authenticate returns what the request's API key may do.
//
// A key acts with its creator's current role, and only owners and admins
// may hold keys (they alone can make them): once its creator is demoted or
// leaves the workspace, the key stops working rather than keeping powers
// nobody holds any more.
func (a *API) authenticate(r *http.Request) (store.APIKeyGrant, error) {
	h := r.Header.Get("Authorization")
	key, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || strings.TrimSpace(key) == "" {
		return store.APIKeyGrant{}, errUnauthorized
	}
	g, err := a.db.APIKeyAccess(r.Context(), strings.TrimSpace(key))
	if err != nil {
		return store.APIKeyGrant{}, err
	}
	if !auth.Can(g.Role, auth.ManageAPIKeys) {
		return store.APIKeyGrant{}, errKeyWithoutAuthority
	}
	return g, nil
}

// grant is the request's API key grant (zero on public routes).
func grant(r *http.Request) store.APIKeyGrant {
	g, _ := r.Context().Value(grantKey{}).(store.APIKeyGrant)
	return g
}

// fail maps an error to its HTTP answer; unknown errors are logged, not shown.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	var ae *apiError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		writeError(w, ae)
	case errors.As(err, &mbe):
		writeError(w, &apiError{Status: http.StatusRequestEntityTooLarge, Code: "body_too_large",
			Message: "request body is larger than " + strconv.Itoa(MaxBodyBytes) + " bytes"})
	case errors.Is(err, store.ErrNotFound):
		writeError(w, errNotFound)
	default:
		a.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		writeError(w, errInternal)
	}
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// Routes lists "METHOD /path" of every endpoint, for the OpenAPI test.
func Routes() []string {
	var out []string
	for _, rt := range (&API{}).routes() {
		out = append(out, rt.method+" "+rt.path)
	}
	return out
}
