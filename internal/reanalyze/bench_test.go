package reanalyze_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"vox/internal/analytics"
	"vox/internal/ingest"
	"vox/internal/reanalyze"
	"vox/internal/testutil"
)

// BenchmarkReanalyze measures a full run over 20,000 stale items on SQLite
// (read, analyse on all cores, write changed items and move their rollups):
// the items/s figure is what `vox reanalyze` prints.
func BenchmarkReanalyze(b *testing.B) {
	base, err := analytics.New()
	if err != nil {
		b.Fatal(err)
	}
	const n = 20000
	var total time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		db := testutil.SQLite(b)
		ws, _ := db.CreateWorkspace(context.Background(), "b"+strconv.Itoa(i), "B", "Europe/Moscow")
		staleItems(b, db, ws.ID, n, time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC))
		analyzers := ingest.NewAdaptedAnalyzer(base, db)
		b.StartTimer()
		start := time.Now()
		sum, err := reanalyze.Run(context.Background(), db, analyzers, ws.ID, reanalyze.Options{})
		if err != nil {
			b.Fatal(err)
		}
		total += time.Since(start)
		if sum.Scanned != n {
			b.Fatalf("scanned %d", sum.Scanned)
		}
	}
	b.ReportMetric(float64(n*b.N)/total.Seconds(), "items/s")
}
