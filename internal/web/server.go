// Package web serves Vox's browser UI: server-rendered html/template pages
// with embedded assets, ru/zh/en message catalogs, cookie sessions, CSRF
// protection and a per-route permission check.
//
// Every route is declared once in routes() with the permissions it needs;
// the wrapper around it loads the session, checks the role, checks CSRF on
// POST and picks the language, so a handler only does its page's work.
package web

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	_ "time/tzdata" // workspace time zones must work on hosts without tzdata

	"vox/internal/alert"
	"vox/internal/auth"
	"vox/internal/channel/notify"
	"vox/internal/insights"
	"vox/internal/report"
	"vox/internal/store"
	"vox/internal/survey"
)

// Options configure the web UI.
type Options struct {
	// Secure marks cookies Secure and gives the session cookie the __Host-
	// prefix; set it whenever Vox is reached over HTTPS (also behind a proxy).
	Secure bool
	// Logger receives errors and security events; nil means slog.Default().
	Logger *slog.Logger
	// Now is the clock (tests move it to expire sessions and lockouts).
	Now func() time.Time
	// IdleTimeout and AbsoluteTimeout override the session lifetimes.
	IdleTimeout, AbsoluteTimeout time.Duration
	// Alerts runs cases, rules and webhooks; nil hides nothing but makes
	// their pages answer 503 (a UI served without the acting part).
	Alerts *alert.Service
	// Surveys manages surveys and invitations; nil as for Alerts.
	Surveys *survey.Service
	// Reports sends the weekly report emails; nil keeps the orders and
	// queues sends, which a process with a scheduler and email delivers.
	Reports *report.Scheduler
	// Mailer sends invitations and password resets; nil means those
	// emails cannot be sent and the pages say so.
	Mailer *notify.Mailer
	// PublicURL prefixes links in emails (e.g. https://vox.example.com).
	PublicURL string
	// SentimentModel is the fingerprint of the base sentiment model; the
	// adaptation page marks fits of another model as waiting for a refit.
	// Empty: not known, fits are shown as stored.
	SentimentModel string
}

// Server is the web UI.
type Server struct {
	db       *store.DB
	opt      Options
	log      *slog.Logger
	now      func() time.Time
	sessions *auth.Sessions
	limiter  *loginLimiter
	cat      catalogs
	pages    *renderer
	// dummyHash is checked against when the email is unknown, so a login
	// takes as long for a missing account as for a wrong password. It is
	// made on first use: hashing costs as much as a login.
	dummyOnce sync.Once
	dummyHash string
	// pagePaths holds the path of every GET page, so the navigation greys
	// out pages that are not built.
	pagePaths map[string]bool
	// eventsPoll is how often a live stream looks for new items (tests shorten it).
	eventsPoll time.Duration
	// accounts holds the account pages' throttles and background mail (account.go).
	accounts accountState
	// overviewCache keeps the overview's pain points between requests (overview_cache.go).
	overviewCache overviewState
}

// New builds the web UI over db. It panics only if the embedded templates
// or catalogs are broken, which the package tests catch first.
func New(db *store.DB, opts Options) *Server {
	s := &Server{db: db, opt: opts, log: opts.Logger, now: opts.Now}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	s.sessions = auth.NewSessions(db, s.now)
	if opts.IdleTimeout > 0 {
		s.sessions.Idle = opts.IdleTimeout
	}
	if opts.AbsoluteTimeout > 0 {
		s.sessions.Absolute = opts.AbsoluteTimeout
	}
	s.limiter = &loginLimiter{db: s.db, now: s.now, log: s.log}
	s.pagePaths = map[string]bool{}
	for _, rt := range s.routes() {
		if rt.method == "GET" {
			s.pagePaths[strings.TrimSuffix(rt.path, "{$}")] = true
		}
	}
	var err error
	if s.cat, err = loadCatalogs(); err != nil {
		panic(fmt.Sprintf("web: %v", err))
	}
	if s.pages, err = newRenderer(); err != nil {
		panic(fmt.Sprintf("web: %v", err))
	}
	return s
}

