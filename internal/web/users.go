package web

import (
	"context"
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"vox/internal/auth"
	"vox/internal/store"
)

// maxOpenInvitations is how many open invitations the users page lists.
const maxOpenInvitations = 200

// usersData is the users page: the members, the open invitations and the
// invitation form.
type usersData struct {
	Tabs        []accountTab
	Members     []memberRow
	Invitations []invitationRow
	Roles       []string // the roles this user may grant
	Email, Role string   // the invitation form, refilled after an error
	Error       string   // catalog key
	Notice      string   // catalog key
	// Link is an invitation link to hand over by hand, shown once, when it
	// could not be emailed; LinkReason (a catalog key) says why.
	Link, LinkReason string
	LinkEmail        string
	MailerOff        bool
	// Employees are the records a member of role employee can be linked to.
	Employees []store.Employee
}

// memberRow is a member with what the viewer may do to them.
type memberRow struct {
	store.Member
	Self       bool
	Editable   bool  // the viewer may change this member's role or remove them
	EmployeeID int64 // the employee record linked to the member, 0 for none
}

// invitationRow is an open invitation.
type invitationRow struct {
	store.MemberInvitation
	Expired bool
}

// usersNotices maps the ?ok= of a redirect to its message; nothing else
// from the URL reaches the page.
var usersNotices = map[string]string{
	"invited": "account.users.notice.invited",
	"role":    "account.users.notice.role",
	"removed": "account.users.notice.removed",
	"revoked": "account.users.notice.revoked",
	"linked":  "account.users.notice.linked",
}

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.renderUsers(w, r, rc, http.StatusOK, usersData{Notice: usersNotices[r.URL.Query().Get("ok")]})
}

// renderUsers loads the members and invitations into d and renders the page.
func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, d usersData) error {
	ctx := r.Context()
	members, err := s.db.Members(ctx, rc.Workspace.ID)
	if err != nil {
		return err
	}
	if d.Employees, err = s.db.Employees(ctx, rc.Workspace.ID); err != nil {
		return err
	}
	linked := map[int64]int64{}
	for _, e := range d.Employees {
		if e.UserID != nil {
			linked[*e.UserID] = e.ID
		}
	}
	for _, m := range members {
		d.Members = append(d.Members, memberRow{Member: m, Self: m.UserID == rc.User.ID, Editable: auth.MayManageRole(rc.Role, m.Role),
			EmployeeID: linked[m.UserID]})
	}
	invs, err := s.db.OpenMemberInvitations(ctx, rc.Workspace.ID, maxOpenInvitations)
	if err != nil {
		return err
	}
	now := s.now()
	for _, inv := range invs {
		d.Invitations = append(d.Invitations, invitationRow{MemberInvitation: inv, Expired: inv.State(now) == store.MemberInvitationExpired})
	}
	for _, role := range store.Roles {
		if auth.MayManageRole(rc.Role, role) {
			d.Roles = append(d.Roles, role)
		}
	}
	if d.Role == "" {
		d.Role = store.RoleViewer
	}
	d.Tabs = accountTabs(rc, "users")
	d.MailerOff = s.opt.Mailer == nil
	s.render(w, r, rc, status, "users", "settings", rc.L.T("account.users.title"), d)
	return nil
}

// inviteMember creates an invitation and emails its link; without a mail
// server, or when sending fails, the page shows the link once instead so
// that the admin can hand it over.
func (s *Server) inviteMember(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	email := strings.ToLower(strings.TrimSpace(r.PostFormValue("email")))
	role := r.PostFormValue("role")
	d := usersData{Email: email, Role: role}
	if addr, err := mail.ParseAddress(email); err != nil || addr.Address != email || len(email) > 254 {
		d.Error = "account.users.error.email"
		return s.renderUsers(w, r, rc, http.StatusBadRequest, d)
	}
	if !store.ValidRole(role) {
		d.Error, d.Role = "account.users.error.role", ""
		return s.renderUsers(w, r, rc, http.StatusBadRequest, d)
	}
	if !auth.MayManageRole(rc.Role, role) {
		d.Error = "account.users.error.owner_only"
		return s.renderUsers(w, r, rc, http.StatusForbidden, d)
	}
	member, err := s.isMember(ctx, rc.Workspace.ID, email)
	if err != nil {
		return err
	}
	if member {
		d.Error = "account.users.error.member"
		return s.renderUsers(w, r, rc, http.StatusConflict, d)
	}
	token, err := auth.NewToken()
	if err != nil {
		return err
	}
	now := s.now()
	if _, err := s.db.CreateMemberInvitation(ctx, rc.Workspace.ID, email, role, auth.HashToken(token), now, now.Add(invitationTTL),
		accountActor(rc)); err != nil {
		return err
	}
	link := s.accountLinkBase(r) + "/invite/" + token
	done := usersData{Link: link, LinkEmail: email}
	if s.opt.Mailer == nil {
		done.LinkReason = "account.users.link.no_mailer"
		return s.renderUsers(w, r, rc, http.StatusOK, done)
	}
	inviter := rc.User.Name
	if inviter == "" {
		inviter = rc.User.Email
	}
	subject := rc.L.T("account.invite.mail.subject", rc.Workspace.Name)
	body := rc.L.T("account.invite.mail.body", inviter, rc.Workspace.Name, rc.L.Label("role", role), link, int(invitationTTL.Hours()/24))
	if err := s.opt.Mailer.Send(ctx, []string{email}, subject, body); err != nil {
		s.log.Error("web: send invitation", "workspace", rc.Workspace.ID, "err", err)
		done.LinkReason = "account.users.link.send_failed"
		return s.renderUsers(w, r, rc, http.StatusOK, done)
	}
	http.Redirect(w, r, "/settings/users?ok=invited", http.StatusSeeOther)
	return nil
}

