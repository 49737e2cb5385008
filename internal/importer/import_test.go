package importer

import (
	"bytes"
	"context"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// now is the import's clock: fixed so "in the future" is deterministic.
var now = time.Date(2024, 6, 1, 12, 0, 0, 0, time.UTC)

// newWorkspace gives a test a fresh migrated SQLite database, a workspace
// and the ingest service over it.
func newWorkspace(t testing.TB) (*store.DB, *ingest.Service, int64) {
	t.Helper()
	db := testutil.SQLite(t)
	ws, err := db.CreateWorkspace(context.Background(), "t", "T", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	return db, &ingest.Service{DB: db}, ws.ID
}

// stored lists the workspace's items by external id.
func stored(t *testing.T, db *store.DB, ws int64) map[string]store.FeedbackItem {
	t.Helper()
	out := map[string]store.FeedbackItem{}
	f := store.FeedbackFilter{}
	for {
		page, err := db.ListFeedback(context.Background(), ws, f)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			out[it.ExternalID] = it
		}
		if page.NextCursor == "" {
			return out
		}
		f.Cursor = page.NextCursor
	}
}

func byText(items map[string]store.FeedbackItem, substr string) (store.FeedbackItem, bool) {
	for _, it := range items {
		if strings.Contains(it.Text, substr) {
			return it, true
		}
	}
	return store.FeedbackItem{}, false
}

func checkSummary(t *testing.T, got Summary, rows, imported, dups int, wantErrs []RowError) {
	t.Helper()
	if got.Rows != rows || got.Imported != imported || got.Duplicates != dups || got.Failed != len(wantErrs) {
		t.Errorf("summary rows/imported/duplicates/failed = %d/%d/%d/%d, want %d/%d/%d/%d",
			got.Rows, got.Imported, got.Duplicates, got.Failed, rows, imported, dups, len(wantErrs))
	}
	if len(got.Errors) != len(wantErrs) {
		t.Errorf("errors:\n%s", errorsText(got.Errors))
		return
	}
	for i, w := range wantErrs {
		g := got.Errors[i]
		if g.Line != w.Line || g.Field != w.Field || !strings.Contains(g.Reason, w.Reason) {
			t.Errorf("error %d = %s; want line %d field %q reason containing %q", i, g, w.Line, w.Field, w.Reason)
		}
	}
}

func errorsText(errs []RowError) string {
	var b strings.Builder
	for _, e := range errs {
		b.WriteString(e.String() + "\n")
	}
	return b.String()
}

// TestImportBrokenCSV imports a file with every kind of bad row: each is
// reported at its physical line, the good rows are stored, and a second run
// stores nothing new. It runs on both databases.
func TestImportBrokenCSV(t *testing.T) {
	testutil.EachDB(t, testImportBrokenCSV)
}

func testImportBrokenCSV(t *testing.T, db *store.DB) {
	ctx := context.Background()
	w, err := db.CreateWorkspace(ctx, "t", "T", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	svc, ws := &ingest.Service{DB: db}, w.ID
	var calls [][2]int
	opt := Options{Now: now, BatchSize: 3, Progress: func(done, total int) { calls = append(calls, [2]int{done, total}) }}
	sum, err := ImportFile(ctx, svc, ws, "testdata/broken.csv", opt)
	if err != nil {
		t.Fatal(err)
	}
	wantErrs := []RowError{
		{5, "nps", `"abc" is not a whole number`},
		{6, "nps", "must be 0-10"},
		{7, "text", "needs a text or a rating"},
		{8, "text", "not valid UTF-8"},
		{9, "", "has 5 columns; the header has 4"},
		{10, "", "has 2 columns; the header has 4"},
		{11, "occurred_at", `"not-a-date" is not a date`},
		{12, "customer.email", "not an email address"},
		{16, "occurred_at", "in the future"},
		{18, "", "has 2 columns"}, // an unclosed quote runs to the end of the file
	}
	checkSummary(t, sum, 15, 4, 1, wantErrs)
	if want := (Mapping{"occurred_at": "Date", "text": "Comment", "nps": "NPS", "customer.email": "Email"}); !reflect.DeepEqual(sum.Mapping, want) {
		t.Errorf("mapping = %v, want %v", sum.Mapping, want)
	}
	if last := calls[len(calls)-1]; last != [2]int{15, 15} {
		t.Errorf("last progress = %v, want [15 15]", last)
	}
	items := stored(t, db, ws)
	if len(items) != 4 {
		t.Fatalf("stored %d items, want 4", len(items))
	}
	multi, ok := byText(items, "Multi\nline comment")
	if !ok || *multi.NPS != 9 || multi.CustomerID == nil || multi.OccurredAt.Format(time.DateOnly) != "2024-03-02" {
		t.Errorf("multi-line row stored as %+v", multi)
	}
	ru, ok := byText(items, "Русский отзыв: всё отлично, спасибо")
	if !ok || ru.OccurredAt.Format(time.DateOnly) != "2024-03-09" || !strings.HasPrefix(ru.ExternalID, "import:") ||
		ru.Kind != "survey_response" || ru.Source != "import" {
		t.Errorf("russian row stored as %+v", ru)
	}
	if zh, ok := byText(items, "中文评论：很好"); !ok || zh.OccurredAt.Format(time.DateOnly) != "2024-03-10" {
		t.Errorf("chinese row stored as %+v", zh)
	}

	again, err := ImportFile(ctx, svc, ws, "testdata/broken.csv", opt)
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, again, 15, 0, 5, wantErrs)
	if n, _ := db.CountFeedback(ctx, ws); n != 4 {
		t.Errorf("after re-import: %d items, want 4", n)
	}
}

func TestImportCSVDialects(t *testing.T) {
	tests := []struct {
		name string
		data string
		want func(store.FeedbackItem) bool
	}{
		{"semicolon, BOM, russian headers", "\ufeffДата;Комментарий;Оценка;Телефон;Канал\n" +
			"05.03.2024;\"Курьер опоздал; но вежливый\";6;+7 999 123-45-67;Телеграм\n",
			func(it store.FeedbackItem) bool {
				return it.Text == "Курьер опоздал; но вежливый" && *it.NPS == 6 && it.Channel == "telegram" && it.CustomerID != nil
			}},
		{"tab, chinese headers, CRLF", "日期\t评论\t推荐值\t手机号\r\n2024/03/05 10:00\t送货很快\t10\t13800138000\r\n",
			func(it store.FeedbackItem) bool {
				return it.Text == "送货很快" && *it.NPS == 10 && it.OccurredAt.Equal(time.Date(2024, 3, 5, 10, 0, 0, 0, time.UTC))
			}},
		{"excel sep line", "sep=;\nComment;Score\nok;9\n", func(it store.FeedbackItem) bool {
			return it.Text == "ok" && *it.NPS == 9
		}},
		{"mapping override", "Kommentar,Punkte,Bewertung\nSehr gut,9,5\n", func(it store.FeedbackItem) bool {
			return it.Text == "Sehr gut" && *it.NPS == 9 && *it.CSAT == 5 && len(it.Metadata) == 0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, svc, ws := newWorkspace(t)
			opt := Options{Now: now}
			if tt.name == "mapping override" {
				opt.Mapping, _ = ParseMapping("text=Kommentar,nps=Punkte,csat=Bewertung")
			}
			sum, err := Import(context.Background(), svc, ws, strings.NewReader(tt.data), opt)
			if err != nil {
				t.Fatal(err)
			}
			checkSummary(t, sum, 1, 1, 0, nil)
			for _, it := range stored(t, db, ws) {
				if !tt.want(it) {
					t.Errorf("stored %+v", it)
				}
			}
		})
	}
}

func TestImportMappingToMissingColumn(t *testing.T) {
	_, svc, ws := newWorkspace(t)
	_, err := Import(context.Background(), svc, ws, strings.NewReader("a,b\n1,2\n"), Options{Mapping: Mapping{"text": "Comment"}})
	if err == nil || !strings.Contains(err.Error(), `no column "Comment"`) {
		t.Errorf("err = %v, want a missing column error", err)
	}
}

func TestImportXLSX(t *testing.T) {
	db, svc, ws := newWorkspace(t)
	f := excelize.NewFile()
	sheet := "Отзывы"
	f.SetSheetName("Sheet1", sheet)
	when := time.Date(2024, 3, 5, 14, 30, 0, 0, time.UTC)
	rows := map[int][]any{
		1: {"Дата", "Комментарий", "NPS", "Email", "Сегмент"},
		2: {when, "Отличное приложение", 9, "anna@example.com", "B2C"},
		3: {"2024-03-06", "Плохая оценка", "abc", "boris@example.com"},
		// row 4 is empty and skipped
		5: {"2024-03-07", "", 10}, // trailing empty cells are absent in XLSX: fine
		6: {"2024-03-08", "Too wide", 7, "c@example.com", "B2B", "extra"},
	}
	for n, cells := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, n)
		if err := f.SetSheetRow(sheet, cell, &cells); err != nil {
			t.Fatal(err)
		}
	}
	style, _ := f.NewStyle(&excelize.Style{NumFmt: 22}) // m/d/yy h:mm
	f.SetCellStyle(sheet, "A2", "A2", style)
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	sum, err := Import(context.Background(), svc, ws, bytes.NewReader(buf.Bytes()), Options{Format: XLSX, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, sum, 4, 2, 0, []RowError{
		{3, "nps", "not a whole number"},
		{6, "", "has 6 columns; the header has 5"},
	})
	items := stored(t, db, ws)
	it, ok := byText(items, "Отличное приложение")
	if !ok || !it.OccurredAt.Equal(when) || *it.NPS != 9 || it.Segment != "B2C" || it.CustomerID == nil {
		t.Errorf("stored %+v (occurred %v)", it, it.OccurredAt)
	}
	if _, err := Import(context.Background(), svc, ws, bytes.NewReader(buf.Bytes()), Options{Format: XLSX, Sheet: "Nope"}); err == nil {
		t.Error("a missing sheet is not an error")
	}
	again, _ := Import(context.Background(), svc, ws, bytes.NewReader(buf.Bytes()), Options{Format: XLSX, Sheet: sheet, Now: now})
	if again.Imported != 0 || again.Duplicates != 2 {
		t.Errorf("re-import: %+v", again)
	}
}

