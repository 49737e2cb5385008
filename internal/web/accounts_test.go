package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"vox/internal/api"
	"vox/internal/auth"
	"vox/internal/channel/notify"
	"vox/internal/channel/notify/notifytest"
	"vox/internal/ingest"
	"vox/internal/store"
)

// withMailer serves the fixture again with a mailer that delivers to a
// real in-process SMTP server, and returns that server.
func (f *fixture) withMailer() *notifytest.SMTPServer {
	f.t.Helper()
	smtp := notifytest.NewSMTPServer(f.t)
	f.srv = New(f.db, Options{Now: f.clock.Now, Alerts: f.alerts, Surveys: f.surveys, PublicURL: "http://vox.test",
		Mailer: &notify.Mailer{Addr: smtp.Addr, From: "Vox <vox@example.com>", Timeout: 10 * time.Second}})
	f.http = httptest.NewServer(f.srv.Handler())
	f.t.Cleanup(f.http.Close)
	return smtp
}

var (
	inviteLinkRe = regexp.MustCompile(`http://vox\.test/invite/([A-Za-z0-9_-]{43})`)
	resetLinkRe  = regexp.MustCompile(`http://vox\.test/password/reset/([A-Za-z0-9_-]{43})`)
	apiSecretRe  = regexp.MustCompile(`vox_[A-Za-z0-9_-]{43}`)
)

// waitMail waits until the server holds n messages.
func waitMail(t *testing.T, smtp *notifytest.SMTPServer, n int) []notifytest.Message {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for len(smtp.Messages()) < n {
		select {
		case <-smtp.Received():
		case <-deadline:
			t.Fatalf("waited for %d messages, got %d", n, len(smtp.Messages()))
		}
	}
	return smtp.Messages()
}

func auditHas(t *testing.T, db *store.DB, ws int64, action string) store.AuditEntry {
	t.Helper()
	entries, _, err := db.AuditEntries(context.Background(), ws, store.AuditFilter{Action: action, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		t.Fatalf("no %s entry in the audit log of workspace %d", action, ws)
	}
	return entries[0]
}

func TestInvitationHappyPath(t *testing.T) {
	f := newFixture(t)
	smtp := f.withMailer()
	admin := f.loggedIn(store.RoleAdmin)
	res := admin.postForm("/settings/users", "/settings/users/invite", url.Values{"email": {" Nina@Example.com "}, "role": {store.RoleAgent}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings/users?ok=invited" {
		t.Fatalf("invite: %d %s\n%s", res.StatusCode, res.Header.Get("Location"), res.Body)
	}
	msgs := waitMail(t, smtp, 1)
	if len(msgs[0].To) != 1 || msgs[0].To[0] != "nina@example.com" || !strings.Contains(msgs[0].Subject, "Acme Retail") {
		t.Fatalf("mail: to %v subject %q", msgs[0].To, msgs[0].Subject)
	}
	m := inviteLinkRe.FindStringSubmatch(msgs[0].Body)
	if m == nil {
		t.Fatalf("no invitation link in the mail:\n%s", msgs[0].Body)
	}
	token := m[1]
	// Hashed at rest: the token itself finds nothing.
	if _, err := f.db.MemberInvitationByToken(context.Background(), token); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the raw token is stored: %v", err)
	}
	page := admin.get("/settings/users?ok=invited")
	mustContain(t, page.Body, "Invitation sent.", "nina@example.com")
	mustNotContain(t, page.Body, token)

	guest := f.client()
	page = guest.get("/invite/" + token)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("invitation page: %d", page.StatusCode)
	}
	mustContain(t, page.Body, "Join Acme Retail", "admin@example.com invites you to join as Agent", "nina@example.com")
	form := url.Values{"name": {"Nina"}, "password": {"a long new password"}, "confirm": {"a long new passwor"}, "csrf": {csrfFrom(t, page.Body)}}
	if res := guest.post("/invite/"+token, form); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "The two passwords differ.") {
		t.Fatalf("mismatched passwords: %d", res.StatusCode)
	}
	form.Set("confirm", "a long new password")
	res = guest.post("/invite/"+token, form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("accept: %d\n%s", res.StatusCode, res.Body)
	}
	home := guest.get("/")
	if home.StatusCode != http.StatusOK {
		t.Fatalf("home after joining: %d", home.StatusCode)
	}
	mustContain(t, home.Body, "Nina", "Acme Retail")
	u, err := f.db.UserByEmail(context.Background(), "nina@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if role, _ := f.db.Role(context.Background(), f.wsA.ID, u.ID); role != store.RoleAgent {
		t.Fatalf("role %q, want agent", role)
	}
	if err := auth.CheckPassword(u.PasswordHash, "a long new password"); err != nil {
		t.Fatal("the chosen password does not work")
	}
	// One use only.
	other := f.client()
	if res := other.get("/invite/" + token); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "already been used") {
		t.Fatalf("used invitation page: %d", res.StatusCode)
	}
	page = other.get("/login")
	form.Set("csrf", csrfFrom(t, page.Body))
	if res := other.post("/invite/"+token, form); res.StatusCode != http.StatusGone || other.sessionCookie() != nil {
		t.Fatalf("used invitation accepted again: %d", res.StatusCode)
	}
	if e := auditHas(t, f.db, f.wsA.ID, "member.invite"); e.Actor != "admin@example.com" || e.Details["email"] != "nina@example.com" {
		t.Fatalf("audit invite: %+v", e)
	}
	if e := auditHas(t, f.db, f.wsA.ID, "member.join"); e.Actor != "nina@example.com" {
		t.Fatalf("audit join: %+v", e)
	}
	mustContain(t, admin.get("/settings/users").Body, "No open invitations.", "nina@example.com")
}

