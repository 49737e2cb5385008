package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

func mustUser(t *testing.T, db *store.DB, email string) store.User {
	t.Helper()
	u, err := db.CreateUser(context.Background(), email, email, "hash-of-"+email, "en")
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func mustMember(t *testing.T, db *store.DB, ws store.Workspace, email, role string) store.User {
	t.Helper()
	u := mustUser(t, db, email)
	if err := db.AddMember(context.Background(), ws.ID, u.ID, role); err != nil {
		t.Fatal(err)
	}
	return u
}

func auditActions(t *testing.T, db *store.DB, ws int64) []string {
	t.Helper()
	entries, _, err := db.AuditEntries(context.Background(), ws, store.AuditFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Action)
	}
	return out
}

func TestMemberRolesKeepAnOwner(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "acme")
		other := mustWorkspace(t, db, "globex")
		owner := mustMember(t, db, ws, "owner@example.com", store.RoleOwner)
		agent := mustMember(t, db, ws, "agent@example.com", store.RoleAgent)
		actor := store.AuditActor{UserID: owner.ID, Name: owner.Email}

		members, err := db.Members(ctx, ws.ID)
		if err != nil || len(members) != 2 || members[0].Email != "agent@example.com" || members[1].Role != store.RoleOwner {
			t.Fatalf("members: %+v %v", members, err)
		}
		if err := db.ChangeMemberRole(ctx, ws.ID, owner.ID, store.RoleAdmin, actor, nil); !errors.Is(err, store.ErrLastOwner) {
			t.Fatalf("demoting the last owner: %v", err)
		}
		if err := db.RemoveMember(ctx, ws.ID, owner.ID, actor, nil); !errors.Is(err, store.ErrLastOwner) {
			t.Fatalf("removing the last owner: %v", err)
		}
		if err := db.ChangeMemberRole(ctx, ws.ID, agent.ID, "root", actor, nil); err == nil {
			t.Fatal("unknown role accepted")
		}
		// Another workspace's member is not found here.
		if err := db.ChangeMemberRole(ctx, other.ID, agent.ID, store.RoleViewer, actor, nil); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("cross-workspace role change: %v", err)
		}
		// The caller's policy sees the current role and can refuse.
		refuse := errors.New("refused")
		if err := db.ChangeMemberRole(ctx, ws.ID, agent.ID, store.RoleViewer, actor, func(cur string) error {
			if cur != store.RoleAgent {
				t.Errorf("policy saw role %q", cur)
			}
			return refuse
		}); !errors.Is(err, refuse) {
			t.Fatalf("policy refusal: %v", err)
		}
		if err := db.ChangeMemberRole(ctx, ws.ID, agent.ID, store.RoleOwner, actor, nil); err != nil {
			t.Fatal(err)
		}
		// With two owners, one may step down; then the other is the last.
		if err := db.ChangeMemberRole(ctx, ws.ID, owner.ID, store.RoleViewer, actor, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.ChangeMemberRole(ctx, ws.ID, agent.ID, store.RoleAdmin, actor, nil); !errors.Is(err, store.ErrLastOwner) {
			t.Fatalf("demoting the new last owner: %v", err)
		}
		if role, _ := db.Role(ctx, ws.ID, agent.ID); role != store.RoleOwner {
			t.Fatalf("role after refused change: %q", role)
		}

		// Removal ends the user's sessions in the workspace and keeps the account.
		if err := db.CreateSession(ctx, store.WebSession{TokenHash: "t1", UserID: owner.ID, WorkspaceID: ws.ID, CSRFToken: "c",
			CreatedAt: time.Now(), LastSeenAt: time.Now(), ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveMember(ctx, ws.ID, owner.ID, actor, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Role(ctx, ws.ID, owner.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("membership after removal: %v", err)
		}
		if _, err := db.SessionByTokenHash(ctx, "t1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("session after removal: %v", err)
		}
		if _, err := db.User(ctx, owner.ID); err != nil {
			t.Fatalf("the account must stay: %v", err)
		}
		got := auditActions(t, db, ws.ID)
		want := []string{"member.remove", "member.role", "member.role"}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
			t.Fatalf("audit: %v, want %v", got, want)
		}
		if n := auditActions(t, db, other.ID); len(n) != 0 {
			t.Fatalf("audit leaked into another workspace: %v", n)
		}
	})
}

