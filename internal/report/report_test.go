package report_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vox/internal/business"
	"vox/internal/demo"
	"vox/internal/export"
	"vox/internal/ingest"
	"vox/internal/report"
	"vox/internal/store"
	"vox/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite golden files")

var reportNow = time.Date(2025, 5, 20, 9, 0, 0, 0, time.UTC)

const evil = "=HYPERLINK(\"http://x\",\"y\")"

// seedReport stores a hand-countable period: 2025-05-01..14 (UTC) has 12 NPS
// answers (8×10, 2×8, 2×3: NPS 50.0), CSAT 5,4,2 (66.7 %) and CES 7,5,3
// (mean 5.0); the previous 14 days have NPS 10 and 2 (NPS 0). Names and
// segments carry formula-like text to prove exports neutralise it.
func seedReport(t *testing.T, db *store.DB) int64 {
	t.Helper()
	ctx := context.Background()
	ws, err := db.CreateWorkspace(ctx, "rep", "Acme <b>&</b>", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpsertEmployee(ctx, ws.ID, store.EmployeeInput{ExternalID: "e1", Name: "@Анна 李"}); err != nil {
		t.Fatal(err)
	}
	rev := 1000.0
	var items []ingest.Item
	at := func(day, hour int) *time.Time {
		ts := time.Date(2025, 5, day, hour, 0, 0, 0, time.UTC)
		return &ts
	}
	num := func(v int) *int { return &v }
	for i, v := range []int{10, 10, 10, 10, 10, 10, 10, 10, 8, 8, 3, 3} {
		items = append(items, ingest.Item{Kind: "survey_response", Channel: "email", Text: "answer", NPS: num(v), Employee: "e1",
			Touchpoint: "delivery", Stage: "usage", OccurredAt: at(1+i, 10),
			Customer: &ingest.CustomerRef{ExternalID: "c" + string(rune('a'+i%3)), Segment: evil, AnnualRevenue: &rev}})
	}
	for i, v := range []int{5, 4, 2} {
		items = append(items, ingest.Item{Kind: "survey_response", Channel: "web", Text: "csat", CSAT: num(v), CSATScale: num(5), OccurredAt: at(3+i, 12)})
	}
	for i, v := range []int{7, 5, 3} {
		items = append(items, ingest.Item{Kind: "survey_response", Channel: "web", Text: "ces", CES: num(v), OccurredAt: at(6+i, 12)})
	}
	prev1, prev2 := time.Date(2025, 4, 20, 10, 0, 0, 0, time.UTC), time.Date(2025, 4, 21, 10, 0, 0, 0, time.UTC)
	items = append(items,
		ingest.Item{Kind: "survey_response", Channel: "email", Text: "old", NPS: num(10), OccurredAt: &prev1},
		ingest.Item{Kind: "survey_response", Channel: "email", Text: "old", NPS: num(2), OccurredAt: &prev2})
	if _, err := (&ingest.Service{DB: db}).Ingest(ctx, ws.ID, items, ""); err != nil {
		t.Fatal(err)
	}
	// A stored churn model with hand-set risks: 0.5 and 0.1 of 1000 each,
	// so revenue at risk is 600 of 3000 over the three customers (0.0 risk).
	custs, err := db.Customers(ctx, ws.ID, store.CustomerFilter{Limit: 10})
	if err != nil || len(custs) != 3 {
		t.Fatalf("customers %v %v", custs, err)
	}
	// A fourth, scored customer's annual revenue is in tenge, which has no
	// rate: it is left out of revenue at risk and counted.
	kz := 5000.0
	kzID, err := db.UpsertCustomer(ctx, ws.ID, store.CustomerInput{AnnualRevenue: &kz, RevenueCurrency: "KZT",
		Identities: []store.Identity{{Kind: store.IdentityExternalID, Value: "kz"}}})
	if err != nil {
		t.Fatal(err)
	}
	auc := 0.75
	raw, _ := json.Marshal(business.Model{TrainedAt: reportNow, HorizonDays: 30, AUC: &auc})
	scores := []store.ChurnScore{{CustomerID: custs[0].ID, Risk: 0.5}, {CustomerID: custs[1].ID, Risk: 0.1}, {CustomerID: custs[2].ID, Risk: 0},
		{CustomerID: kzID, Risk: 0.9}}
	if err := db.SaveChurnModel(ctx, ws.ID, reportNow, raw, scores); err != nil {
		t.Fatal(err)
	}
	// Revenue in rubles: 1000 RUB and 50 CNY at 12 (600 RUB) in the period;
	// 7 KZT have no rate and are left out.
	if err := db.SetCurrencySettings(ctx, ws.ID, store.CurrencySettings{ReportingCurrency: "RUB",
		Rates: []store.ExchangeRate{{Currency: "CNY", Rate: 12}}}, store.AuditActor{Name: "test"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.InsertTransactions(ctx, ws.ID, []store.Transaction{
		{CustomerID: custs[0].ID, Amount: 1000, Currency: "RUB", OccurredAt: *at(2, 12)},
		{CustomerID: custs[1].ID, Amount: 50, Currency: "CNY", OccurredAt: *at(3, 12)},
		{CustomerID: kzID, Amount: 7, Currency: "KZT", OccurredAt: *at(4, 12)}}); err != nil {
		t.Fatal(err)
	}
	return ws.ID
}

func request(ws int64, format, lang string) report.Request {
	return report.Request{WorkspaceID: ws, From: store.DayFromDate(2025, 5, 1), To: store.DayFromDate(2025, 5, 14), Format: format, Lang: lang}
}

func render(t *testing.T, db *store.DB, req report.Request) []byte {
	t.Helper()
	data, err := report.Collect(context.Background(), db, req, reportNow)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, data, req.Format); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", name, got, want)
	}
}

func TestReportCSVGolden(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ws := seedReport(t, db)
		got := render(t, db, request(ws, "csv", "en"))
		// Workspace ids differ between engines and runs; nothing else may.
		golden(t, "report_en.csv", got)
		if !strings.Contains(string(got), "'"+strings.ReplaceAll(evil, `"`, `""`)) {
			t.Errorf("formula not neutralised:\n%s", got)
		}
		golden(t, "report_ru.csv", render(t, db, request(ws, "csv", "ru")))
	})
}

