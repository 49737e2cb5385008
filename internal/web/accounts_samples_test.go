package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
)

// Sample data of the account pages for TestEveryTemplateRenders, and every
// state of each page for TestAccountPagesRenderEveryState.

const hostile = `<script>alert(1)</script>`

func sampleTabs() []accountTab {
	return []accountTab{{Key: "users", Href: "/settings/users", Active: true}, {Key: "apikeys", Href: "/settings/api-keys"},
		{Key: "audit", Href: "/settings/audit"}}
}

func sampleUsers(at time.Time) usersData {
	by := int64(1)
	return usersData{Tabs: sampleTabs(), Roles: store.Roles, Email: "new@example.com", Role: store.RoleAgent,
		Error: "account.users.error.last_owner", Notice: "account.users.notice.role",
		Link: "http://vox.test/invite/abc", LinkReason: "account.users.link.no_mailer", LinkEmail: "new@example.com", MailerOff: true,
		Members: []memberRow{
			{Member: store.Member{UserID: 1, Email: "owner@example.com", Name: "Ольга " + hostile, Role: store.RoleOwner, JoinedAt: at}, Self: true, Editable: true},
			{Member: store.Member{UserID: 2, Email: "wang@example.com", Name: "王伟", Role: store.RoleAgent, JoinedAt: at, Disabled: true}, Editable: true},
			{Member: store.Member{UserID: 3, Email: "boss@example.com", Role: store.RoleOwner, JoinedAt: at}},
			{Member: store.Member{UserID: 6, Email: "olga@example.com", Name: "Olga", Role: store.RoleEmployee, JoinedAt: at}, Editable: true, EmployeeID: 11},
		},
		Employees: []store.Employee{{ID: 11, Name: "Olga " + hostile, Team: "Store 5"}, {ID: 12, Name: "Иван"}},
		Invitations: []invitationRow{
			{MemberInvitation: store.MemberInvitation{ID: 4, Email: "late@example.com", Role: store.RoleViewer, InvitedBy: &by,
				InvitedByEmail: "owner@example.com", ExpiresAt: at.Add(-time.Hour)}, Expired: true},
			{MemberInvitation: store.MemberInvitation{ID: 5, Email: "anna@example.com", Role: store.RoleEmployee, ExpiresAt: at.Add(time.Hour)}},
		}}
}

func sampleInvite() inviteData {
	return inviteData{State: store.MemberInvitationPending, Action: "/invite/abc", Workspace: "Acme " + hostile,
		Email: "new@example.com", Role: store.RoleAgent, Inviter: "owner@example.com", Name: "Нина", Error: "account.password.too_short", MinLen: 10}
}

func sampleAPIKeys(at time.Time) apiKeysData {
	revoked := at.Add(time.Hour)
	return apiKeysData{Tabs: sampleTabs(), Secret: "vox_secretsecret", Created: "CRM " + hostile, Notice: "account.apikeys.notice.revoked",
		Error: "account.apikeys.error.name", Name: "x", APIBase: "http://vox.test/api/v1",
		Keys: []apiKeyRow{
			{APIKeyInfo: store.APIKeyInfo{APIKey: store.APIKey{ID: 1, Name: "CRM " + hostile, Prefix: "vox_abcdefgh", CreatedAt: at}, CreatedByEmail: "owner@example.com", LastUsedAt: &at}},
			{APIKeyInfo: store.APIKeyInfo{APIKey: store.APIKey{ID: 3, Name: "left", Prefix: "vox_yyyyyyyy", CreatedAt: at}, CreatedByEmail: "gone@example.com"}, Inactive: true},
			{APIKeyInfo: store.APIKeyInfo{APIKey: store.APIKey{ID: 2, Name: "old", Prefix: "vox_zzzzzzzz", CreatedAt: at, RevokedAt: &revoked}}},
		}}
}

func sampleAudit(at time.Time) auditData {
	uid := int64(1)
	return auditData{Tabs: sampleTabs(), Actor: "owner", Action: "member.role", From: "2026-05-01", To: "2026-05-14",
		Actions: []string{"member.role", "custom.thing"}, Filtered: true, NextURL: "/settings/audit?before=3", FirstURL: "/settings/audit",
		Entries: []auditRow{
			{AuditEntry: store.AuditEntry{ID: 9, UserID: &uid, Actor: "owner@example.com", Action: "member.role", ObjectType: "user", ObjectID: 2, CreatedAt: at},
				Details: []auditDetail{{Key: "from", Value: "agent"}, {Key: "to", Value: "admin"}}},
			{AuditEntry: store.AuditEntry{ID: 8, Actor: hostile, Action: "custom.thing", CreatedAt: at}, Details: []auditDetail{{Key: "note", Value: hostile}}},
		}}
}