// TestLastOwnerUnderConcurrency has two owners demote each other at once:
// exactly one may win, whatever the engine's isolation.
func TestLastOwnerUnderConcurrency(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		for round := 0; round < 20; round++ {
			ws := mustWorkspace(t, db, fmt.Sprintf("ws%d", round))
			a := mustMember(t, db, ws, fmt.Sprintf("a%d@example.com", round), store.RoleOwner)
			b := mustMember(t, db, ws, fmt.Sprintf("b%d@example.com", round), store.RoleOwner)
			var wg sync.WaitGroup
			start := make(chan struct{})
			errs := make([]error, 2)
			for i, u := range []store.User{a, b} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					errs[i] = db.ChangeMemberRole(ctx, ws.ID, u.ID, store.RoleViewer, store.AuditActor{Name: "t"}, nil)
				}()
			}
			close(start)
			wg.Wait()
			members, err := db.Members(ctx, ws.ID)
			if err != nil {
				t.Fatal(err)
			}
			owners := 0
			for _, m := range members {
				if m.Role == store.RoleOwner {
					owners++
				}
			}
			if owners != 1 {
				t.Fatalf("round %d: owners after concurrent demotions: %d (errors %v)", round, owners, errs)
			}
		}
	})
}

func TestMemberInvitations(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "acme")
		other := mustWorkspace(t, db, "globex")
		admin := mustMember(t, db, ws, "admin@example.com", store.RoleAdmin)
		actor := store.AuditActor{UserID: admin.ID, Name: admin.Email}
		now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		week := now.Add(7 * 24 * time.Hour)

		inv, err := db.CreateMemberInvitation(ctx, ws.ID, " New@Example.com ", store.RoleAgent, "hash-new", now, week, actor)
		if err != nil {
			t.Fatal(err)
		}
		if inv.Email != "new@example.com" || inv.InvitedByEmail != admin.Email || inv.State(now) != store.MemberInvitationPending {
			t.Fatalf("invitation: %+v", inv)
		}
		if _, err := db.CreateMemberInvitation(ctx, ws.ID, "x@example.com", "root", "hash-x", now, week, actor); err == nil {
			t.Fatal("unknown role accepted")
		}
		open, err := db.OpenMemberInvitations(ctx, ws.ID, 10)
		if err != nil || len(open) != 1 || open[0].ID != inv.ID {
			t.Fatalf("open invitations: %+v %v", open, err)
		}
		if open, _ := db.OpenMemberInvitations(ctx, other.ID, 10); len(open) != 0 {
			t.Fatal("another workspace sees the invitation")
		}
		if _, err := db.MemberInvitationByToken(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}

		// A new account: created with the invited email and role, once.
		_, u, err := db.AcceptMemberInvitation(ctx, store.InvitationAcceptance{TokenHash: "hash-new", Now: now.Add(time.Hour),
			Name: "Nina", PasswordHash: "h", Lang: "ru"})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "new@example.com" || u.Name != "Nina" {
			t.Fatalf("new user: %+v", u)
		}
		if role, err := db.Role(ctx, ws.ID, u.ID); err != nil || role != store.RoleAgent {
			t.Fatalf("role: %q %v", role, err)
		}
		_, _, err = db.AcceptMemberInvitation(ctx, store.InvitationAcceptance{TokenHash: "hash-new", Now: now.Add(time.Hour),
			Name: "Eve", PasswordHash: "h"})
		if !errors.Is(err, store.ErrTokenSpent) {
			t.Fatalf("second use: %v", err)
		}
		if got, _ := db.MemberInvitationByToken(ctx, "hash-new"); got.State(now) != store.MemberInvitationAccepted || got.AcceptedBy == nil || *got.AcceptedBy != u.ID {
			t.Fatalf("accepted invitation: %+v", got)
		}

		// An expired invitation is spent.
		if _, err := db.CreateMemberInvitation(ctx, ws.ID, "late@example.com", store.RoleViewer, "hash-late", now, week, actor); err != nil {
			t.Fatal(err)
		}
		_, _, err = db.AcceptMemberInvitation(ctx, store.InvitationAcceptance{TokenHash: "hash-late", Now: week, Name: "L", PasswordHash: "h"})
		if !errors.Is(err, store.ErrTokenSpent) {
			t.Fatalf("expired: %v", err)
		}
		if _, err := db.UserByEmail(ctx, "late@example.com"); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("an expired invitation created an account")
		}

		// An existing account joins as itself only, and keeps a higher role it already has.
		if _, err := db.CreateMemberInvitation(ctx, ws.ID, admin.Email, store.RoleViewer, "hash-admin", now, week, actor); err != nil {
			t.Fatal(err)
		}
		_, _, err = db.AcceptMemberInvitation(ctx, store.InvitationAcceptance{TokenHash: "hash-admin", Now: now, Name: "X", PasswordHash: "h"})
		if !errors.Is(err, store.ErrAccountExists) {
			t.Fatalf("new account over an existing one: %v", err)
		}
		if _, err := db.CreateMemberInvitation(ctx, ws.ID, admin.Email, store.RoleViewer, "hash-admin2", now, week, actor); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AcceptMemberInvitation(ctx, store.InvitationAcceptance{TokenHash: "hash-admin2", Now: now, UserID: admin.ID}); err != nil {
			t.Fatal(err)
		}
		if role, _ := db.Role(ctx, ws.ID, admin.ID); role != store.RoleAdmin {
			t.Fatalf("existing member's role changed to %q", role)
		}

		// Revocation: only in its own workspace, only once, and it spends the token.
		inv, err = db.CreateMemberInvitation(ctx, ws.ID, "rev@example.com", store.RoleViewer, "hash-rev", now, week, actor)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeMemberInvitation(ctx, other.ID, inv.ID, now, actor); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("cross-workspace revoke: %v", err)
		}
		if err := db.RevokeMemberInvitation(ctx, ws.ID, inv.ID, now, actor); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeMemberInvitation(ctx, ws.ID, inv.ID, now, actor); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second revoke: %v", err)
		}
		_, _, err = db.AcceptMemberInvitation(ctx, store.InvitationAcceptance{TokenHash: "hash-rev", Now: now, Name: "R", PasswordHash: "h"})
		if !errors.Is(err, store.ErrTokenSpent) {
			t.Fatalf("revoked: %v", err)
		}
		actions := auditActions(t, db, ws.ID)
		for _, want := range []string{"member.invite", "member.join", "member.invite_revoke"} {
			found := false
			for _, a := range actions {
				found = found || a == want
			}
			if !found {
				t.Errorf("audit lacks %s: %v", want, actions)
			}
		}
	})
}

