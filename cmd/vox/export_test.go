package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"vox/internal/store"
)

// TestExportCommand runs `vox export` on a SQLite file as a user would: every
// item of the workspace (across store pages, none of another workspace) in
// each format, a day filter, formula neutralisation in CSV, and bad flags.
func TestExportCommand(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "vox.db")
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	shop, err := db.CreateWorkspace(ctx, "shop", "Shop", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	other, err := db.CreateWorkspace(ctx, "other", "Other", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	const n = 2300 // more than two store pages
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	var batch []store.NewFeedback
	for i := 0; i < n; i++ {
		text := "Доставка вовремя, спасибо #" + strconv.Itoa(i)
		if i == 0 {
			text = "=HYPERLINK(\"http://evil.example\")"
		}
		batch = append(batch, store.NewFeedback{Item: store.FeedbackItem{Kind: "review", Channel: "web", Text: text, Lang: "ru",
			OccurredAt: t0.Add(time.Duration(i) * time.Hour)},
			Customer: store.CustomerInput{Identities: []store.Identity{{Kind: "email", Value: "c" + strconv.Itoa(i%7) + "@example.com"}}, Name: "Анна " + strconv.Itoa(i%7)}})
	}
	if _, err := db.InsertFeedback(ctx, shop.ID, batch, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.InsertFeedback(ctx, other.ID, batch[:10], nil); err != nil {
		t.Fatal(err)
	}
	db.Close()

	vox := func(args ...string) (string, string, int) {
		var out, errOut bytes.Buffer
		code := run(ctx, append([]string{"export", "--db", path, "--data-dir", dir, "--log-level", "warn"}, args...), &out, &errOut)
		return out.String(), errOut.String(), code
	}
	out, errOut, code := vox("--workspace", "shop")
	if code != 0 {
		t.Fatalf("jsonl: exit %d: %s", code, errOut)
	}
	lines, ids := 0, map[int64]bool{}
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var row struct {
			ID           int64  `json:"id"`
			Text         string `json:"text"`
			CustomerName string `json:"customer_name"`
		}
		if err := json.Unmarshal(sc.Bytes(), &row); err != nil {
			t.Fatalf("line %d: %v", lines+1, err)
		}
		if row.CustomerName == "" || ids[row.ID] {
			t.Fatalf("line %d: %+v (duplicate or without customer)", lines+1, row)
		}
		ids[row.ID] = true
		lines++
	}
	if lines != n || !strings.Contains(errOut, "exported 2300 items") {
		t.Fatalf("jsonl: %d lines, stderr %q", lines, errOut)
	}

	csvPath := filepath.Join(dir, "shop.csv")
	if out, errOut, code := vox("--workspace", "shop", "--format", "csv", "--out", csvPath); code != 0 || !strings.Contains(out, "2300 items") {
		t.Fatalf("csv: exit %d: %s %s", code, out, errOut)
	}
	raw, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) != n+1 {
		t.Fatalf("csv: %d records, %v", len(recs), err)
	}
	if last := recs[len(recs)-1]; last[len(last)-1] != "'=HYPERLINK(\"http://evil.example\")" {
		t.Fatalf("the formula was not neutralised: %q", last[len(last)-1])
	}

	xlsxPath := filepath.Join(dir, "march.xlsx")
	if out, errOut, code := vox("--workspace", "shop", "--format", "xlsx", "--from", "2026-03-01", "--to", "2026-03-02", "--out", xlsxPath); code != 0 || !strings.Contains(out, "48 items") {
		t.Fatalf("xlsx: exit %d: %s %s", code, out, errOut)
	}
	x, err := excelize.OpenFile(xlsxPath)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if rows, err := x.GetRows("Feedback"); err != nil || len(rows) != 49 {
		t.Fatalf("xlsx rows %d, %v", len(rows), err)
	}

	for _, bad := range [][]string{{"--workspace", "shop", "--format", "pdf"}, {"--workspace", "nope"}, {},
		{"--workspace", "shop", "--from", "March"}} {
		if _, errOut, code := vox(bad...); code == 0 || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errOut)
		}
	}
}