// TestAccountPagesRenderEveryState renders each state of the account pages
// in every language: no message key leaks, untrusted text is escaped.
func TestAccountPagesRenderEveryState(t *testing.T) {
	f := newFixture(t)
	at := time.Date(2026, 5, 14, 9, 30, 0, 0, time.UTC)
	existing, disabled := sampleInvite(), sampleInvite()
	existing.Existing, disabled.Existing, disabled.Disabled = true, true, true
	cases := []struct {
		page string
		data any
	}{
		{"users", sampleUsers(at)},
		{"users", usersData{Tabs: sampleTabs(), Link: "http://x/invite/y", LinkReason: "account.users.link.send_failed"}},
		{"invite", sampleInvite()},
		{"invite", existing},
		{"invite", disabled},
		{"password_forgot", forgotData{}},
		{"password_forgot", forgotData{Error: "account.forgot.error.throttled", Email: hostile}},
		{"password_forgot", forgotData{Sent: true, Email: hostile, Minutes: 60}},
		{"password_forgot", forgotData{MailerOff: true}},
		{"password_reset", resetData{State: "form", MinLen: 10}},
		{"password_reset", resetData{State: "done"}},
		{"password_reset", resetData{State: "invalid"}},
		{"apikeys", sampleAPIKeys(at)},
		{"apikeys", apiKeysData{}},
		{"audit", sampleAudit(at)},
		{"audit", auditData{}},
	}
	for _, state := range []string{"invalid", store.MemberInvitationAccepted, store.MemberInvitationExpired, store.MemberInvitationRevoked} {
		cases = append(cases, struct {
			page string
			data any
		}{"invite", inviteData{State: state}})
	}
	keys := f.srv.cat["en"]
	for i, c := range cases {
		for _, lang := range languages {
			rc := &reqCtx{L: f.srv.cat.localizer(lang, time.UTC), CSRF: "tok", Session: &store.WebSession{},
				User: store.User{ID: 1, Email: "owner@example.com"}, Role: store.RoleOwner, Workspace: store.Workspace{ID: 1, Name: "Acme"}}
			rec := httptest.NewRecorder()
			f.srv.render(rec, httptest.NewRequest("GET", "/x", nil), rc, http.StatusOK, c.page, "settings", "T", c.data)
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, "</html>") {
				t.Fatalf("case %d %s/%s: status %d\n%s", i, c.page, lang, rec.Code, body)
			}
			for k := range keys {
				if strings.Contains(body, ">"+k+"<") || strings.Contains(body, `"`+k+`"`) || strings.Contains(body, "> "+k) {
					t.Errorf("case %d %s/%s: untranslated key %q", i, c.page, lang, k)
				}
			}
			if m := regexp.MustCompile(`account\.[a-z_]+\.[a-z_.]+`).FindString(body); m != "" {
				t.Errorf("case %d %s/%s: key %q in output", i, c.page, lang, m)
			}
			if strings.Contains(body, "<script>alert") || strings.Contains(body, "%!") {
				t.Errorf("case %d %s/%s: unescaped text or bad format verb", i, c.page, lang)
			}
		}
	}
}

// TestAccountKeysExist checks the catalog keys the account handlers name
// as plain strings (error and notice fields, tabs, audit actions).
func TestAccountKeysExist(t *testing.T) {
	cat, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	keyRe := regexp.MustCompile(`"(account\.[a-z0-9_.]+)"`)
	for _, file := range []string{"account.go", "users.go", "invite.go", "password_reset.go", "apikeys.go", "audit.go"} {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range keyRe.FindAllStringSubmatch(string(b), -1) {
			if _, ok := cat["en"][m[1]]; !ok {
				t.Errorf("%s names %q, which is not in the catalog", file, m[1])
			}
		}
	}
	var dynamic []string
	for _, tab := range []string{"users", "apikeys", "audit"} {
		dynamic = append(dynamic, "account.tab."+tab)
	}
	for _, st := range []string{"invalid", store.MemberInvitationAccepted, store.MemberInvitationExpired, store.MemberInvitationRevoked} {
		dynamic = append(dynamic, "account.invite.state."+st)
	}
	for _, a := range []string{"user.login", "member.employee", "member.invite", "member.invite_revoke", "member.join", "member.role", "member.remove",
		"apikey.create", "apikey.revoke", "user.password_reset", "customer.merge", "journey.update", "currency.update"} {
		dynamic = append(dynamic, "account.action."+a)
	}
	for _, k := range dynamic {
		if _, ok := cat["en"][k]; !ok {
			t.Errorf("catalog lacks %q", k)
		}
	}
}