// TestInvitationSingleUseUnderConcurrency posts one token from many
// browsers at once: one account, one membership.
func TestInvitationSingleUseUnderConcurrency(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "acme")
		now := time.Now()
		if _, err := db.CreateMemberInvitation(ctx, ws.ID, "race@example.com", store.RoleViewer, "hash-race", now, now.Add(time.Hour),
			store.AuditActor{Name: "t"}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok := 0
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, _, err := db.AcceptMemberInvitation(ctx, store.InvitationAcceptance{TokenHash: "hash-race", Now: now, Name: "R", PasswordHash: "h"})
				if err == nil {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if ok != 1 {
			t.Fatalf("%d acceptances succeeded, want 1", ok)
		}
	})
}

func TestPasswordResets(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "acme")
		ws2 := mustWorkspace(t, db, "globex")
		u := mustMember(t, db, ws, "u@example.com", store.RoleAgent)
		if err := db.AddMember(ctx, ws2.ID, u.ID, store.RoleViewer); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		hour := now.Add(time.Hour)
		for i, h := range []string{"r1", "r2", "r3"} {
			created, err := db.CreatePasswordReset(ctx, u.ID, h, now, hour, now.Add(-time.Hour), 3)
			if err != nil || !created {
				t.Fatalf("reset %d: %v %v", i, created, err)
			}
		}
		if created, err := db.CreatePasswordReset(ctx, u.ID, "r4", now, hour, now.Add(-time.Hour), 3); err != nil || created {
			t.Fatalf("fourth reset within the hour: created=%v %v", created, err)
		}
		if id, err := db.PasswordResetUser(ctx, "r1", now); err != nil || id != u.ID {
			t.Fatalf("reset user: %d %v", id, err)
		}
		if _, err := db.PasswordResetUser(ctx, "r1", hour); !errors.Is(err, store.ErrTokenSpent) {
			t.Fatalf("expired reset: %v", err)
		}
		if _, err := db.PasswordResetUser(ctx, "r4", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown reset: %v", err)
		}
		for _, tok := range []string{"s1", "s2"} {
			if err := db.CreateSession(ctx, store.WebSession{TokenHash: tok, UserID: u.ID, WorkspaceID: ws.ID, CSRFToken: "c",
				CreatedAt: now, LastSeenAt: now, ExpiresAt: hour}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := db.ResetPassword(ctx, "r2", "new-hash", hour); !errors.Is(err, store.ErrTokenSpent) {
			t.Fatalf("reset with an expired token: %v", err)
		}
		got, err := db.ResetPassword(ctx, "r2", "new-hash", now)
		if err != nil || got.ID != u.ID || got.PasswordHash != "new-hash" {
			t.Fatalf("reset: %+v %v", got, err)
		}
		if _, err := db.SessionByTokenHash(ctx, "s1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("sessions survived a password reset")
		}
		for _, h := range []string{"r2", "r3"} {
			if _, err := db.ResetPassword(ctx, h, "other", now); !errors.Is(err, store.ErrTokenSpent) {
				t.Fatalf("token %s after a reset: %v", h, err)
			}
		}
		if _, err := db.ResetPassword(ctx, "zzz", "other", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown token: %v", err)
		}
		for _, w := range []int64{ws.ID, ws2.ID} {
			if a := auditActions(t, db, w); len(a) != 1 || a[0] != "user.password_reset" {
				t.Fatalf("audit of workspace %d: %v", w, a)
			}
		}
		// Rows older than a day go, so the hourly count starts afresh.
		later := now.Add(48 * time.Hour)
		if created, err := db.CreatePasswordReset(ctx, u.ID, "r5", later, later.Add(time.Hour), later.Add(-time.Hour), 3); err != nil || !created {
			t.Fatalf("reset two days later: %v %v", created, err)
		}
		if _, err := db.PasswordResetUser(ctx, "r1", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("old reset rows kept: %v", err)
		}
	})
}

