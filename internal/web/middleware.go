package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"

	"vox/internal/auth"
	"vox/internal/store"
)

// contentSecurityPolicy allows nothing inline and nothing from elsewhere:
// customer text that slips past escaping still cannot run or load anything.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// reqCtx is what the wrapper learned about a request: who asks, in which
// workspace and role, in which language.
type reqCtx struct {
	L          *Localizer
	Token      string            // session cookie value; "" when anonymous
	Session    *store.WebSession // nil when anonymous
	User       store.User
	Role       string
	Workspace  store.Workspace
	Workspaces []store.Workspace // every workspace the user belongs to, for the switcher
	CSRF       string            // the token forms must echo
}

// Can reports whether the request's role grants p.
func (rc *reqCtx) Can(p auth.Permission) bool { return rc.Session != nil && auth.Can(rc.Role, p) }

func (s *Server) sessionCookieName() string {
	if s.opt.Secure {
		return "__Host-vox_session"
	}
	return "vox_session"
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: token, Path: "/", Expires: expires,
		HttpOnly: true, Secure: s.opt.Secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: s.sessionCookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.opt.Secure, SameSite: http.SameSiteLaxMode})
}

func cookieValue(r *http.Request, name string) string {
	if c, err := r.Cookie(name); err == nil {
		return c.Value
	}
	return ""
}

// wrap runs the checks every route shares, in order: session, permission,
// same-origin and CSRF on POST, language; then the handler.
func (s *Server) wrap(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc, err := s.loadSession(w, r)
		if err != nil {
			s.log.Error("web: load session", "err", err)
			s.renderError(w, r, s.anonymous(w, r), http.StatusInternalServerError)
			return
		}
		if rc.Session == nil && !rt.public {
			target := "/login"
			if r.Method == http.MethodGet && r.URL.RequestURI() != "/" {
				target += "?next=" + url.QueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, target, http.StatusSeeOther)
			return
		}
		if !rt.public && len(rt.perms) > 0 && !canAny(rc, rt.perms) {
			s.renderError(w, r, rc, http.StatusForbidden)
			return
		}
		if r.Method == http.MethodPost {
			limit := int64(maxFormBytes)
			if rt.maxBody > 0 {
				limit = rt.maxBody
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
			// Read the form before the CSRF check so that a body over the
			// cap is told apart from a forged form.
			if err := parsePost(r); errors.As(err, new(*http.MaxBytesError)) {
				s.renderError(w, r, rc, http.StatusRequestEntityTooLarge)
				return
			}
		}
		if r.Method == http.MethodPost && !s.postAllowed(r, rc) {
			s.log.Warn("web: csrf check failed", "path", r.URL.Path)
			s.renderError(w, r, rc, http.StatusForbidden)
			return
		}
		s.switchLang(w, r, rc)
		formKey, replayed, err := s.claimOnceForm(r, rc, rt)
		if err != nil {
			s.log.Error("web: claim form key", "path", r.URL.Path, "err", err)
			s.renderError(w, r, rc, http.StatusInternalServerError)
			return
		}
		if replayed {
			http.Redirect(w, r, strings.ReplaceAll(rt.replayTo, "{id}", r.PathValue("id"))+"?replayed=1", http.StatusSeeOther)
			return
		}
		if err := rt.handle(w, r, rc); err != nil {
			if formKey != "" {
				if err := s.db.ReleaseFormKey(context.WithoutCancel(r.Context()), rc.Workspace.ID, formKey); err != nil {
					s.log.Error("web: release form key", "path", r.URL.Path, "err", err)
				}
			}
			status := statusOf(err)
			if status == http.StatusInternalServerError {
				s.log.Error("web: handler", "path", r.URL.Path, "err", err)
			}
			s.renderError(w, r, rc, status)
		}
	})
}

func canAny(rc *reqCtx, perms []auth.Permission) bool {
	for _, p := range perms {
		if rc.Can(p) {
			return true
		}
	}
	return false
}

// loadSession resolves the session cookie into a reqCtx; without a live
// session (or without a membership in its workspace) the request is anonymous.
func (s *Server) loadSession(w http.ResponseWriter, r *http.Request) (*reqCtx, error) {
	ctx := r.Context()
	token := cookieValue(r, s.sessionCookieName())
	if token == "" {
		return s.anonymous(w, r), nil
	}
	sess, err := s.sessions.Lookup(ctx, token)
	if errors.Is(err, auth.ErrNoSession) {
		s.clearSessionCookie(w)
		return s.anonymous(w, r), nil
	}
	if err != nil {
		return nil, err
	}
	rc := &reqCtx{Token: token, Session: &sess, CSRF: sess.CSRFToken}
	if rc.User, err = s.db.User(ctx, sess.UserID); err != nil {
		return nil, err
	}
	rc.Role, err = s.db.Role(ctx, sess.WorkspaceID, sess.UserID)
	if errors.Is(err, store.ErrNotFound) {
		// The membership was removed: the session no longer grants anything.
		_ = s.sessions.End(ctx, token)
		s.clearSessionCookie(w)
		return s.anonymous(w, r), nil
	}
	if err != nil {
		return nil, err
	}
	if rc.Workspace, err = s.db.Workspace(ctx, sess.WorkspaceID); err != nil {
		return nil, err
	}
	if err := s.loadWorkspaces(ctx, rc); err != nil {
		return nil, err
	}
	rc.L = s.cat.localizer(s.pickLang(r, rc.User.Lang), workspaceLocation(rc.Workspace))
	return rc, nil
}

