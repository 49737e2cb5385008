package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestPrivacyAPI exports and erases a person through the API: bad input is
// 400 naming the field, a key made by a non-admin is 403, another
// workspace's person with the same email is neither shown nor touched, and
// a search afterwards finds nothing.
func TestPrivacyAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		other, otherKey := e.otherWorkspace("globex")
		post := `{"text":"quokka: курьер опоздал","nps":2,"channel":"email","customer":{"email":"Anna@Example.com","name":"Anna Petrova"}}`
		if r := e.do("POST", "/api/v1/feedback", post); r.Status != 201 && r.Status != 200 {
			t.Fatalf("post feedback: %d %s", r.Status, r.Raw)
		}
		if r := e.doKey(otherKey, "POST", "/api/v1/feedback", post); r.Status != 201 && r.Status != 200 {
			t.Fatalf("post feedback: %d %s", r.Status, r.Raw)
		}
		anna, err := db.FindCustomerByIdentity(ctx, e.ws.ID, "email", "anna@example.com")
		if err != nil {
			t.Fatal(err)
		}
		otherAnna, err := db.FindCustomerByIdentity(ctx, other.ID, "email", "anna@example.com")
		if err != nil {
			t.Fatal(err)
		}
		path := func(id int64, action string) string { return fmt.Sprintf("/api/v1/customers/%d/%s", id, action) }

		r := e.do("GET", path(anna, "export"), nil)
		if r.Status != 200 || !strings.Contains(string(r.Raw), "quokka") || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %s", r.Status, r.Raw)
		}
		if fb, _ := r.JSON["feedback"].([]any); len(fb) != 1 {
			t.Errorf("export feedback: %v", r.JSON["feedback"])
		}
		r = e.do("POST", "/api/v1/privacy/export", `{"email":" ANNA@example.com "}`)
		if r.Status != 200 || r.JSON["customer_id"] != float64(anna) {
			t.Errorf("export by email: %d %s", r.Status, r.Raw)
		}
		// Another workspace's id is not found, whoever asks.
		if r := e.do("GET", path(otherAnna, "export"), nil); r.Status != 404 {
			t.Errorf("export of another workspace's customer: %d", r.Status)
		}
		if r := e.do("POST", path(otherAnna, "erase"), fmt.Sprintf(`{"confirm":%d}`, otherAnna)); r.Status != 404 {
			t.Errorf("erase of another workspace's customer: %d", r.Status)
		}

		bad := []struct{ method, path, body, field string }{
			{"POST", "/api/v1/privacy/export", `{}`, "email"},
			{"POST", "/api/v1/privacy/export", `{"email":"a@b.c","phone":"+7900"}`, "phone"},
			{"POST", "/api/v1/privacy/export", `{"emali":"a@b.c"}`, "emali"},
			{"POST", "/api/v1/privacy/export", `{"phone":"call me"}`, "phone"},
			{"POST", path(anna, "erase"), `{}`, "confirm"},
			{"POST", path(anna, "erase"), `{"confirm":"yes"}`, "confirm"},
			{"POST", path(anna, "erase"), fmt.Sprintf(`{"confirm":%d}`, anna+1000), "confirm"},
			{"POST", path(anna, "erase"), `{"confirm":` + fmt.Sprint(anna) + `,"force":true}`, "force"},
			{"PUT", "/api/v1/privacy/retention", `{"days":-1}`, "days"},
			{"PUT", "/api/v1/privacy/retention", `{"days":40000}`, "days"},
			{"PUT", "/api/v1/privacy/retention", `{"surveys":{}}`, "days"},
			{"PUT", "/api/v1/privacy/retention", `{"days":30,"surveys":{"abc":1}}`, "surveys.abc"},
			{"PUT", "/api/v1/privacy/retention", `{"days":30,"surveys":{"424242":1}}`, "surveys.424242"},
			{"PUT", "/api/v1/privacy/retention", `{"days":"30"}`, "days"},
		}
		for _, b := range bad {
			if r := e.do(b.method, b.path, b.body); r.Status != 400 || r.ErrorField() != b.field {
				t.Errorf("%s %s %s: %d field %q, want 400 field %q (%s)", b.method, b.path, b.body, r.Status, r.ErrorField(), b.field, r.Raw)
			}
		}
		if r := e.do("POST", "/api/v1/privacy/export", `{"email":"nobody@example.com"}`); r.Status != 404 {
			t.Errorf("export of nobody: %d", r.Status)
		}

		// Keys act with their creator's role: an agent's key may do none of it.
		hash := "x"
		for _, role := range []string{store.RoleAgent, store.RoleAdmin} {
			u, err := db.CreateUser(ctx, role+"@acme.test", role, hash, "")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.AddMember(ctx, e.ws.ID, u.ID, role); err != nil {
				t.Fatal(err)
			}
			_, key, err := db.CreateAPIKeyAudited(ctx, e.ws.ID, role+" key", nowUTC(), store.AuditActor{UserID: u.ID, Name: role})
			if err != nil {
				t.Fatal(err)
			}
			want := 403
			if role == store.RoleAdmin {
				want = 200
			}
			for _, c := range []struct{ method, path, body string }{{"GET", path(anna, "export"), ""},
				{"POST", "/api/v1/privacy/export", `{"email":"anna@example.com"}`}, {"GET", "/api/v1/privacy/retention", ""},
				{"PUT", "/api/v1/privacy/retention", `{"days":0}`}} {
				var body any
				if c.body != "" {
					body = c.body
				}
				if r := e.doKey(key, c.method, c.path, body); r.Status != want {
					t.Errorf("%s key: %s %s: %d, want %d", role, c.method, c.path, r.Status, want)
				}
			}
			if role == store.RoleAgent {
				if r := e.doKey(key, "POST", path(anna, "erase"), fmt.Sprintf(`{"confirm":%d}`, anna)); r.Status != 403 || r.ErrorCode() != "key_creator_lost_access" {
					t.Errorf("agent key erase: %d %s", r.Status, r.Raw)
				}
			}
		}

		r = e.do("POST", path(anna, "erase"), fmt.Sprintf(`{"confirm":"%d"}`, anna))
		if r.Status != 200 || r.JSON["feedback"] != float64(1) || r.JSON["already_erased"] != nil {
			t.Fatalf("erase: %d %s", r.Status, r.Raw)
		}
		for _, q := range []string{"quokka", "anna", "Petrova"} {
			if r := e.do("GET", "/api/v1/feedback?q="+q, nil); r.Status != 200 || len(r.JSON["items"].([]any)) != 0 {
				t.Errorf("search %q after erase: %s", q, r.Raw)
			}
		}
		if r := e.do("GET", "/api/v1/customers/"+fmt.Sprint(anna), nil); r.Status != 404 {
			t.Errorf("erased customer: %d", r.Status)
		}
		r = e.do("POST", path(anna, "erase"), fmt.Sprintf(`{"confirm":%d}`, anna))
		if r.Status != 200 || r.JSON["already_erased"] != true {
			t.Errorf("erase retried: %d %s", r.Status, r.Raw)
		}
		// The other workspace's Anna is untouched.
		if r := e.doKey(otherKey, "GET", "/api/v1/feedback?q=quokka", nil); r.Status != 200 || len(r.JSON["items"].([]any)) != 1 {
			t.Errorf("other workspace after erase: %s", r.Raw)
		}

		// Retention round trip.
		sid, err := db.CreateSurvey(ctx, e.ws.ID, store.SurveyInput{Name: "s", Status: "live", Definition: "{}", Settings: "{}"})
		if err != nil {
			t.Fatal(err)
		}
		r = e.do("PUT", "/api/v1/privacy/retention", fmt.Sprintf(`{"days":365,"surveys":{"%d":0}}`, sid))
		if r.Status != 200 || r.JSON["days"] != float64(365) || r.JSON["surveys"].(map[string]any)[fmt.Sprint(sid)] != float64(0) {
			t.Errorf("put retention: %d %s", r.Status, r.Raw)
		}
		if r := e.do("GET", "/api/v1/privacy/retention", nil); r.JSON["days"] != float64(365) {
			t.Errorf("get retention: %s", r.Raw)
		}
		if r := e.doKey(otherKey, "GET", "/api/v1/privacy/retention", nil); r.JSON["days"] != float64(0) {
			t.Errorf("other workspace's retention: %s", r.Raw)
		}
	})
}

func nowUTC() time.Time { return time.Now().UTC() }
