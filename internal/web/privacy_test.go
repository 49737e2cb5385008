package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
)

// TestCustomerExportAndErase walks the GDPR buttons of the customer page:
// only owners and admins see and use them, the export is a JSON download
// of the person, a wrong confirmation erases nothing, and after the erase
// the feedback search and the customer page find nothing — while another
// workspace's customer with the same email stays.
func TestCustomerExportAndErase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.seedFeedback(f.wsA.ID, "anna@example.com", store.FeedbackItem{Kind: "review", Channel: "web", Text: "capybara courier was late <b>x</b>",
		NPS: ptr(2), OccurredAt: time.Now()})
	f.seedFeedback(f.wsB.ID, "anna@example.com", store.FeedbackItem{Kind: "review", Channel: "web", Text: "capybara in globex", OccurredAt: time.Now()})
	id, err := f.db.FindCustomerByIdentity(ctx, f.wsA.ID, "email", "anna@example.com")
	if err != nil {
		t.Fatal(err)
	}
	otherID, err := f.db.FindCustomerByIdentity(ctx, f.wsB.ID, "email", "anna@example.com")
	if err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/customers/%d", id)

	for _, role := range []string{"manager", "agent", "viewer"} {
		c := f.loggedIn(role)
		mustNotContain(t, c.get(page).Body, "/erase", "/export")
		if res := c.post(page+"/erase", url.Values{"confirm": {fmt.Sprint(id)}, "csrf": {csrfFrom(t, c.get(page).Body)}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s erased: %d", role, res.StatusCode)
		}
	}
	admin := f.loggedIn("admin")
	mustContain(t, admin.get(page).Body, page+"/export", page+"/erase")
	ex := admin.get(page + "/export")
	if ex.StatusCode != 200 || !strings.HasPrefix(ex.Header.Get("Content-Type"), "application/json") ||
		!strings.Contains(ex.Header.Get("Content-Disposition"), "attachment") || !strings.Contains(ex.Body, "capybara courier") ||
		strings.Contains(ex.Body, "globex") {
		t.Fatalf("export: %d %s\n%s", ex.StatusCode, ex.Header, ex.Body)
	}
	// Another workspace's customer is not found from this one.
	if res := admin.get(fmt.Sprintf("/customers/%d/export", otherID)); otherID != id && res.StatusCode != http.StatusNotFound {
		t.Errorf("export of another workspace's customer: %d", res.StatusCode)
	}

	confirm := admin.get(page + "/erase")
	mustContain(t, confirm.Body, "Anna Petrova", `name="confirm"`, "1 feedback")
	res := admin.postForm(page+"/erase", page+"/erase", url.Values{"confirm": {"yes"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "nothing was erased") {
		t.Fatalf("wrong confirmation: %d", res.StatusCode)
	}
	if _, err := f.db.Customer(ctx, f.wsA.ID, id); err != nil {
		t.Fatalf("customer gone after a wrong confirmation: %v", err)
	}
	res = admin.postForm(page+"/erase", page+"/erase", url.Values{"confirm": {fmt.Sprint(id)}})
	if res.StatusCode != 200 || !strings.Contains(res.Body, "has been erased") {
		t.Fatalf("erase: %d\n%s", res.StatusCode, res.Body)
	}
	for _, q := range []string{"capybara", "anna@example.com", "Anna Petrova", "anna_p"} {
		mustNotContain(t, admin.get("/feedback?q="+url.QueryEscape(q)).Body, "capybara courier")
		mustNotContain(t, admin.get("/customers?q="+url.QueryEscape(q)).Body, `href="`+page+`"`)
	}
	if res := admin.get(page); res.StatusCode != http.StatusNotFound {
		t.Errorf("erased customer page: %d", res.StatusCode)
	}
	mustContain(t, admin.get("/settings/audit").Body, "Customer erased", "Customer data exported")
	if n, err := f.db.CountFeedback(ctx, f.wsB.ID); err != nil || n != 1 {
		t.Errorf("other workspace: %d items, %v", n, err)
	}
}

// TestRetentionSettingsPage saves a workspace period and a survey override,
// refuses bad numbers naming the field, and is closed to non-admins.
func TestRetentionSettingsPage(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	sid, err := f.db.CreateSurvey(ctx, f.wsA.ID, store.SurveyInput{Name: "Checkout NPS", Status: "live", Definition: "{}", Settings: "{}"})
	if err != nil {
		t.Fatal(err)
	}
	for _, role := range []string{"manager", "agent", "viewer", "employee"} {
		c := f.loggedIn(role)
		if res := c.post("/settings/privacy", url.Values{"days": {"1"}, "csrf": {csrfFrom(t, c.get("/").Body)}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s saved retention: %d", role, res.StatusCode)
		}
	}
	c := f.loggedIn("admin")
	mustContain(t, c.get("/settings").Body, "/settings/privacy")
	mustContain(t, c.get("/settings/privacy").Body, "Checkout NPS")
	field := fmt.Sprintf("survey_%d", sid)
	res := c.postForm("/settings/privacy", "/settings/privacy", url.Values{"days": {"-3"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `id="days" name="days" type="number" min="0" max="36500" value="-3" aria-invalid="true"`) {
		t.Errorf("bad days: %d", res.StatusCode)
	}
	res = c.postForm("/settings/privacy", "/settings/privacy", url.Values{"days": {"365"}, field: {"x"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, `value="x" placeholder="as above" aria-invalid="true"`) {
		t.Errorf("bad survey days: %d", res.StatusCode)
	}
	res = c.postForm("/settings/privacy", "/settings/privacy", url.Values{"days": {"365"}, field: {"0"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", res.StatusCode)
	}
	p, err := f.db.RetentionPolicyOf(ctx, f.wsA.ID)
	if err != nil || p.Days != 365 || p.Surveys[sid] != 0 || len(p.Surveys) != 1 {
		t.Errorf("saved policy %+v, %v", p, err)
	}
	mustContain(t, c.get("/settings/privacy?done=saved").Body, "Retention settings saved", `value="365"`)
	if p, _ := f.db.RetentionPolicyOf(ctx, f.wsB.ID); p.Days != 0 {
		t.Errorf("other workspace got a policy: %+v", p)
	}
}

// privacySampleData gives TestEveryTemplateRenders the GDPR pages.
func privacySampleData() map[string]any {
	return map[string]any{
		"customer_erase": eraseData{Customer: store.Customer{ID: 7, Name: "Анна <Петрова>"}, Items: 12, Wrong: true},
		"settings_privacy": retentionData{Days: "365", Field: "survey_3", Error: "privacy.settings.err_days",
			Surveys: []retentionRow{{ID: 3, Name: "NPS <после покупки>", Days: "x"}, {ID: 4, Name: "CSAT"}}},
	}
}
