package web

import (
	"errors"
	"net/http"
	"strings"

	"vox/internal/auth"
	"vox/internal/store"
)

// maxInviteeNameLen bounds a display name typed on the invitation page.
const maxInviteeNameLen = 100

// inviteData is the page an invitation link opens.
type inviteData struct {
	State     string // a store.MemberInvitation state, or "invalid" for an unknown link
	Action    string // the form's own URL
	Workspace string
	Email     string
	Role      string
	Inviter   string
	Existing  bool // the email already has an account: sign in to join
	Disabled  bool // …which is disabled: nothing to do here
	Name      string
	Error     string // catalog key
	MinLen    int
}

// inviteStatus is the HTTP status of an invitation page in state.
func inviteStatus(state string) int {
	switch state {
	case store.MemberInvitationPending:
		return http.StatusOK
	case "invalid":
		return http.StatusNotFound
	}
	return http.StatusGone
}

// loadInvite resolves the link's token into the page's data.
func (s *Server) loadInvite(r *http.Request) (inviteData, store.MemberInvitation, error) {
	ctx := r.Context()
	d := inviteData{State: "invalid", Action: r.URL.Path, MinLen: auth.MinPasswordLen}
	inv, err := s.db.MemberInvitationByToken(ctx, auth.HashToken(r.PathValue("token")))
	if errors.Is(err, store.ErrNotFound) {
		return d, inv, nil
	}
	if err != nil {
		return d, inv, err
	}
	d.State = inv.State(s.now())
	ws, err := s.db.Workspace(ctx, inv.WorkspaceID)
	if err != nil {
		return d, inv, err
	}
	d.Workspace, d.Email, d.Role, d.Inviter = ws.Name, inv.Email, inv.Role, inv.InvitedByEmail
	u, err := s.db.UserByEmail(ctx, inv.Email)
	switch {
	case err == nil:
		d.Existing, d.Disabled = true, u.Disabled
	case !errors.Is(err, store.ErrNotFound):
		return d, inv, err
	}
	return d, inv, nil
}

func (s *Server) renderInvite(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, d inviteData) error {
	s.render(w, r, rc, status, "invite", "", rc.L.T("account.invite.title"), d)
	return nil
}

func (s *Server) invitePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d, _, err := s.loadInvite(r)
	if err != nil {
		return err
	}
	return s.renderInvite(w, r, rc, inviteStatus(d.State), d)
}

// acceptInvite joins the invitee to the workspace — with their existing
// account after checking its password, or with a new account — and signs
// them in there.
func (s *Server) acceptInvite(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	d, inv, err := s.loadInvite(r)
	if err != nil {
		return err
	}
	if d.State != store.MemberInvitationPending {
		return s.renderInvite(w, r, rc, inviteStatus(d.State), d)
	}
	if d.Disabled {
		return s.renderInvite(w, r, rc, http.StatusForbidden, d)
	}
	acc := store.InvitationAcceptance{TokenHash: auth.HashToken(r.PathValue("token")), Now: s.now()}
	password := r.PostFormValue("password")
	if d.Existing {
		ip := clientIP(r)
		if !s.limiter.allowed(ctx, ip, inv.Email) {
			d.Error = "login.error.throttled"
			return s.renderInvite(w, r, rc, http.StatusTooManyRequests, d)
		}
		u, err := s.db.UserByEmail(ctx, inv.Email)
		if err != nil {
			return err
		}
		if u.PasswordHash == "" || auth.CheckPassword(u.PasswordHash, password) != nil {
			s.limiter.failed(ctx, ip, inv.Email)
			d.Error = "account.invite.error.password"
			return s.renderInvite(w, r, rc, http.StatusUnauthorized, d)
		}
		s.limiter.succeeded(ctx, inv.Email)
		acc.UserID = u.ID
	} else {
		d.Name = strings.TrimSpace(r.PostFormValue("name"))
		if d.Name == "" || len([]rune(d.Name)) > maxInviteeNameLen {
			d.Error = "account.invite.error.name"
			return s.renderInvite(w, r, rc, http.StatusBadRequest, d)
		}
		if p := newPasswordProblem(password, r.PostFormValue("confirm")); p != "" {
			d.Error = p
			return s.renderInvite(w, r, rc, http.StatusBadRequest, d)
		}
		hash, err := auth.HashPassword(password)
		if err != nil {
			return err
		}
		acc.Name, acc.PasswordHash, acc.Lang = d.Name, hash, rc.L.Lang
	}
	inv, user, err := s.db.AcceptMemberInvitation(ctx, acc)
	switch {
	case errors.Is(err, store.ErrTokenSpent):
		d.State = store.MemberInvitationAccepted
		if again, _, lerr := s.loadInvite(r); lerr == nil {
			d.State = again.State
		}
		return s.renderInvite(w, r, rc, http.StatusGone, d)
	case errors.Is(err, store.ErrAccountExists):
		d.Existing, d.Error = true, "account.invite.error.exists"
		return s.renderInvite(w, r, rc, http.StatusConflict, d)
	case err != nil:
		return err
	}
	// Whatever session the browser had ends: it now belongs to the invitee.
	if rc.Token != "" {
		if err := s.sessions.End(ctx, rc.Token); err != nil {
			return err
		}
	}
	token, sess, err := s.sessions.Create(ctx, user.ID, inv.WorkspaceID)
	if err != nil {
		return err
	}
	s.setSessionCookie(w, token, sess.ExpiresAt)
	http.Redirect(w, r, "/", http.StatusSeeOther)
	return nil
}