// TestImportJSONL covers item and flat lines, bad lines, a batch ingest
// refuses (row-by-row fallback) and duplicates within one batch, on both
// databases.
func TestImportJSONL(t *testing.T) {
	testutil.EachDB(t, testImportJSONL)
}

func testImportJSONL(t *testing.T, db *store.DB) {
	w, err := db.CreateWorkspace(context.Background(), "t", "T", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	svc, ws := &ingest.Service{DB: db}, w.ID
	data := strings.Join([]string{
		`{"text":"Доставка вовремя","nps":9,"channel":"telegram","customer":{"telegram_username":"anna"}}`, // 1 ok
		`{"text":"Has its own id","csat":4,"external_id":"crm-77","occurred_at":"2024-02-01T10:00:00Z"}`,   // 2 ok
		`{"text": "broken json"`,             // 3
		`{"text":"too high","nps":11}`,       // 4
		``,                                   // 5 blank
		`{"text":"score as text","nps":"9"}`, // 6 wrong JSON type
		`{"text":"no such customer","customer_id":424242}`,          // 7 refused by ingest: row-by-row fallback
		`{"Comment":"flat object","Score":"8","Date":"01.02.2024"}`, // 8 flat, auto-mapped
		"{\"text\":\"bad \xff utf8\"}",                              // 9
		`{"text":"Доставка вовремя","nps":9,"channel":"telegram","customer":{"telegram_username":"anna"}}`, // 10 = line 1
		`{"nps":10}`, // 11 ok, no trailing newline
	}, "\n")
	sum, err := Import(context.Background(), svc, ws, strings.NewReader(data), Options{Format: JSONL, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, sum, 10, 4, 1, []RowError{
		{3, "", "not a JSON object"},
		{4, "nps", "must be 0-10"},
		{6, "nps", "is a JSON string, want int"},
		{9, "", "not valid UTF-8"},
		{7, "customer_id", "no customer 424242"},
	})
	items := stored(t, db, ws)
	if it, ok := items["crm-77"]; !ok || *it.CSAT != 4 {
		t.Errorf("item with external_id stored as %+v", it)
	}
	if it, ok := byText(items, "flat object"); !ok || *it.NPS != 8 || it.OccurredAt.Format(time.DateOnly) != "2024-02-01" {
		t.Errorf("flat line stored as %+v", it)
	}
	again, _ := Import(context.Background(), svc, ws, strings.NewReader(data), Options{Format: JSONL, Now: now})
	if again.Imported != 0 || again.Duplicates != 5 {
		t.Errorf("re-import: %+v", again)
	}
}

func TestImportQualtrics(t *testing.T) {
	db, svc, ws := newWorkspace(t)
	sum, err := ImportFile(context.Background(), svc, ws, "testdata/qualtrics.csv", Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, sum, 3, 2, 0, []RowError{{6, "nps", "must be 0-10, got 12"}})
	for target, src := range map[string]string{"nps": "Q1", "text": "Q2", "occurred_at": "RecordedDate",
		"external_id": "ResponseId", "customer.email": "RecipientEmail", "customer.external_id": "ExternalReference"} {
		if sum.Mapping[target] != src {
			t.Errorf("mapping[%s] = %q, want %q (mapping %v)", target, sum.Mapping[target], src, sum.Mapping)
		}
	}
	items := stored(t, db, ws)
	it, ok := items["R_1aBcDeFgHiJkLmN"]
	if !ok {
		t.Fatalf("response R_1aBcDeFgHiJkLmN not stored: %v", items)
	}
	denver, err := time.LoadLocation("America/Denver")
	if err != nil {
		t.Skip("no tzdata")
	}
	if want := time.Date(2024, 3, 5, 10, 0, 41, 0, denver); !it.OccurredAt.Equal(want) {
		t.Errorf("occurred_at = %v, want %v (the export's time zone)", it.OccurredAt, want)
	}
	cols, _ := it.Metadata["columns"].(map[string]any)
	if it.Source != "qualtrics" || *it.NPS != 9 || it.Lang != "ru" || it.Channel != "email" ||
		it.Text != "Быстрая доставка, вежливый курьер" || cols["IPAddress"] != nil || cols["RecipientFirstName"] != "Anna" {
		t.Errorf("stored %+v", it)
	}
	if web := items["R_2xYzXyZxYzXyZxY"]; web.Channel != "web" || *web.NPS != 3 {
		t.Errorf("anonymous link response stored as %+v", web)
	}
}

func TestImportLimeSurvey(t *testing.T) {
	db, svc, ws := newWorkspace(t)
	sum, err := ImportFile(context.Background(), svc, ws, "testdata/limesurvey.csv", Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, sum, 4, 3, 0, []RowError{{3, "text", "needs a text or a rating"}})
	items := stored(t, db, ws)
	zh, ok := byText(items, "服务很好")
	if !ok || zh.Lang != "zh" || *zh.NPS != 10 || zh.Source != "limesurvey" ||
		zh.OccurredAt != time.Date(2024, 2, 3, 12, 30, 0, 0, time.UTC) {
		t.Errorf("stored %+v", zh)
	}
	if cols, _ := zh.Metadata["columns"].(map[string]any); cols["token"] != "tok4" {
		t.Errorf("token not kept in metadata: %v", zh.Metadata)
	}
	again, _ := ImportFile(context.Background(), svc, ws, "testdata/limesurvey.csv", Options{Now: now})
	if again.Imported != 0 || again.Duplicates != 3 {
		t.Errorf("re-import: %+v", again)
	}
}

func TestFormatOf(t *testing.T) {
	for name, want := range map[string]Format{"a.csv": CSV, "B.TSV": CSV, "x.xlsx": XLSX, "y.jsonl": JSONL, "z.ndjson": JSONL} {
		if got, err := FormatOf(name); err != nil || got != want {
			t.Errorf("FormatOf(%q) = %q, %v", name, got, err)
		}
	}
	if _, err := FormatOf(filepath.Join("dir", "file.pdf")); err == nil {
		t.Error("pdf accepted")
	}
}

func TestTerminalProgressSilentOffTerminal(t *testing.T) {
	var buf bytes.Buffer
	p := TerminalProgress(&buf, 10)
	p(5, 10)
	p(10, 10)
	if buf.Len() != 0 {
		t.Errorf("wrote %q to a non-terminal", buf.String())
	}
}
