package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"vox/internal/report"
	"vox/internal/store"
)

// The weekly email section round-trips through the form: add (with the
// reason beside a refused field), disable, send now (a double click
// queues one send), delete; a viewer sees the orders but cannot change
// them; another workspace's order cannot be touched.
func TestWeeklyEmailForm(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.loggedIn("manager")

	page := c.get("/reports")
	mustContain(t, page.Body, `id="weekly"`, "Weekly email", "Europe/Moscow", `action="/reports/subscriptions"`, "No weekly email yet.")

	bad := c.postForm("/reports", "/reports/subscriptions", url.Values{"recipients": {"ceo@acme.example, nope"}, "lang": {"ru"},
		"weekday": {"5"}, "hour": {"17"}})
	if bad.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad recipients: %d", bad.StatusCode)
	}
	mustContain(t, bad.Body, "Enter one to 20 valid email addresses.", "ceo@acme.example, nope")
	if subs, _ := f.db.ReportSubscriptions(ctx, f.wsA.ID); len(subs) != 0 {
		t.Fatalf("refused form stored %+v", subs)
	}
	if r := c.postForm("/reports", "/reports/subscriptions", url.Values{"recipients": {"a@acme.example"}, "lang": {"ru"},
		"weekday": {"5"}, "hour": {"24"}}); r.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Choose an hour") {
		t.Fatalf("bad hour: %d", r.StatusCode)
	}

	res := c.postForm("/reports", "/reports/subscriptions", url.Values{"recipients": {"ceo@acme.example,\ncx@acme.example"},
		"lang": {"ru"}, "weekday": {"5"}, "hour": {"17"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/reports?weekly=created#weekly" {
		t.Fatalf("create: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	subs, err := f.db.ReportSubscriptions(ctx, f.wsA.ID)
	if err != nil || len(subs) != 1 {
		t.Fatalf("stored %+v %v", subs, err)
	}
	sub := subs[0]
	if strings.Join(sub.Recipients, ",") != "ceo@acme.example,cx@acme.example" || sub.Lang != "ru" || sub.Weekday != 5 || sub.Hour != 17 ||
		!sub.Enabled || sub.CreatedBy == nil || *sub.CreatedBy != f.users["manager"].ID {
		t.Fatalf("stored %+v", sub)
	}
	page = c.get("/reports?weekly=created")
	mustContain(t, page.Body, "The weekly email is set up.", "ceo@acme.example, cx@acme.example", "Friday, 17:00",
		fmt.Sprintf(`action="/reports/subscriptions/%d/send"`, sub.ID))

	path := fmt.Sprintf("/reports/subscriptions/%d", sub.ID)
	if r := c.postForm("/reports", path+"/enabled", url.Values{"enabled": {"0"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("disable: %d", r.StatusCode)
	}
	if got, _ := f.db.ReportSubscription(ctx, f.wsA.ID, sub.ID); got.Enabled {
		t.Fatal("still enabled")
	}
	mustContain(t, c.get("/reports").Body, ">Enable<")

	for i, want := range []string{"queued", "already"} {
		r := c.postForm("/reports", path+"/send", nil)
		if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/reports?weekly="+want+"#weekly" {
			t.Fatalf("send now #%d: %d %s", i+1, r.StatusCode, r.Header.Get("Location"))
		}
	}
	if js, _ := f.db.Jobs(ctx, f.wsA.ID, store.JobPending, report.KindWeekly, 10); len(js) != 1 {
		t.Fatalf("send now queued %d jobs", len(js))
	}

	// Failures are shown, escaped.
	if err := f.db.RecordReportError(ctx, f.wsA.ID, sub.ID, "smtp: <script>alert(1)</script>"); err != nil {
		t.Fatal(err)
	}
	page = c.get("/reports")
	mustContain(t, page.Body, "Last attempt failed:", "&lt;script&gt;alert(1)&lt;/script&gt;")
	mustNotContain(t, page.Body, "<script>alert(1)")

	// Without a CSRF token nothing happens.
	if r := c.post(path+"/delete", url.Values{}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("delete without csrf: %d", r.StatusCode)
	}

	// A viewer reads the list, without the form or the buttons, and may
	// not post.
	v := f.loggedIn("viewer")
	vp := v.get("/reports")
	mustContain(t, vp.Body, "ceo@acme.example, cx@acme.example")
	mustNotContain(t, vp.Body, `action="/reports/subscriptions"`, path+"/send")
	if r := v.postForm("/reports", path+"/delete", nil); r.StatusCode != http.StatusForbidden {
		t.Fatalf("viewer delete: %d", r.StatusCode)
	}
	if r := f.loggedIn("agent").get("/reports"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("agent sees reports: %d", r.StatusCode)
	}

	// Another workspace's order is not found from this one.
	other, err := f.db.CreateReportSubscription(ctx, f.wsB.ID, store.ReportSubscription{Recipients: []string{"b@globex.example"},
		Lang: "zh", Weekday: 1, Hour: 8, Enabled: true}, store.AuditActor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{"/delete", "/send", "/enabled"} {
		if r := c.postForm("/reports", fmt.Sprintf("/reports/subscriptions/%d%s", other.ID, action), nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("other workspace %s: %d", action, r.StatusCode)
		}
	}
	mustNotContain(t, c.get("/reports").Body, "b@globex.example")
	if got, err := f.db.ReportSubscription(ctx, f.wsB.ID, other.ID); err != nil || !got.Enabled {
		t.Fatalf("other workspace's order changed: %+v %v", got, err)
	}

	if r := c.postForm("/reports", path+"/delete", nil); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.StatusCode)
	}
	if subs, _ := f.db.ReportSubscriptions(ctx, f.wsA.ID); len(subs) != 0 {
		t.Fatalf("after delete %+v", subs)
	}
	mustContain(t, c.get("/reports?weekly=deleted").Body, "The weekly email is deleted.", "No weekly email yet.")
}

// The custom form's channel, region and segment reach the report: the CSV
// starts with the filter, and the form keeps the choice.
func TestReportDownloadFiltered(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn("viewer")
	page := c.get("/reports?channel=telegram")
	mustContain(t, page.Body, `id="report-channel"`, `<option value="telegram" selected>`, `id="report-region"`, `id="report-segment"`)
	res := c.get("/reports/download?format=csv&period=30d&report_lang=en&channel=telegram&segment=vip")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Body, "\ufeffFilter\nDimension,Values\nChannel,telegram\nSegment,vip\n") {
		t.Fatalf("filtered CSV: %d\n%s", res.StatusCode, res.Body[:min(len(res.Body), 300)])
	}
	plain := c.get("/reports/download?format=csv&period=30d&report_lang=en")
	if plain.StatusCode != http.StatusOK || strings.Contains(plain.Body, "Filter\n") {
		t.Fatalf("unfiltered CSV: %d", plain.StatusCode)
	}
}