func TestReportXLSX(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ws := seedReport(t, db)
		for _, lang := range []string{"en", "zh"} {
			raw := render(t, db, request(ws, "xlsx", lang))
			f, err := excelize.OpenReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			sheets := f.GetSheetList()
			if len(sheets) != 11 {
				t.Fatalf("%s sheets %v", lang, sheets)
			}
			kpi := sheets[0]
			want := map[string]string{"en": "Key metrics", "zh": "关键指标"}[lang]
			if kpi != want {
				t.Errorf("first sheet %q, want %q", kpi, want)
			}
			// NPS: a native number with its format, not text.
			if typ, _ := f.GetCellType(kpi, "B2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("B2 type %v", typ)
			}
			v, _ := f.GetCellValue(kpi, "B2", excelize.Options{RawCellValue: true})
			n, _ := f.GetCellValue(kpi, "E2")
			prev, _ := f.GetCellValue(kpi, "F2", excelize.Options{RawCellValue: true})
			if v != "50" || n != "12" || prev != "0" {
				t.Errorf("%s NPS row: value %q n %q prev %q", lang, v, n, prev)
			}
			csat, _ := f.GetCellValue(kpi, "B3")
			ces, _ := f.GetCellValue(kpi, "B4")
			if csat != "66.7" || ces != "5.0" {
				t.Errorf("CSAT %q CES %q", csat, ces)
			}
			risk := sheets[7]
			rows, _ := f.GetRows(risk)
			var found, total bool
			for _, r := range rows {
				if len(r) > 3 && r[0] == "'"+evil {
					found = true
				}
				if len(r) > 3 && (r[0] == "Total" || r[0] == "合计") && r[3] == "600.00" && r[2] == "3,000.00" {
					total = true
				}
			}
			if !found || !total {
				t.Errorf("%s revenue-at-risk sheet %q: %v", lang, risk, rows)
			}
			left, _ := f.GetRows(sheets[8])
			if len(left) != 2 || left[1][0] != "KZT" || left[1][1] != "1" || left[1][3] != "1" {
				t.Errorf("%s amounts without a rate: %v", lang, left)
			}
			emp, _ := f.GetRows(sheets[10])
			if len(emp) != 2 || emp[1][1] != "'@Анна 李" {
				t.Errorf("employees %v", emp)
			}
			f.Close()
		}
	})
}