func TestAuditedAPIKeys(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "acme")
		other := mustWorkspace(t, db, "globex")
		admin := mustMember(t, db, ws, "admin@example.com", store.RoleAdmin)
		actor := store.AuditActor{UserID: admin.ID, Name: admin.Email}
		now := time.Now()
		if _, _, err := db.CreateAPIKeyAudited(ctx, ws.ID, "  ", now, actor); err == nil {
			t.Fatal("empty key name accepted")
		}
		k, secret, err := db.CreateAPIKeyAudited(ctx, ws.ID, "CRM sync", now, actor)
		if err != nil {
			t.Fatal(err)
		}
		if got, err := db.WorkspaceForAPIKey(ctx, secret); err != nil || got != ws.ID {
			t.Fatalf("key authenticates to %d: %v", got, err)
		}
		if _, _, err := db.CreateAPIKey(ctx, ws.ID, "seeded"); err != nil {
			t.Fatal(err)
		}
		keys, err := db.APIKeyInfos(ctx, ws.ID)
		if err != nil || len(keys) != 2 || keys[1].ID != k.ID || keys[1].CreatedByEmail != admin.Email || keys[0].CreatedByEmail != "" {
			t.Fatalf("keys: %+v %v", keys, err)
		}
		if keys, _ := db.APIKeyInfos(ctx, other.ID); len(keys) != 0 {
			t.Fatal("another workspace lists the key")
		}
		if err := db.RevokeAPIKeyAudited(ctx, other.ID, k.ID, now, actor); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("cross-workspace revoke: %v", err)
		}
		if err := db.RevokeAPIKeyAudited(ctx, ws.ID, k.ID, now, actor); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeAPIKeyAudited(ctx, ws.ID, k.ID, now, actor); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("second revoke: %v", err)
		}
		if _, err := db.WorkspaceForAPIKey(ctx, secret); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoked key: %v", err)
		}
		keys, _ = db.APIKeyInfos(ctx, ws.ID)
		if keys[len(keys)-1].RevokedAt == nil {
			t.Fatalf("revoked keys are listed last: %+v", keys)
		}
		if a := auditActions(t, db, ws.ID); len(a) != 2 || a[0] != "apikey.revoke" || a[1] != "apikey.create" {
			t.Fatalf("audit: %v", a)
		}
	})
}