// dummy returns the hash unknown emails are checked against.
func (s *Server) dummy() string {
	s.dummyOnce.Do(func() {
		h, err := auth.HashPassword("vox-dummy-password")
		if err != nil {
			s.log.Error("web: dummy hash", "err", err)
		}
		s.dummyHash = h
	})
	return s.dummyHash
}

// route is one page or action. perms lists the permissions of which the
// user needs any one; public routes need no session at all.
type route struct {
	method, path string
	public       bool
	perms        []auth.Permission
	// maxBody raises the POST body cap above maxFormBytes for the few
	// forms that upload a file (a contact list).
	maxBody int64
	// replayTo marks a form that shows something once (a secret, a
	// one-time link): its POST is single-use, and a replay is redirected to
	// this page ({id} filled from the path) instead of minting another.
	replayTo string
	handle   func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error
}

// routes lists every page and action: the core pages here, each further
// page family in its own file.
func (s *Server) routes() []route {
	var rs []route
	for _, group := range [][]route{s.coreRoutes(), s.caseRoutes(), s.journeyRoutes(), s.reportRoutes(),
		s.surveyRoutes(), s.settingsRoutes(), s.accountRoutes(), s.privacyRoutes()} {
		rs = append(rs, group...)
	}
	return rs
}

func (s *Server) coreRoutes() []route {
	return []route{
		{method: "GET", path: "/login", public: true, handle: s.loginPage},
		{method: "POST", path: "/login", public: true, handle: s.login},
		{method: "POST", path: "/logout", handle: s.logout},
		{method: "POST", path: "/workspace", handle: s.switchWorkspace},
		{method: "GET", path: "/{$}", perms: []auth.Permission{auth.ViewOverview}, handle: s.overview},
		{method: "GET", path: "/feedback", perms: []auth.Permission{auth.ViewFeedback, auth.ViewOwnFeedback}, handle: s.feedbackList},
		{method: "GET", path: "/feedback/{id}", perms: []auth.Permission{auth.ViewFeedback, auth.ViewOwnFeedback}, handle: s.feedbackItem},
		{method: "GET", path: "/feedback/export", perms: []auth.Permission{auth.ExportData}, handle: s.feedbackExport},
		{method: "GET", path: "/events", perms: []auth.Permission{auth.ViewFeedback, auth.ViewOwnFeedback}, handle: s.events},
		{method: "GET", path: "/customers", perms: []auth.Permission{auth.ViewCustomers}, handle: s.customerList},
		{method: "GET", path: "/customers/{id}", perms: []auth.Permission{auth.ViewCustomers}, handle: s.customerPage},
		{method: "GET", path: "/mentions", perms: []auth.Permission{auth.ViewMentions}, handle: s.mentionsPage},
		{method: "GET", path: "/employees", perms: []auth.Permission{auth.ViewEmployees, auth.ViewOwnFeedback}, handle: s.employeesPage},
	}
}

// Handler returns the UI's handler; mount it at "/" beside /api/.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routes() {
		mux.Handle(rt.method+" "+rt.path, s.wrap(rt))
	}
	mux.Handle("GET /static/", staticHandler())
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.renderError(w, r, s.anonymous(w, r), http.StatusNotFound)
	})
	return securityHeaders(mux)
}

// Errors handlers return to get a status page instead of a 500.
var (
	errForbidden  = errors.New("forbidden")
	errBadRequest = errors.New("bad request")
)

// statusOf maps a handler error to an HTTP status.
func statusOf(err error) int {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, errForbidden):
		return http.StatusForbidden
	case errors.Is(err, errBadRequest), errors.Is(err, store.ErrBadCursor), errors.As(err, new(*insights.InvalidError)):
		return http.StatusBadRequest
	}
	return http.StatusInternalServerError
}