// TestInvitationWithoutMailerAndExistingAccount: without a mail server the
// admin gets the link on the page; a person who already has an account
// joins with their password and lands in the new workspace.
func TestInvitationWithoutMailerAndExistingAccount(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	hash, _ := auth.HashPassword(testPassword)
	outsider, err := f.db.CreateUser(ctx, "olga@globex.example", "Olga", hash, "en")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.AddMember(ctx, f.wsB.ID, outsider.ID, store.RoleOwner); err != nil {
		t.Fatal(err)
	}
	owner := f.loggedIn(store.RoleOwner)
	res := owner.postForm("/settings/users", "/settings/users/invite", url.Values{"email": {"olga@globex.example"}, "role": {store.RoleViewer}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("invite without mailer: %d", res.StatusCode)
	}
	mustContain(t, res.Body, "no mail server configured", "Invitation for olga@globex.example")
	m := inviteLinkRe.FindStringSubmatch(res.Body)
	if m == nil {
		t.Fatal("the invitation link is not on the page")
	}
	token := m[1]
	mustNotContain(t, owner.get("/settings/users").Body, token)

	guest := f.client()
	page := guest.get("/invite/" + token)
	mustContain(t, page.Body, "You already have a Vox account")
	mustNotContain(t, page.Body, `name="name"`)
	form := url.Values{"password": {"wrong password!"}, "csrf": {csrfFrom(t, page.Body)}}
	if res := guest.post("/invite/"+token, form); res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Body, "Wrong password.") {
		t.Fatalf("wrong password: %d", res.StatusCode)
	}
	form.Set("password", testPassword)
	if res := guest.post("/invite/"+token, form); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("join with existing account: %d\n%s", res.StatusCode, res.Body)
	}
	home := guest.get("/")
	mustContain(t, home.Body, "Acme Retail", "Globex Bank") // now in A, with a switcher to B
	if role, _ := f.db.Role(ctx, f.wsA.ID, outsider.ID); role != store.RoleViewer {
		t.Fatalf("role in A: %q", role)
	}
	if role, _ := f.db.Role(ctx, f.wsB.ID, outsider.ID); role != store.RoleOwner {
		t.Fatalf("role in B changed: %q", role)
	}
}

