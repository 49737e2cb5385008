package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"vox/internal/auth"
	"vox/internal/store"
)

// Account pages: the workspace's users and invitations, API keys and audit
// log (settings, behind their permissions), and the public pages that an
// emailed link opens — accepting an invitation, resetting a password.
// Their one-time tokens are 256-bit random values of which the database
// keeps only a SHA-256, like session tokens.

// Lifetimes of the emailed links.
const (
	invitationTTL    = 7 * 24 * time.Hour
	passwordResetTTL = time.Hour
)

// Password-reset throttles: per IP in memory (like the login limiter), per
// account in the database (so replicas share it and a restart forgets nothing).
const (
	resetIPMax         = 10
	resetIPWindow      = 15 * time.Minute
	resetAccountMax    = 3
	resetAccountWindow = time.Hour
	// resetMailTimeout bounds the background send of one reset email.
	resetMailTimeout = time.Minute
)

func (s *Server) accountRoutes() []route {
	users := []auth.Permission{auth.ManageUsers}
	keys := []auth.Permission{auth.ManageAPIKeys}
	return []route{
		{method: "GET", path: "/settings/users", perms: users, handle: s.usersPage},
		{method: "POST", path: "/settings/users/invite", perms: users, replayTo: "/settings/users", handle: s.inviteMember},
		{method: "POST", path: "/settings/users/{id}/role", perms: users, handle: s.changeMemberRole},
		{method: "POST", path: "/settings/users/{id}/remove", perms: users, handle: s.removeMember},
		{method: "POST", path: "/settings/users/{id}/employee", perms: users, handle: s.linkMemberEmployee},
		{method: "POST", path: "/settings/invitations/{id}/revoke", perms: users, handle: s.revokeInvitation},
		{method: "GET", path: "/settings/api-keys", perms: keys, handle: s.apiKeysPage},
		{method: "POST", path: "/settings/api-keys", perms: keys, replayTo: "/settings/api-keys", handle: s.createAPIKey},
		{method: "POST", path: "/settings/api-keys/{id}/revoke", perms: keys, handle: s.revokeAPIKey},
		{method: "GET", path: "/settings/audit", perms: []auth.Permission{auth.ViewAudit}, handle: s.auditPage},
		{method: "GET", path: "/invite/{token}", public: true, handle: s.invitePage},
		{method: "POST", path: "/invite/{token}", public: true, handle: s.acceptInvite},
		{method: "GET", path: "/password/forgot", public: true, handle: s.forgotPage},
		{method: "POST", path: "/password/forgot", public: true, handle: s.forgotPassword},
		{method: "GET", path: "/password/reset/{token}", public: true, handle: s.resetPage},
		{method: "POST", path: "/password/reset/{token}", public: true, handle: s.resetPassword},
	}
}

// accountState is the account pages' mutable state; its zero value is ready.
type accountState struct {
	// mail tracks reset emails sent in the background (tests wait on it).
	mail sync.WaitGroup
}

// allowReset counts a reset request from ip and reports whether it is
// within the per-IP limit (counted in the database, across replicas; a
// database error refuses, since the reset could not be stored anyway).
func (s *Server) allowReset(ctx context.Context, ip string) bool {
	n, err := s.db.CountAttempt(ctx, "reset_ip", ip, s.now(), resetIPWindow)
	if err != nil {
		s.log.Error("web: reset throttle", "err", err)
		return false
	}
	return n <= resetIPMax
}

// accountTab is one link of the settings sub-navigation of the account pages.
type accountTab struct {
	Key, Href string
	Active    bool
}

// accountTabs lists the account pages the role may open.
func accountTabs(rc *reqCtx, active string) []accountTab {
	var out []accountTab
	for _, t := range []struct {
		key, href string
		perm      auth.Permission
	}{
		{"users", "/settings/users", auth.ManageUsers},
		{"apikeys", "/settings/api-keys", auth.ManageAPIKeys},
		{"audit", "/settings/audit", auth.ViewAudit},
	} {
		if rc.Can(t.perm) {
			out = append(out, accountTab{Key: t.key, Href: t.href, Active: t.key == active})
		}
	}
	return out
}

// accountActor is the signed-in user as the audit log names them.
func accountActor(rc *reqCtx) store.AuditActor {
	return store.AuditActor{UserID: rc.User.ID, Name: rc.User.Email}
}

// accountPathID reads the {id} of a path; a malformed one is a missing object.
func accountPathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, store.ErrNotFound
	}
	return id, nil
}

// accountLinkBase is the origin emailed links start with: the configured public
// URL, else the address this request came to.
func (s *Server) accountLinkBase(r *http.Request) string {
	if s.opt.PublicURL != "" {
		return strings.TrimRight(s.opt.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil || s.opt.Secure {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// newPasswordProblem returns the catalog key of what is wrong with a new
// password and its confirmation, or "".
func newPasswordProblem(password, confirm string) string {
	switch n := len([]rune(password)); {
	case n < auth.MinPasswordLen:
		return "account.password.too_short"
	case len(password) > auth.MaxPasswordLen:
		return "account.password.too_long"
	case password != confirm:
		return "account.password.mismatch"
	}
	return ""
}