func TestAuditEntriesFilterAndPages(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "acme")
		other := mustWorkspace(t, db, "globex")
		for i := 0; i < 25; i++ {
			actor, action := "anna@example.com", "customer.merge"
			if i%5 == 0 {
				actor, action = "100%_boris@example.com", "member.role"
			}
			if err := db.Audit(ctx, store.AuditEntry{WorkspaceID: ws.ID, Actor: actor, Action: action, ObjectType: "x", ObjectID: int64(i)}); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Audit(ctx, store.AuditEntry{WorkspaceID: other.ID, Actor: "anna@example.com", Action: "secret.other"}); err != nil {
			t.Fatal(err)
		}
		var seen []int64
		var before int64
		for page := 0; ; page++ {
			entries, next, err := db.AuditEntries(ctx, ws.ID, store.AuditFilter{Limit: 10, Before: before})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range entries {
				seen = append(seen, e.ObjectID)
				if e.Action == "secret.other" {
					t.Fatal("another workspace's entry listed")
				}
			}
			if next == 0 {
				break
			}
			before = next
		}
		if len(seen) != 25 || seen[0] != 24 || seen[24] != 0 {
			t.Fatalf("pages gave %v", seen)
		}
		// % and _ in the actor filter are literal, case does not matter.
		entries, _, err := db.AuditEntries(ctx, ws.ID, store.AuditFilter{Actor: "100%_BORIS", Limit: 100})
		if err != nil || len(entries) != 5 {
			t.Fatalf("actor filter: %d %v", len(entries), err)
		}
		if entries, _, _ := db.AuditEntries(ctx, ws.ID, store.AuditFilter{Actor: "1000", Limit: 100}); len(entries) != 0 {
			t.Fatalf("LIKE wildcards not escaped: %d", len(entries))
		}
		entries, _, err = db.AuditEntries(ctx, ws.ID, store.AuditFilter{Action: "customer.merge", Limit: 100})
		if err != nil || len(entries) != 20 {
			t.Fatalf("action filter: %d %v", len(entries), err)
		}
		now := time.Now()
		if entries, _, _ := db.AuditEntries(ctx, ws.ID, store.AuditFilter{From: now.Add(time.Hour), Limit: 100}); len(entries) != 0 {
			t.Fatalf("from filter: %d", len(entries))
		}
		if entries, _, _ := db.AuditEntries(ctx, ws.ID, store.AuditFilter{From: now.Add(-time.Hour), To: now.Add(time.Hour), Limit: 100}); len(entries) != 25 {
			t.Fatalf("time window: %d", len(entries))
		}
		actions, err := db.AuditActions(ctx, ws.ID)
		if err != nil || len(actions) != 2 || actions[0] != "customer.merge" {
			t.Fatalf("actions: %v %v", actions, err)
		}
	})
}

func TestSetMemberEmployee(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "acme")
		other := mustWorkspace(t, db, "globex")
		u := mustMember(t, db, ws, "olga@example.com", store.RoleEmployee)
		actor := store.AuditActor{Name: "admin@example.com"}
		e1, err := db.UpsertEmployee(ctx, ws.ID, store.EmployeeInput{ExternalID: "E1", Name: "Olga"})
		if err != nil {
			t.Fatal(err)
		}
		e2, _ := db.UpsertEmployee(ctx, ws.ID, store.EmployeeInput{ExternalID: "E2", Name: "Ivan"})
		eB, _ := db.UpsertEmployee(ctx, other.ID, store.EmployeeInput{ExternalID: "E1", Name: "Other"})
		if err := db.SetMemberEmployee(ctx, ws.ID, u.ID, e1, actor); err != nil {
			t.Fatal(err)
		}
		if id, _ := db.EmployeeIDForUser(ctx, ws.ID, u.ID); id != e1 {
			t.Fatalf("linked to %d, want %d", id, e1)
		}
		if err := db.SetMemberEmployee(ctx, ws.ID, u.ID, e2, actor); err != nil {
			t.Fatal(err)
		}
		emps, _ := db.Employees(ctx, ws.ID)
		for _, e := range emps {
			if (e.UserID != nil) != (e.ID == e2) {
				t.Fatalf("after relinking: %+v", emps)
			}
		}
		if err := db.SetMemberEmployee(ctx, ws.ID, u.ID, eB, actor); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another workspace's employee: %v", err)
		}
		if id, _ := db.EmployeeIDForUser(ctx, ws.ID, u.ID); id != e2 {
			t.Fatal("a refused link dropped the earlier one")
		}
		if err := db.SetMemberEmployee(ctx, other.ID, u.ID, eB, actor); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("not a member of the workspace: %v", err)
		}
		if err := db.SetMemberEmployee(ctx, ws.ID, u.ID, 0, actor); err != nil {
			t.Fatal(err)
		}
		if _, err := db.EmployeeIDForUser(ctx, ws.ID, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after unlinking: %v", err)
		}
	})
}