func (s *Server) loadWorkspaces(ctx context.Context, rc *reqCtx) error {
	ms, err := s.db.Memberships(ctx, rc.User.ID)
	if err != nil {
		return err
	}
	if len(ms) < 2 {
		return nil
	}
	for _, m := range ms {
		ws, err := s.db.Workspace(ctx, m.WorkspaceID)
		if err != nil {
			return err
		}
		rc.Workspaces = append(rc.Workspaces, ws)
	}
	return nil
}

func workspaceLocation(ws store.Workspace) *time.Location {
	if loc, err := time.LoadLocation(ws.Timezone); err == nil {
		return loc
	}
	return time.UTC
}

// anonymous is the context of a visitor without a session. It carries a
// pre-session CSRF token (double-submit cookie) so that the login form
// cannot be posted from another site either.
func (s *Server) anonymous(w http.ResponseWriter, r *http.Request) *reqCtx {
	rc := &reqCtx{L: s.cat.localizer(s.pickLang(r, ""), time.UTC)}
	rc.CSRF = cookieValue(r, preSessionCSRFCookie)
	if rc.CSRF == "" {
		if tok, err := auth.NewToken(); err == nil {
			rc.CSRF = tok
			http.SetCookie(w, &http.Cookie{Name: preSessionCSRFCookie, Value: tok, Path: "/", HttpOnly: true,
				Secure: s.opt.Secure, SameSite: http.SameSiteStrictMode})
		}
	}
	return rc
}

const preSessionCSRFCookie = "vox_csrf"

// parsePost reads a POST body as a multipart or URL-encoded form.
func parsePost(r *http.Request) error {
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return r.ParseMultipartForm(maxFormBytes)
	}
	return r.ParseForm()
}

// maxFormBytes caps a form body: the UI's forms are a few fields.
const maxFormBytes = 64 << 10

// postAllowed checks that a POST comes from our own pages: the Origin (when
// the browser sends one) is ours, and the form echoes the CSRF token.
func (s *Server) postAllowed(r *http.Request, rc *reqCtx) bool {
	if origin := r.Header.Get("Origin"); origin != "" {
		u, err := url.Parse(origin)
		if err != nil || u.Host != r.Host {
			return false
		}
	}
	want := rc.CSRF
	if rc.Session == nil {
		want = cookieValue(r, preSessionCSRFCookie)
	}
	got := r.PostFormValue("csrf")
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// pickLang chooses the UI language: an explicit ?lang=, then the user's saved
// choice, then the anonymous cookie, then the browser's Accept-Language.
func (s *Server) pickLang(r *http.Request, userLang string) string {
	if l := supportedLang(r.URL.Query().Get("lang")); l != "" {
		return l
	}
	if l := supportedLang(userLang); l != "" {
		return l
	}
	if l := supportedLang(cookieValue(r, langCookie)); l != "" {
		return l
	}
	return langFromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// switchLang remembers a ?lang= choice: on the user for a session, in a
// cookie for an anonymous visitor.
func (s *Server) switchLang(w http.ResponseWriter, r *http.Request, rc *reqCtx) {
	l := supportedLang(r.URL.Query().Get("lang"))
	if l == "" {
		return
	}
	if rc.Session != nil {
		if l != rc.User.Lang {
			if err := s.db.SetUserLang(r.Context(), rc.User.ID, l); err != nil {
				s.log.Error("web: save language", "err", err)
			}
			rc.User.Lang = l
		}
		return
	}
	if cookieValue(r, langCookie) != l {
		setLangCookie(w, l, s.opt.Secure)
	}
}

// claimOnceForm claims the single-use key of a replayTo form. It returns
// the key it claimed ("" when the route is not single-use or the form has
// no key, e.g. a script posting it) or replayed when the key was spent.
func (s *Server) claimOnceForm(r *http.Request, rc *reqCtx, rt route) (key string, replayed bool, err error) {
	if rt.replayTo == "" || r.Method != http.MethodPost {
		return "", false, nil
	}
	key = r.PostFormValue("once")
	if key == "" || len(key) > 64 {
		return "", false, nil
	}
	ok, err := s.db.ClaimFormKey(r.Context(), rc.Workspace.ID, key, s.now())
	if err != nil || !ok {
		return "", err == nil, err
	}
	return key, false, nil
}