func TestInvitationExpiredRevokedAndScoped(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.loggedIn(store.RoleAdmin)
	invite := func(email string) string {
		res := admin.postForm("/settings/users", "/settings/users/invite", url.Values{"email": {email}, "role": {store.RoleViewer}})
		m := inviteLinkRe.FindStringSubmatch(res.Body)
		if m == nil {
			t.Fatalf("invite %s: %d, no link", email, res.StatusCode)
		}
		return m[1]
	}
	expiring := invite("late@example.com")
	f.clock.Advance(invitationTTL + time.Minute)
	admin = f.loggedIn(store.RoleAdmin) // a week outlives the admin's session too
	guest := f.client()
	page := guest.get("/invite/" + expiring)
	if page.StatusCode != http.StatusGone || !strings.Contains(page.Body, "This invitation has expired.") {
		t.Fatalf("expired invitation: %d", page.StatusCode)
	}
	lp := guest.get("/login")
	form := url.Values{"name": {"Late"}, "password": {"a long new password"}, "confirm": {"a long new password"}, "csrf": {csrfFrom(t, lp.Body)}}
	if res := guest.post("/invite/"+expiring, form); res.StatusCode != http.StatusGone {
		t.Fatalf("expired invitation accepted: %d", res.StatusCode)
	}
	if _, err := f.db.UserByEmail(ctx, "late@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("an expired invitation created an account")
	}
	if res := guest.get("/invite/not-a-real-token"); res.StatusCode != http.StatusNotFound || !strings.Contains(res.Body, "not valid") {
		t.Fatalf("unknown token: %d", res.StatusCode)
	}

	revoked := invite("rev@example.com")
	inv, err := f.db.MemberInvitationByToken(ctx, auth.HashToken(revoked))
	if err != nil {
		t.Fatal(err)
	}
	// Workspace B's invitation cannot be revoked from A.
	invB, err := f.db.CreateMemberInvitation(ctx, f.wsB.ID, "b@example.com", store.RoleViewer, "hash-b", f.clock.Now(),
		f.clock.Now().Add(time.Hour), store.AuditActor{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if res := admin.postForm("/settings/users", fmt.Sprintf("/settings/invitations/%d/revoke", invB.ID), nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("revoking B's invitation from A: %d", res.StatusCode)
	}
	if got, _ := f.db.MemberInvitationByToken(ctx, "hash-b"); got.RevokedAt != nil {
		t.Fatal("B's invitation was revoked")
	}
	if res := admin.postForm("/settings/users", fmt.Sprintf("/settings/invitations/%d/revoke", inv.ID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if res := guest.get("/invite/" + revoked); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "withdrawn") {
		t.Fatalf("revoked invitation: %d", res.StatusCode)
	}
	auditHas(t, f.db, f.wsA.ID, "member.invite_revoke")
}

func TestInviteFormRules(t *testing.T) {
	f := newFixture(t)
	admin := f.loggedIn(store.RoleAdmin)
	for _, c := range []struct {
		email, role string
		status      int
		says        string
	}{
		{"not an email", store.RoleViewer, http.StatusBadRequest, "Enter one valid email address."},
		{"Eve <eve@example.com>", store.RoleViewer, http.StatusBadRequest, "Enter one valid email address."},
		{"eve@example.com", "root", http.StatusBadRequest, "Choose a role."},
		{"eve@example.com", store.RoleOwner, http.StatusForbidden, "Only an owner can grant the owner role"},
		{"agent@example.com", store.RoleViewer, http.StatusConflict, "already a member"},
	} {
		res := admin.postForm("/settings/users", "/settings/users/invite", url.Values{"email": {c.email}, "role": {c.role}})
		if res.StatusCode != c.status || !strings.Contains(res.Body, c.says) {
			t.Errorf("invite %q as %q: %d, want %d with %q", c.email, c.role, res.StatusCode, c.status, c.says)
		}
	}
	if invs, _ := f.db.OpenMemberInvitations(context.Background(), f.wsA.ID, 10); len(invs) != 0 {
		t.Fatalf("refused invitations were stored: %+v", invs)
	}
	// An owner may invite an owner.
	owner := f.loggedIn(store.RoleOwner)
	if res := owner.postForm("/settings/users", "/settings/users/invite", url.Values{"email": {"co@example.com"}, "role": {store.RoleOwner}}); res.StatusCode != http.StatusOK {
		t.Fatalf("owner invites owner: %d", res.StatusCode)
	}
}

func TestMemberRolesAndRemoval(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.loggedIn(store.RoleAdmin)
	agentID, ownerID := f.users[store.RoleAgent].ID, f.users[store.RoleOwner].ID
	role := func(id int64) string {
		r, _ := f.db.Role(ctx, f.wsA.ID, id)
		return r
	}
	res := admin.postForm("/settings/users", fmt.Sprintf("/settings/users/%d/role", agentID), url.Values{"role": {store.RoleManager}})
	if res.StatusCode != http.StatusSeeOther || role(agentID) != store.RoleManager {
		t.Fatalf("admin changes agent: %d, role %q", res.StatusCode, role(agentID))
	}
	if e := auditHas(t, f.db, f.wsA.ID, "member.role"); e.Details["from"] != "agent" || e.Details["to"] != "manager" || e.Actor != "admin@example.com" {
		t.Fatalf("audit: %+v", e)
	}
	// An admin cannot touch an owner, nor make anyone owner.
	res = admin.postForm("/settings/users", fmt.Sprintf("/settings/users/%d/role", ownerID), url.Values{"role": {store.RoleViewer}})
	if res.StatusCode != http.StatusForbidden || !strings.Contains(res.Body, "Only an owner") || role(ownerID) != store.RoleOwner {
		t.Fatalf("admin demotes owner: %d, role %q", res.StatusCode, role(ownerID))
	}
	if res := admin.postForm("/settings/users", fmt.Sprintf("/settings/users/%d/remove", ownerID), nil); res.StatusCode != http.StatusForbidden || role(ownerID) != store.RoleOwner {
		t.Fatalf("admin removes owner: %d", res.StatusCode)
	}
	if res := admin.postForm("/settings/users", fmt.Sprintf("/settings/users/%d/role", agentID), url.Values{"role": {store.RoleOwner}}); res.StatusCode != http.StatusForbidden || role(agentID) != store.RoleManager {
		t.Fatalf("admin grants owner: %d", res.StatusCode)
	}
	// The admin's page offers no control over the owner's row.
	page := admin.get("/settings/users")
	mustNotContain(t, page.Body, fmt.Sprintf("/settings/users/%d/role", ownerID))
	mustContain(t, page.Body, fmt.Sprintf("/settings/users/%d/role", agentID))

	// The last owner can neither step down nor leave.
	owner := f.loggedIn(store.RoleOwner)
	res = owner.postForm("/settings/users", fmt.Sprintf("/settings/users/%d/role", ownerID), url.Values{"role": {store.RoleAdmin}})
	if res.StatusCode != http.StatusConflict || !strings.Contains(res.Body, "at least one owner") || role(ownerID) != store.RoleOwner {
		t.Fatalf("last owner steps down: %d", res.StatusCode)
	}
	if res := owner.postForm("/settings/users", fmt.Sprintf("/settings/users/%d/remove", ownerID), nil); res.StatusCode != http.StatusConflict || role(ownerID) != store.RoleOwner {
		t.Fatalf("last owner leaves: %d", res.StatusCode)
	}

	// Another workspace's user is not found here.
	hash, _ := auth.HashPassword(testPassword)
	outsider, err := f.db.CreateUser(ctx, "bee@globex.example", "Bee", hash, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.AddMember(ctx, f.wsB.ID, outsider.ID, store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"role", "remove"} {
		res := owner.postForm("/settings/users", fmt.Sprintf("/settings/users/%d/%s", outsider.ID, action), url.Values{"role": {store.RoleAdmin}})
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("%s of B's member from A: %d", action, res.StatusCode)
		}
	}
	if r, _ := f.db.Role(ctx, f.wsB.ID, outsider.ID); r != store.RoleViewer {
		t.Fatalf("B's member changed: %q", r)
	}
	if res := owner.postForm("/settings/users", "/settings/users/abc/remove", nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("malformed id: %d", res.StatusCode)
	}

	// Removal signs the member out of the workspace at once.
	viewer := f.loggedIn(store.RoleViewer)
	if res := owner.postForm("/settings/users", fmt.Sprintf("/settings/users/%d/remove", f.users[store.RoleViewer].ID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("remove viewer: %d", res.StatusCode)
	}
	if res := viewer.get("/"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
		t.Fatalf("removed member still in: %d", res.StatusCode)
	}
	if e := auditHas(t, f.db, f.wsA.ID, "member.remove"); e.Details["email"] != "viewer@example.com" {
		t.Fatalf("audit remove: %+v", e)
	}
	// Promote a second owner; now the first may step down.
	if res := owner.postForm("/settings/users", fmt.Sprintf("/settings/users/%d/role", agentID), url.Values{"role": {store.RoleOwner}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("owner promotes: %d", res.StatusCode)
	}
	if res := owner.postForm("/settings/users", fmt.Sprintf("/settings/users/%d/role", ownerID), url.Values{"role": {store.RoleAdmin}}); res.StatusCode != http.StatusSeeOther || role(ownerID) != store.RoleAdmin {
		t.Fatalf("owner steps down with another owner: %d", res.StatusCode)
	}
}

// TestAccountPagesRoles: roles without the permission get 403 on every
// account page and action, and nothing changes.
func TestAccountPagesRoles(t *testing.T) {
	f := newFixture(t)
	paths := []struct {
		method, path string
		perm         string
	}{
		{"GET", "/settings/users", "users"},
		{"POST", "/settings/users/invite", "users"},
		{"POST", fmt.Sprintf("/settings/users/%d/role", f.users[store.RoleAgent].ID), "users"},
		{"POST", fmt.Sprintf("/settings/users/%d/remove", f.users[store.RoleAgent].ID), "users"},
		{"POST", fmt.Sprintf("/settings/users/%d/employee", f.users[store.RoleEmployee].ID), "users"},
		{"POST", "/settings/invitations/1/revoke", "users"},
		{"GET", "/settings/api-keys", "keys"},
		{"POST", "/settings/api-keys", "keys"},
		{"POST", "/settings/api-keys/1/revoke", "keys"},
		{"GET", "/settings/audit", "audit"},
	}
	for _, role := range []string{store.RoleManager, store.RoleAgent, store.RoleViewer, store.RoleEmployee} {
		c := f.loggedIn(role)
		csrf := csrfFrom(t, c.get("/").Body)
		for _, p := range paths {
			var res response
			if p.method == "GET" {
				res = c.get(p.path)
			} else {
				res = c.post(p.path, url.Values{"csrf": {csrf}, "email": {"x@example.com"}, "role": {store.RoleOwner}, "name": {"k"}})
			}
			if res.StatusCode != http.StatusForbidden {
				t.Errorf("%s %s %s: %d, want 403", role, p.method, p.path, res.StatusCode)
			}
		}
	}
	if r, _ := f.db.Role(context.Background(), f.wsA.ID, f.users[store.RoleAgent].ID); r != store.RoleAgent {
		t.Fatalf("a refused request changed a role: %q", r)
	}
	if keys, _ := f.db.APIKeyInfos(context.Background(), f.wsA.ID); len(keys) != 0 {
		t.Fatal("a refused request created a key")
	}
}

// TestAccountFormsNeedCSRF posts every account form without its token, and
// with a foreign Origin: 403, nothing stored.
func TestAccountFormsNeedCSRF(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	token, _ := auth.NewToken()
	if _, err := f.db.CreateMemberInvitation(ctx, f.wsA.ID, "csrf@example.com", store.RoleViewer, auth.HashToken(token), f.clock.Now(),
		f.clock.Now().Add(time.Hour), store.AuditActor{Name: "t"}); err != nil {
		t.Fatal(err)
	}
	owner := f.loggedIn(store.RoleOwner)
	goodCSRF := csrfFrom(t, owner.get("/").Body)
	forms := []struct {
		path string
		form url.Values
	}{
		{"/settings/users/invite", url.Values{"email": {"e@example.com"}, "role": {store.RoleViewer}}},
		{fmt.Sprintf("/settings/users/%d/role", f.users[store.RoleAgent].ID), url.Values{"role": {store.RoleViewer}}},
		{fmt.Sprintf("/settings/users/%d/remove", f.users[store.RoleAgent].ID), url.Values{}},
		{"/settings/api-keys", url.Values{"name": {"k"}}},
		{"/invite/" + token, url.Values{"name": {"N"}, "password": {"a long new password"}, "confirm": {"a long new password"}}},
		{"/password/forgot", url.Values{"email": {"agent@example.com"}}},
		{"/password/reset/x", url.Values{"password": {"a long new password"}, "confirm": {"a long new password"}}},
	}
	for _, fm := range forms {
		if res := owner.post(fm.path, fm.form); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without CSRF: %d", fm.path, res.StatusCode)
		}
		fm.form.Set("csrf", goodCSRF)
		req, _ := http.NewRequest("POST", f.http.URL+fm.path, strings.NewReader(fm.form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		if res := owner.do(req); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s from another origin: %d", fm.path, res.StatusCode)
		}
	}
	if r, _ := f.db.Role(ctx, f.wsA.ID, f.users[store.RoleAgent].ID); r != store.RoleAgent {
		t.Fatal("a forged request changed a role")
	}
	if _, err := f.db.UserByEmail(ctx, "csrf@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Fatal("a forged request accepted an invitation")
	}
	if invs, _ := f.db.OpenMemberInvitations(ctx, f.wsA.ID, 10); len(invs) != 1 {
		t.Fatalf("a forged request changed invitations: %d", len(invs))
	}
}

func TestPasswordResetFlow(t *testing.T) {
	f := newFixture(t)
	smtp := f.withMailer()
	ctx := context.Background()
	// The agent is signed in somewhere (perhaps by a thief).
	old := f.loggedIn(store.RoleAgent)

	page := f.client().get("/login")
	mustContain(t, page.Body, `href="/password/forgot"`, "Forgot password?")

	forgot := func(c *client, email string) response {
		t.Helper()
		return c.postForm("/password/forgot", "/password/forgot", url.Values{"email": {email}})
	}
	anon := f.client()
	known := forgot(anon, "Agent@Example.com")
	f.srv.accounts.mail.Wait()
	unknown := forgot(anon, "nobody@example.com")
	f.srv.accounts.mail.Wait()
	if known.StatusCode != http.StatusOK || unknown.StatusCode != http.StatusOK {
		t.Fatalf("forgot: %d / %d", known.StatusCode, unknown.StatusCode)
	}
	// The same answer whether or not the account exists.
	if strings.ReplaceAll(known.Body, "agent@example.com", "X") != strings.ReplaceAll(unknown.Body, "nobody@example.com", "X") {
		t.Fatal("the answer differs for a known and an unknown email")
	}
	mustContain(t, known.Body, "a link to reset its password is on its way")
	msgs := smtp.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "agent@example.com" {
		t.Fatalf("mails: %+v (only the known account gets one)", msgs)
	}
	m := resetLinkRe.FindStringSubmatch(msgs[0].Body)
	if m == nil {
		t.Fatalf("no reset link in:\n%s", msgs[0].Body)
	}
	link := "/password/reset/" + m[1]

	c := f.client()
	page = c.get(link)
	if page.StatusCode != http.StatusOK {
		t.Fatalf("reset page: %d", page.StatusCode)
	}
	form := url.Values{"password": {"short"}, "confirm": {"short"}, "csrf": {csrfFrom(t, page.Body)}}
	if res := c.post(link, form); res.StatusCode != http.StatusBadRequest || !strings.Contains(res.Body, "too short") {
		t.Fatalf("short password: %d", res.StatusCode)
	}
	form.Set("password", "brand new passphrase")
	form.Set("confirm", "brand new passphrase")
	res := c.post(link, form)
	if res.StatusCode != http.StatusOK || !strings.Contains(res.Body, "Your password is changed") {
		t.Fatalf("reset: %d\n%s", res.StatusCode, res.Body)
	}
	// Every old session is over.
	if res := old.get("/"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("old session after reset: %d", res.StatusCode)
	}
	// Single use.
	if res := c.get(link); res.StatusCode != http.StatusGone {
		t.Fatalf("used link: %d", res.StatusCode)
	}
	if res := c.post(link, form); res.StatusCode != http.StatusGone {
		t.Fatalf("used link posted: %d", res.StatusCode)
	}
	if res := f.client().login("agent@example.com", testPassword); res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("old password still works: %d", res.StatusCode)
	}
	if res := f.client().login("agent@example.com", "brand new passphrase"); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("new password: %d", res.StatusCode)
	}
	auditHas(t, f.db, f.wsA.ID, "user.password_reset")

	// An expired link does nothing.
	forgot(anon, "viewer@example.com")
	f.srv.accounts.mail.Wait()
	msgs = waitMail(t, smtp, 2)
	m = resetLinkRe.FindStringSubmatch(msgs[1].Body)
	f.clock.Advance(passwordResetTTL + time.Second)
	if res := c.get("/password/reset/" + m[1]); res.StatusCode != http.StatusGone || !strings.Contains(res.Body, "not valid") {
		t.Fatalf("expired link: %d", res.StatusCode)
	}
	u, _ := f.db.UserByEmail(ctx, "viewer@example.com")
	if auth.CheckPassword(u.PasswordHash, testPassword) != nil {
		t.Fatal("an expired link changed the password")
	}
}

func TestPasswordResetThrottles(t *testing.T) {
	f := newFixture(t)
	smtp := f.withMailer()
	c := f.client()
	csrf := csrfFrom(t, c.get("/password/forgot").Body)
	statuses := map[int]int{}
	for i := 0; i < resetIPMax+2; i++ {
		res := c.post("/password/forgot", url.Values{"email": {"manager@example.com"}, "csrf": {csrf}})
		statuses[res.StatusCode]++
		if res.StatusCode == http.StatusTooManyRequests {
			mustContain(t, res.Body, "Too many requests")
		}
	}
	f.srv.accounts.mail.Wait()
	if statuses[http.StatusOK] != resetIPMax || statuses[http.StatusTooManyRequests] != 2 {
		t.Fatalf("statuses: %v", statuses)
	}
	// However many requests got through, one account gets at most resetAccountMax mails an hour.
	if n := len(smtp.Messages()); n != resetAccountMax {
		t.Fatalf("%d reset mails sent to one account, want %d", n, resetAccountMax)
	}
}

func TestPasswordResetWithoutMailer(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	page := c.get("/password/forgot")
	if page.StatusCode != http.StatusServiceUnavailable || !strings.Contains(page.Body, "cannot send email") {
		t.Fatalf("forgot page without mailer: %d", page.StatusCode)
	}
	mustNotContain(t, page.Body, `action="/password/forgot"`)
}

func TestAPIKeyLifecycle(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	apiSrv := httptest.NewServer(api.New(f.db, &ingest.Service{DB: f.db}, nil, nil).Handler())
	t.Cleanup(apiSrv.Close)
	call := func(key string) int {
		req, _ := http.NewRequest("GET", apiSrv.URL+"/api/v1/feedback", nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	admin := f.loggedIn(store.RoleAdmin)
	if res := admin.postForm("/settings/api-keys", "/settings/api-keys", url.Values{"name": {"  "}}); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("empty name: %d", res.StatusCode)
	}
	res := admin.postForm("/settings/api-keys", "/settings/api-keys", url.Values{"name": {"CRM <sync>"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("create: %d", res.StatusCode)
	}
	secret := apiSecretRe.FindString(res.Body)
	if secret == "" {
		t.Fatal("the new key is not shown")
	}
	mustContain(t, res.Body, "CRM &lt;sync&gt;", "the only time it is shown")
	mustNotContain(t, res.Body, "CRM <sync>")
	if got := call(secret); got != http.StatusOK {
		t.Fatalf("API with the new key: %d", got)
	}
	list := admin.get("/settings/api-keys")
	mustNotContain(t, list.Body, secret)
	mustContain(t, list.Body, secret[:12], "admin@example.com")

	// B's key cannot be revoked from A.
	kB, secretB, err := f.db.CreateAPIKey(ctx, f.wsB.ID, "B")
	if err != nil {
		t.Fatal(err)
	}
	if res := admin.postForm("/settings/api-keys", fmt.Sprintf("/settings/api-keys/%d/revoke", kB.ID), nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("revoke B's key from A: %d", res.StatusCode)
	}
	mustNotContain(t, admin.get("/settings/api-keys").Body, kB.Prefix)
	if got := call(secretB); got != http.StatusOK {
		t.Fatalf("B's key after a refused revoke: %d", got)
	}

	keys, _ := f.db.APIKeyInfos(ctx, f.wsA.ID)
	res = admin.postForm("/settings/api-keys", fmt.Sprintf("/settings/api-keys/%d/revoke", keys[0].ID), nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", res.StatusCode)
	}
	if got := call(secret); got != http.StatusUnauthorized {
		t.Fatalf("API with a revoked key: %d", got)
	}
	if res := admin.postForm("/settings/api-keys", fmt.Sprintf("/settings/api-keys/%d/revoke", keys[0].ID), nil); res.StatusCode != http.StatusNotFound {
		t.Fatalf("second revoke: %d", res.StatusCode)
	}
	mustContain(t, admin.get("/settings/api-keys?ok=revoked").Body, "Revoked ", "requests with it now get 401")
	auditHas(t, f.db, f.wsA.ID, "apikey.create")
	auditHas(t, f.db, f.wsA.ID, "apikey.revoke")

	// A key whose creator was demoted stops working, and the page says so.
	u, err := f.db.CreateUser(ctx, "leaver@example.com", "Leaver", "x", "")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.AddMember(ctx, f.wsA.ID, u.ID, store.RoleAdmin); err != nil {
		t.Fatal(err)
	}
	_, leaverKey, err := f.db.CreateAPIKeyAudited(ctx, f.wsA.ID, "leaver's key", time.Now(), store.AuditActor{UserID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	mustNotContain(t, admin.get("/settings/api-keys").Body, "data-inactive")
	if err := f.db.ChangeMemberRole(ctx, f.wsA.ID, u.ID, store.RoleViewer, store.AuditActor{Name: "test"}, func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if got := call(leaverKey); got != http.StatusForbidden {
		t.Fatalf("API with a demoted admin's key: %d", got)
	}
	mustContain(t, admin.get("/settings/api-keys").Body, "data-inactive", "its creator is no longer an owner or admin")
}

func TestAuditPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i := 0; i < 60; i++ {
		if err := f.db.Audit(ctx, store.AuditEntry{WorkspaceID: f.wsA.ID, Actor: "bot@example.com", Action: "customer.merge",
			ObjectType: "customer", ObjectID: int64(1000 + i), Details: map[string]any{"from": i}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.db.Audit(ctx, store.AuditEntry{WorkspaceID: f.wsA.ID, Actor: `<img src=x onerror=alert(1)>`, Action: "member.role",
		ObjectType: "user", ObjectID: 5, Details: map[string]any{"note": "<b>bold</b>"}}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.Audit(ctx, store.AuditEntry{WorkspaceID: f.wsB.ID, Actor: "spy@globex.example", Action: "member.role"}); err != nil {
		t.Fatal(err)
	}
	auditor := f.loggedIn(store.RoleAdmin)
	page := auditor.get("/settings/audit")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("audit page: %d", page.StatusCode)
	}
	mustContain(t, page.Body, "&lt;img src=x onerror=alert(1)&gt;", "&lt;b&gt;bold&lt;/b&gt;", "Role changed", "Signed in")
	mustNotContain(t, page.Body, "<img src=x", "<b>bold", "spy@globex.example")
	if n := strings.Count(page.Body, "<tr data-entry="); n != auditPageSize {
		t.Fatalf("first page has %d entries, want %d", n, auditPageSize)
	}
	next := regexp.MustCompile(`href="(/settings/audit\?before=\d+)" rel="next"`).FindStringSubmatch(page.Body)
	if next == nil {
		t.Fatal("no next page link")
	}
	page2 := auditor.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	total := auditPageSize + strings.Count(page2.Body, "<tr data-entry=")
	entries, _, _ := f.db.AuditEntries(ctx, f.wsA.ID, store.AuditFilter{Limit: 1000})
	if all := len(entries); total != all {
		t.Fatalf("two pages show %d entries, the workspace has %d", total, all)
	}
	mustContain(t, page2.Body, "customer #1000")

	filtered := auditor.get("/settings/audit?action=member.role")
	if n := strings.Count(filtered.Body, "<tr data-entry="); n != 1 {
		t.Fatalf("action filter: %d rows", n)
	}
	byActor := auditor.get("/settings/audit?actor=ADMIN%40example")
	mustContain(t, byActor.Body, "admin@example.com")
	mustNotContain(t, byActor.Body, "bot@example.com")
	if res := auditor.get("/settings/audit?from=" + time.Now().AddDate(0, 0, 2).Format(time.DateOnly)); strings.Count(res.Body, "<tr data-entry=") != 0 {
		t.Fatal("from filter in the future still lists entries")
	}
	for _, bad := range []string{"?from=yesterday", "?to=2026-13-01", "?before=-1", "?before=x"} {
		if res := auditor.get("/settings/audit" + bad); res.StatusCode != http.StatusBadRequest {
			t.Errorf("audit%s: %d, want 400", bad, res.StatusCode)
		}
	}
}

func TestLinkMemberToEmployee(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	now := time.Now()
	if _, err := f.db.InsertFeedback(ctx, f.wsA.ID, []store.NewFeedback{
		{Item: store.FeedbackItem{Kind: "review", Channel: "store", Text: "Olga was very helpful", OccurredAt: now},
			Employee: store.EmployeeInput{ExternalID: "E1", Name: "Olga"}},
		{Item: store.FeedbackItem{Kind: "review", Channel: "store", Text: "Ivan was rude", OccurredAt: now},
			Employee: store.EmployeeInput{ExternalID: "E2", Name: "Ivan"}},
	}, nil); err != nil {
		t.Fatal(err)
	}
	otherEmp, err := f.db.UpsertEmployee(ctx, f.wsB.ID, store.EmployeeInput{ExternalID: "B1", Name: "Globex clerk"})
	if err != nil {
		t.Fatal(err)
	}
	emps, _ := f.db.Employees(ctx, f.wsA.ID)
	var olga int64
	for _, e := range emps {
		if e.Name == "Olga" {
			olga = e.ID
		}
	}
	empUser := f.users[store.RoleEmployee].ID
	admin := f.loggedIn(store.RoleAdmin)
	page := admin.get("/settings/users")
	mustContain(t, page.Body, fmt.Sprintf(`action="/settings/users/%d/employee"`, empUser), "Olga", "Ivan")
	mustNotContain(t, page.Body, "Globex clerk")
	path := fmt.Sprintf("/settings/users/%d/employee", empUser)
	if res := admin.postForm("/settings/users", path, url.Values{"employee_id": {fmt.Sprint(otherEmp)}}); res.StatusCode != http.StatusNotFound {
		t.Fatalf("linking B's employee: %d", res.StatusCode)
	}
	if res := admin.postForm("/settings/users", path, url.Values{"employee_id": {"x"}}); res.StatusCode != http.StatusBadRequest {
		t.Fatalf("bad employee id: %d", res.StatusCode)
	}
	if res := admin.postForm("/settings/users", path, url.Values{"employee_id": {fmt.Sprint(olga)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("link: %d", res.StatusCode)
	}
	feed := f.loggedIn(store.RoleEmployee).get("/feedback")
	mustContain(t, feed.Body, "Olga was very helpful")
	mustNotContain(t, feed.Body, "Ivan was rude")
	if e := auditHas(t, f.db, f.wsA.ID, "member.employee"); e.Details["employee"] != "Olga" {
		t.Fatalf("audit: %+v", e)
	}
}
