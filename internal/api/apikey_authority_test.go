package api_test

import (
	"context"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestKeyActsWithItsCreatorsRole checks that an API key works only while its
// creator is an owner or admin of the workspace: an admin's key works; once
// the admin is demoted to viewer, or removed, every route answers 403 with
// a code that says why; a key made without a user (demo, CLI) keeps working.
func TestKeyActsWithItsCreatorsRole(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		allow := func(string) error { return nil }
		keyOf := func(email, role string) (int64, string) {
			u, err := db.CreateUser(ctx, email, email, "x", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.AddMember(ctx, e.ws.ID, u.ID, role); err != nil {
				t.Fatal(err)
			}
			_, key, err := db.CreateAPIKeyAudited(ctx, e.ws.ID, email, time.Now(), store.AuditActor{UserID: u.ID, Name: email})
			if err != nil {
				t.Fatal(err)
			}
			return u.ID, key
		}
		keyOf("owner@acme.test", store.RoleOwner) // so that the removed owner is not the last one
		demoted, demotedKey := keyOf("demoted@acme.test", store.RoleAdmin)
		removed, removedKey := keyOf("removed@acme.test", store.RoleOwner)
		_, stayingKey := keyOf("staying@acme.test", store.RoleAdmin)
		check := func(when, key string, want int, code string) {
			t.Helper()
			for _, c := range []struct{ method, path, body string }{
				{"GET", "/api/v1/feedback", ""},
				{"POST", "/api/v1/feedback", `{"items":[{"kind":"review","channel":"web","text":"ok"}]}`},
			} {
				var body any
				if c.body != "" {
					body = c.body
				}
				r := e.doKey(key, c.method, c.path, body)
				if r.Status != want && !(want == 200 && r.Status == 201) || (code != "" && r.ErrorCode() != code) {
					t.Errorf("%s: %s %s: %d %s, want %d %s", when, c.method, c.path, r.Status, r.Raw, want, code)
				}
			}
		}
		check("admin's key", demotedKey, 200, "")
		check("owner's key", removedKey, 200, "")
		actor := store.AuditActor{Name: "test"}
		if err := db.ChangeMemberRole(ctx, e.ws.ID, demoted, store.RoleViewer, actor, allow); err != nil {
			t.Fatal(err)
		}
		if err := db.RemoveMember(ctx, e.ws.ID, removed, actor, allow); err != nil {
			t.Fatal(err)
		}
		check("key of an admin demoted to viewer", demotedKey, 403, "key_creator_lost_access")
		check("key of an owner removed from the workspace", removedKey, 403, "key_creator_lost_access")
		check("key of an admin still there", stayingKey, 200, "")
		check("key made without a user", e.key, 200, "")
	})
}
