package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"vox/internal/auth"
	"vox/internal/store"
)

// forgotData is the "forgot password" page.
type forgotData struct {
	MailerOff bool // no mail server: resets cannot be sent
	Sent      bool // the neutral answer
	Email     string
	Error     string // catalog key
	Minutes   int    // the link's lifetime
}

// resetData is the page a reset link opens.
type resetData struct {
	State  string // "form", "invalid" (unknown, used or expired) or "done"
	Action string
	Error  string // catalog key
	MinLen int
}

func (s *Server) forgotPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d := forgotData{MailerOff: s.opt.Mailer == nil, Minutes: int(passwordResetTTL.Minutes())}
	status := http.StatusOK
	if d.MailerOff {
		status = http.StatusServiceUnavailable
	}
	s.render(w, r, rc, status, "password_forgot", "", rc.L.T("account.forgot.title"), d)
	return nil
}

// forgotPassword answers every address the same way, at once, and does the
// work — finding the account, storing a token, sending the mail — in the
// background, so neither the text nor the timing tells whether an account
// exists.
func (s *Server) forgotPassword(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d := forgotData{MailerOff: s.opt.Mailer == nil, Minutes: int(passwordResetTTL.Minutes())}
	render := func(status int) error {
		s.render(w, r, rc, status, "password_forgot", "", rc.L.T("account.forgot.title"), d)
		return nil
	}
	if d.MailerOff {
		return render(http.StatusServiceUnavailable)
	}
	d.Email = strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	if d.Email == "" || len(d.Email) > 254 || !strings.Contains(d.Email, "@") {
		d.Error = "account.forgot.error.email"
		return render(http.StatusBadRequest)
	}
	if !s.allowReset(r.Context(), clientIP(r)) {
		s.log.Warn("web: password reset throttled", "ip", clientIP(r))
		d.Error = "account.forgot.error.throttled"
		return render(http.StatusTooManyRequests)
	}
	email, lang, base := d.Email, rc.L.Lang, s.accountLinkBase(r)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), resetMailTimeout)
	s.accounts.mail.Add(1)
	go func() {
		defer s.accounts.mail.Done()
		defer cancel()
		s.sendPasswordReset(ctx, email, lang, base)
	}()
	d.Sent = true
	return render(http.StatusOK)
}

// sendPasswordReset emails a reset link to the account of email, if there
// is one, it is enabled and it has not had too many links lately.
func (s *Server) sendPasswordReset(ctx context.Context, email, lang, base string) {
	u, err := s.db.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return
	}
	if err != nil {
		s.log.Error("web: password reset", "err", err)
		return
	}
	if u.Disabled {
		return
	}
	token, err := auth.NewToken()
	if err != nil {
		s.log.Error("web: password reset", "err", err)
		return
	}
	now := s.now()
	created, err := s.db.CreatePasswordReset(ctx, u.ID, auth.HashToken(token), now, now.Add(passwordResetTTL),
		now.Add(-resetAccountWindow), resetAccountMax)
	if err != nil {
		s.log.Error("web: password reset", "user", u.ID, "err", err)
		return
	}
	if !created {
		s.log.Warn("web: password reset limit reached", "user", u.ID)
		return
	}
	if supportedLang(u.Lang) != "" {
		lang = u.Lang
	}
	L := s.cat.localizer(lang, nil)
	link := base + "/password/reset/" + token
	body := L.T("account.reset.mail.body", link, int(passwordResetTTL.Minutes()))
	if err := s.opt.Mailer.Send(ctx, []string{u.Email}, L.T("account.reset.mail.subject"), body); err != nil {
		s.log.Error("web: send password reset", "user", u.ID, "err", err)
	}
}

func (s *Server) renderReset(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, d resetData) error {
	d.Action, d.MinLen = r.URL.Path, auth.MinPasswordLen
	s.render(w, r, rc, status, "password_reset", "", rc.L.T("account.reset.title"), d)
	return nil
}

// resetTokenStatus checks the link's token: 0 when it is live, else the
// status of the "invalid link" page.
func (s *Server) resetTokenStatus(r *http.Request) (int, error) {
	_, err := s.db.PasswordResetUser(r.Context(), auth.HashToken(r.PathValue("token")), s.now())
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, nil
	case errors.Is(err, store.ErrTokenSpent):
		return http.StatusGone, nil
	}
	return 0, err
}

func (s *Server) resetPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	status, err := s.resetTokenStatus(r)
	if err != nil {
		return err
	}
	if status != 0 {
		return s.renderReset(w, r, rc, status, resetData{State: "invalid"})
	}
	return s.renderReset(w, r, rc, http.StatusOK, resetData{State: "form"})
}

// resetPassword sets the new password: the token is spent and every
// session of the account ends, so whoever else was signed in is out.
func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	// Check the token before hashing: a stranger posting made-up links
	// must not make the server run argon2 for them.
	status, err := s.resetTokenStatus(r)
	if err != nil {
		return err
	}
	if status != 0 {
		return s.renderReset(w, r, rc, status, resetData{State: "invalid"})
	}
	password := r.PostFormValue("password")
	if p := newPasswordProblem(password, r.PostFormValue("confirm")); p != "" {
		return s.renderReset(w, r, rc, http.StatusBadRequest, resetData{State: "form", Error: p})
	}
	hash, err := auth.HashPassword(password)
	if err != nil {
		return err
	}
	user, err := s.db.ResetPassword(r.Context(), auth.HashToken(r.PathValue("token")), hash, s.now())
	switch {
	case errors.Is(err, store.ErrTokenSpent):
		return s.renderReset(w, r, rc, http.StatusGone, resetData{State: "invalid"})
	case errors.Is(err, store.ErrNotFound):
		return s.renderReset(w, r, rc, http.StatusNotFound, resetData{State: "invalid"})
	case err != nil:
		return err
	}
	// Proving the mailbox ends a lockout from failed logins.
	s.limiter.succeeded(r.Context(), user.Email)
	if rc.Session != nil && rc.Session.UserID == user.ID {
		s.clearSessionCookie(w)
	}
	s.log.Info("web: password reset", "user", user.ID)
	return s.renderReset(w, r, rc, http.StatusOK, resetData{State: "done"})
}