// pdfText extracts a PDF's text with poppler's pdftotext. Outside CI a
// missing pdftotext skips the check; in CI it is installed and required.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is required in CI")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils): PDF text not checked")
	}
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-layout", "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestReportPDFLanguages(t *testing.T) {
	db := testutil.SQLite(t)
	if os.Getenv(testutil.PostgresURLEnv) != "" {
		db = testutil.Postgres(t) // the engines agree (CSV/XLSX tests); one is enough for rendering
	}
	ws := seedReport(t, db)
	want := map[string][]string{
		"en": {"Customer experience report", "Key metrics", "Revenue at risk by segment", "Praised employees"},
		"ru": {"Отчёт о клиентском опыте", "Ключевые показатели", "Выручка под риском", "Лучшие сотрудники"},
		"zh": {"客户体验报告", "关键指标", "按细分的风险收入", "受表扬员工"},
	}
	for _, lang := range report.Languages {
		raw := render(t, db, request(ws, "pdf", lang))
		if !bytes.HasPrefix(raw, []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF", lang)
		}
		text := pdfText(t, raw)
		for _, s := range append(want[lang],
			"50.0",                    // NPS
			"66.7",                    // CSAT
			"5.0",                     // CES
			"n = 12",                  // NPS sample
			"600",                     // revenue at risk
			"0.750",                   // AUC
			"Acme <b>&</b>",           // the workspace name, shown as text
			"@Анна 李",                 // an employee name in two scripts
			"2025-05-01 — 2025-05-14", // the period
			"RUB",                     // the reporting currency
			"1 600",                   // revenue: 1000 RUB + 50 CNY × 12, not the 7 KZT
			"KZT",                     // what has no rate, said under the tables
		) {
			if !strings.Contains(text, s) {
				t.Errorf("%s PDF lacks %q:\n%s", lang, s, text)
			}
		}
	}
}

// The PDF of a realistic workspace renders every section (drivers, heat
// map, trend) without error.
func TestReportPDFDemo(t *testing.T) {
	db := testutil.SQLite(t)
	if os.Getenv(testutil.PostgresURLEnv) != "" {
		db = testutil.Postgres(t)
	}
	ctx := context.Background()
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	analyzer, err := ingest.NewTextAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, &ingest.Service{DB: db, Analyzer: analyzer}, demo.Options{Seed: 2, Items: 4000, Months: 7, Now: now}, nil); err != nil {
		t.Fatal(err)
	}
	ws, err := db.WorkspaceBySlug(ctx, demo.MainWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := (&business.Service{DB: db, Now: func() time.Time { return now }}).Train(ctx, ws.ID, business.TrainOptions{}); err != nil {
		t.Fatal(err)
	}
	req := report.Request{WorkspaceID: ws.ID, From: store.DayFromDate(2025, 4, 1), To: store.DayFromDate(2025, 5, 31), Format: "pdf", Lang: "ru"}
	data, err := report.Collect(ctx, db, req, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(data.Trend) < 8 || len(data.Journey.Cells) == 0 || len(data.Drivers) == 0 || data.RevenueAtRisk == nil {
		t.Fatalf("demo report data: trend %d, cells %d, drivers %d, risk %v", len(data.Trend), len(data.Journey.Cells), len(data.Drivers), data.RevenueAtRisk)
	}
	var buf bytes.Buffer
	if err := report.Render(&buf, data, "pdf"); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("VOX_REPORT_OUT") != "" {
		_ = os.WriteFile(os.Getenv("VOX_REPORT_OUT"), buf.Bytes(), 0o644)
	}
	text := pdfText(t, buf.Bytes())
	for _, s := range []string{"NPS по неделям", "Тепловая карта", data.PainPoints[0].Topic} {
		if !strings.Contains(text, s) {
			t.Errorf("demo PDF lacks %q", s)
		}
	}
}

func TestRequestValidation(t *testing.T) {
	for _, c := range []struct {
		req   report.Request
		field string
	}{
		{report.Request{Format: "doc", Lang: "en"}, "format"},
		{report.Request{Format: "pdf", Lang: "de"}, "lang"},
		{report.Request{Format: "pdf", Lang: "en", From: 10, To: 9}, "to"},
	} {
		err := c.req.Validate()
		ie, ok := err.(*report.InvalidError)
		if !ok || ie.Field != c.field {
			t.Errorf("%+v: %v, want field %s", c.req, err, c.field)
		}
	}
	if got := export.NeutralizeFormula("-1"); got != "'-1" {
		t.Errorf("neutralise %q", got)
	}
	for _, s := range []string{"=1", "+1", "-1", "@a", "\tx", "\rx", "\x00x"} {
		if export.NeutralizeFormula(s)[0] != '\'' {
			t.Errorf("%q not neutralised", s)
		}
	}
	if export.NeutralizeFormula("ok =1") != "ok =1" {
		t.Error("inner = changed")
	}
}
