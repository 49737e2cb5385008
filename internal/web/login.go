package web

import (
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"

	"vox/internal/auth"
	"vox/internal/store"
)

// loginData is the login form's content.
type loginData struct {
	Email string
	Next  string
	Error string // a catalog key
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.Session != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	s.render(w, r, rc, http.StatusOK, "login", "", rc.L.T("login.title"), loginData{Next: safeNext(r.URL.Query().Get("next"))})
	return nil
}

// login checks the password and starts a fresh session. Every failure gets
// the same message, whether the email exists or not.
func (s *Server) login(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	email := strings.TrimSpace(r.PostFormValue("email"))
	password := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	ip := clientIP(r)
	fail := func(status int, key string) error {
		s.render(w, r, rc, status, "login", "", rc.L.T("login.title"), loginData{Email: email, Next: next, Error: key})
		return nil
	}
	if !s.limiter.allowed(ctx, ip, email) {
		s.log.Warn("web: login throttled", "ip", ip)
		return fail(http.StatusTooManyRequests, "login.error.throttled")
	}
	user, err := s.db.UserByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	hash := user.PasswordHash
	if err != nil || hash == "" {
		hash = s.dummy()
	}
	pwErr := auth.CheckPassword(hash, password)
	if err != nil || pwErr != nil || user.PasswordHash == "" || user.Disabled {
		if locked := s.limiter.failed(ctx, ip, email); locked {
			s.log.Warn("web: account locked after failed logins", "ip", ip)
		}
		return fail(http.StatusUnauthorized, "login.error.invalid")
	}
	ms, err := s.db.Memberships(ctx, user.ID)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return fail(http.StatusForbidden, "login.error.no_workspace")
	}
	s.limiter.succeeded(ctx, email)
	// Rotate: whatever session the browser had ends here.
	if rc.Token != "" {
		if err := s.sessions.End(ctx, rc.Token); err != nil {
			return err
		}
	}
	token, sess, err := s.sessions.Create(ctx, user.ID, ms[0].WorkspaceID)
	if err != nil {
		return err
	}
	if user.Lang == "" {
		// Keep the language chosen on the login page.
		if err := s.db.SetUserLang(ctx, user.ID, rc.L.Lang); err != nil {
			return err
		}
	}
	uid := user.ID
	if err := s.db.Audit(ctx, store.AuditEntry{WorkspaceID: sess.WorkspaceID, UserID: &uid, Actor: user.Email,
		Action: "user.login", ObjectType: "user", ObjectID: user.ID}); err != nil {
		return err
	}
	s.setSessionCookie(w, token, sess.ExpiresAt)
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := s.sessions.End(r.Context(), rc.Token); err != nil {
		return err
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// switchWorkspace moves the session to another workspace the user belongs to.
func (s *Server) switchWorkspace(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := strconv.ParseInt(r.PostFormValue("workspace_id"), 10, 64)
	if err != nil {
		return errBadRequest
	}
	if _, err := s.db.Role(r.Context(), id, rc.User.ID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return errForbidden
		}
		return err
	}
	if err := s.db.SetSessionWorkspace(r.Context(), rc.Session.TokenHash, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}

// safeNext keeps a post-login redirect on this site: only a local path.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n") {
		return "/"
	}
	return next
}

// clientIP is the peer address. Behind a reverse proxy every user shares the
// proxy's address; trusting X-Forwarded-For needs a configured proxy list.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
