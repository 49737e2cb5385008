package report_test

import (
	"context"
	"strings"
	"testing"

	"vox/internal/report"
	"vox/internal/store"
	"vox/internal/testutil"
)

// A filtered report narrows the feedback metrics to the filter and says so
// on its cover page and in its spreadsheets.
func TestReportFilters(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ws := seedReport(t, db) // NPS answers by email, CSAT and CES on the web
		kpis := func(req report.Request) map[string]int {
			t.Helper()
			d, err := report.Collect(context.Background(), db, req, reportNow)
			if err != nil {
				t.Fatal(err)
			}
			n := map[string]int{}
			for _, k := range d.KPIs {
				n[k.Metric] = k.Value.N
			}
			return n
		}
		req := request(ws, "pdf", "en")
		if n := kpis(req); n["nps"] != 12 || n["csat"] != 3 {
			t.Fatalf("unfiltered %v", n)
		}
		req.Filters = map[string][]string{"channel": {"web"}}
		if n := kpis(req); n["nps"] != 0 || n["csat"] != 3 || n["ces"] != 3 {
			t.Fatalf("channel web %v", n)
		}
		req.Filters = map[string][]string{"channel": {"email"}}
		d, err := report.Collect(context.Background(), db, req, reportNow)
		if err != nil {
			t.Fatal(err)
		}
		if d.KPIs[0].Value.N != 12 || d.KPIs[1].Value.N != 0 || len(d.Trend) == 0 || len(d.Employees) > 0 && d.Employees[0].Score.N != 12 {
			t.Fatalf("channel email: %+v", d.KPIs)
		}
		text := pdfText(t, render(t, db, req))
		for _, want := range []string{"Filter: Channel = email", "cover the whole workspace"} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q:\n%s", want, text)
			}
		}
		req.Format = "csv"
		req.Filters = map[string][]string{"segment": {"=cmd|' /C calc'!A0"}}
		csv := string(render(t, db, req))
		if !strings.HasPrefix(csv, "\ufeffFilter\nDimension,Values\nSegment,'=cmd") {
			t.Errorf("CSV filter table:\n%s", csv[:min(len(csv), 200)])
		}
	})
	bad := report.Request{Format: "pdf", Lang: "en", Filters: map[string][]string{"topic": {"delivery"}}}
	if ie, ok := bad.Validate().(*report.InvalidError); !ok || ie.Field != "filter[topic]" {
		t.Errorf("topic filter: %v", bad.Validate())
	}
}