// isMember reports whether email names a member of the workspace.
func (s *Server) isMember(ctx context.Context, workspaceID int64, email string) (bool, error) {
	u, err := s.db.UserByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	_, err = s.db.Role(ctx, workspaceID, u.ID)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// memberPolicy is the check ChangeMemberRole and RemoveMember run on the
// member's current role: only an owner touches an owner.
func memberPolicy(rc *reqCtx) func(current string) error {
	return func(current string) error {
		if !auth.MayManageRole(rc.Role, current) {
			return errForbidden
		}
		return nil
	}
}

// memberChangeFailed renders the users page for a refused change, or
// returns err when it is not a refusal the page explains.
func (s *Server) memberChangeFailed(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) error {
	switch {
	case errors.Is(err, store.ErrLastOwner):
		return s.renderUsers(w, r, rc, http.StatusConflict, usersData{Error: "account.users.error.last_owner"})
	case errors.Is(err, errForbidden):
		return s.renderUsers(w, r, rc, http.StatusForbidden, usersData{Error: "account.users.error.owner_only"})
	}
	return err
}

func (s *Server) changeMemberRole(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := accountPathID(r)
	if err != nil {
		return err
	}
	role := r.PostFormValue("role")
	if !store.ValidRole(role) {
		return errBadRequest
	}
	if !auth.MayManageRole(rc.Role, role) {
		return s.memberChangeFailed(w, r, rc, errForbidden)
	}
	if err := s.db.ChangeMemberRole(r.Context(), rc.Workspace.ID, id, role, accountActor(rc), memberPolicy(rc)); err != nil {
		return s.memberChangeFailed(w, r, rc, err)
	}
	if id == rc.User.ID && !auth.Can(role, auth.ManageUsers) {
		http.Redirect(w, r, "/", http.StatusSeeOther) // this page is no longer theirs
		return nil
	}
	http.Redirect(w, r, "/settings/users?ok=role", http.StatusSeeOther)
	return nil
}

func (s *Server) removeMember(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := accountPathID(r)
	if err != nil {
		return err
	}
	if err := s.db.RemoveMember(r.Context(), rc.Workspace.ID, id, accountActor(rc), memberPolicy(rc)); err != nil {
		return s.memberChangeFailed(w, r, rc, err)
	}
	if id == rc.User.ID {
		s.clearSessionCookie(w) // the removal ended this session too
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/settings/users?ok=removed", http.StatusSeeOther)
	return nil
}

func (s *Server) revokeInvitation(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := accountPathID(r)
	if err != nil {
		return err
	}
	if err := s.db.RevokeMemberInvitation(r.Context(), rc.Workspace.ID, id, s.now(), accountActor(rc)); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/users?ok=revoked", http.StatusSeeOther)
	return nil
}

// linkMemberEmployee ties a member to an employee record (employee_id 0:
// to none), which is what a user of role employee sees feedback about.
func (s *Server) linkMemberEmployee(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, err := accountPathID(r)
	if err != nil {
		return err
	}
	employeeID, err := strconv.ParseInt(r.PostFormValue("employee_id"), 10, 64)
	if err != nil || employeeID < 0 {
		return errBadRequest
	}
	current, err := s.db.Role(r.Context(), rc.Workspace.ID, id)
	if err != nil {
		return err
	}
	if !auth.MayManageRole(rc.Role, current) {
		return s.memberChangeFailed(w, r, rc, errForbidden)
	}
	if err := s.db.SetMemberEmployee(r.Context(), rc.Workspace.ID, id, employeeID, accountActor(rc)); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/users?ok=linked", http.StatusSeeOther)
	return nil
}
