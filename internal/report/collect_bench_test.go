package report_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"vox/internal/business"
	"vox/internal/demo"
	"vox/internal/ingest"
	"vox/internal/report"
	"vox/internal/store"
	"vox/internal/testutil"
)

// BenchmarkReportDemo builds the 30-day report of the demo workspace (24k
// items, 6k customers, 67k transactions by default; VOX_BENCH_ITEMS
// changes the item count) as `vox report` and the web download do:
// collect (split out: the part that reads the database) and the whole PDF.
// Seeding takes a while; it is not timed. VOX_BENCH_POSTGRES=1 runs it on
// PostgreSQL (VOX_TEST_POSTGRES_URL) instead of SQLite.
func BenchmarkReportDemo(b *testing.B) {
	db := testutil.SQLite(b)
	if os.Getenv("VOX_BENCH_POSTGRES") != "" {
		db = testutil.Postgres(b)
	}
	items := 24000
	if v, err := strconv.Atoi(os.Getenv("VOX_BENCH_ITEMS")); err == nil && v > 0 {
		items = v
	}
	ctx := context.Background()
	now := time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)
	analyzer, err := ingest.NewTextAnalyzer()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, &ingest.Service{DB: db, Analyzer: analyzer}, demo.Options{Seed: 1, Items: items, Now: now}, nil); err != nil {
		b.Fatal(err)
	}
	ws, err := db.WorkspaceBySlug(ctx, demo.MainWorkspace)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := (&business.Service{DB: db, Now: func() time.Time { return now }}).Train(ctx, ws.ID, business.TrainOptions{}); err != nil {
		b.Fatal(err)
	}
	today := store.DayOf(now, store.LoadLocation(ws.Timezone))
	req := report.Request{WorkspaceID: ws.ID, From: today - 29, To: today, Format: "pdf", Lang: "en"}
	b.Run("collect", func(b *testing.B) {
		for b.Loop() {
			if _, err := report.Collect(ctx, db, req, now); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("summary", func(b *testing.B) {
		biz := &business.Service{DB: db, Now: func() time.Time { return now }}
		for b.Loop() {
			if _, err := biz.Summary(ctx, ws.ID, business.SummaryQuery{From: req.From, To: req.To}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("pdf", func(b *testing.B) {
		for b.Loop() {
			var buf bytes.Buffer
			if _, err := report.Build(ctx, db, req, &buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}
