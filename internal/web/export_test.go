package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vox/internal/export"
	"vox/internal/store"
)

// TestExport downloads the explorer's selection as CSV and XLSX: filters
// apply, formulas are neutralised, the permission is enforced.
func TestExport(t *testing.T) {
	f := newFixture(t)
	now := time.Now()
	f.seedFeedback(f.wsA.ID, "anna@example.com",
		store.FeedbackItem{Kind: "review", Channel: "web", Text: `=HYPERLINK("http://evil.example","click")`, OccurredAt: now, NPS: ptr(3)},
		store.FeedbackItem{Kind: "review", Channel: "web", Text: "@SUM(1+1)*cmd|' /C calc'!A0", OccurredAt: now.Add(-time.Minute)},
		store.FeedbackItem{Kind: "mention", Channel: "telegram", Text: "Доставка опоздала", OccurredAt: now.Add(-2 * time.Minute)})
	c := f.loggedIn("manager")
	page := c.get("/feedback?channel=web")
	mustContain(t, page.Body, "/feedback/export?channel=web&amp;format=csv", "/feedback/export?channel=web&amp;format=xlsx")

	res := c.get("/feedback/export?channel=web&format=csv")
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") ||
		!strings.Contains(res.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("csv: %d %v", res.StatusCode, res.Header)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(res.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != "id" {
		t.Fatalf("csv rows: %q", recs)
	}
	text := len(export.Columns) - 1
	if recs[1][text] != `'=HYPERLINK("http://evil.example","click")` || recs[2][text] != "'@SUM(1+1)*cmd|' /C calc'!A0" {
		t.Errorf("csv not neutralised: %q / %q", recs[1][text], recs[2][text])
	}
	if recs[1][7] != "3" {
		t.Errorf("nps column %q", recs[1][7])
	}

	res = c.get("/feedback/export?format=xlsx")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("xlsx: %d", res.StatusCode)
	}
	x, err := excelize.OpenReader(bytes.NewReader([]byte(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := x.GetRows("Feedback")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 {
		t.Fatalf("xlsx rows: %d", len(rows))
	}
	for i, row := range rows[1:] {
		cell, _ := excelize.CoordinatesToCellName(len(export.Columns), i+2)
		if formula, _ := x.GetCellFormula("Feedback", cell); formula != "" {
			t.Errorf("%s holds a formula %q", cell, formula)
		}
		if v := row[len(row)-1]; strings.HasPrefix(v, "=") || strings.HasPrefix(v, "@") {
			t.Errorf("xlsx text not neutralised: %q", v)
		}
	}
	if got := rows[3][len(rows[3])-1]; got != "Доставка опоздала" {
		t.Errorf("xlsx text %q", got)
	}

	for _, role := range []string{"agent", "viewer", "employee"} {
		if res := f.loggedIn(role).get("/feedback/export?format=csv"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s exported: %d", role, res.StatusCode)
		}
	}
	if res := c.get("/feedback/export?format=pdf"); res.StatusCode != http.StatusBadRequest {
		t.Errorf("unknown format: %d", res.StatusCode)
	}
}
