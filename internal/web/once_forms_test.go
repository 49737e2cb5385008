package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"vox/internal/store"
)

var onceField = regexp.MustCompile(`name="once" value="([^"]+)"`)

// TestSingleUseForms: reloading the answer to a "shown once" form (a new API
// key) replays its POST; the replay is refused with a notice instead of
// minting a second key, and a key claimed by a failed action is given back.
func TestSingleUseForms(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := f.loggedIn(store.RoleAdmin)
	page := admin.get("/settings/api-keys").Body
	m := onceField.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the API key form has no single-use key")
	}
	form := url.Values{"name": {"CRM"}, "once": {m[1]}, "csrf": {csrfFrom(t, page)}}

	// A failed action (the webhook does not exist) must not spend the key.
	if res := admin.post("/settings/webhooks/999999/rotate", form); res.StatusCode != http.StatusNotFound {
		t.Fatalf("rotate of a missing webhook: %d", res.StatusCode)
	}
	if res := admin.post("/settings/api-keys", form); res.StatusCode != http.StatusOK || apiSecretRe.FindString(res.Body) == "" {
		t.Fatalf("create after the failed use of the key: %d", res.StatusCode)
	}
	res := admin.post("/settings/api-keys", form)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings/api-keys?replayed=1" {
		t.Fatalf("replay: %d → %q", res.StatusCode, res.Header.Get("Location"))
	}
	if keys, err := f.db.APIKeyInfos(ctx, f.wsA.ID); err != nil || len(keys) != 1 {
		t.Fatalf("keys after a replay: %d, %v", len(keys), err)
	}
	mustContain(t, admin.get("/settings/api-keys?replayed=1").Body, "This form had already been sent")

	// The same key in another workspace is another claim.
	if ok, err := f.db.ClaimFormKey(ctx, f.wsB.ID, m[1], f.srv.now()); err != nil || !ok {
		t.Fatalf("claim in workspace B: %v, %v", ok, err)
	}
}
