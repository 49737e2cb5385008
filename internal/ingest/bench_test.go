package ingest_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"

	"vox/internal/bench"
	"vox/internal/demo"
	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// The ingest benchmarks store batches of 1000 realistic items through the
// full service (validation, identity resolution, idempotent insert, and
// optionally text analysis) and, as the baseline in the same run, a raw
// multi-row INSERT of the same rows into the same schema. Run:
//
//	go test -run XXX -bench Ingest -benchtime 20x ./internal/ingest/
//
// Each reports items/s; compare service vs raw on the same engine.

// benchTexts are realistic ru/en/zh texts of the demo's bank.
var benchTexts = demo.SampleTexts(20_000, 1)

// benchItems is batch i of a stream of at least 100 batches over 180 days
// (≤ 1.8 days per batch, as a workspace with 100k items a half-year has), so
// that short runs do not spread each batch over weeks of rollup rows.
func benchItems(i, batches int) []ingest.Item {
	return bench.Items(i, max(batches, 100), benchBatch, benchTexts)
}

const benchBatch = 1000

func benchService(b *testing.B, db *store.DB, analyze bool) {
	ctx := context.Background()
	ws, err := db.CreateWorkspace(ctx, "bench", "Bench", "UTC")
	if err != nil {
		b.Fatal(err)
	}
	svc := &ingest.Service{DB: db}
	if analyze {
		a, err := ingest.NewTextAnalyzer()
		if err != nil {
			b.Fatal(err)
		}
		svc.Analyzer = a
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		items := benchItems(i, b.N)
		b.StartTimer()
		if _, err := svc.Ingest(ctx, ws.ID, items, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/time.Since(start).Seconds(), "items/s")
}

// rawInsert is the baseline: the same rows, one multi-row INSERT per 200
// rows in one transaction per batch, no validation, resolution or analysis.
func rawInsert(b *testing.B, raw *sql.DB, postgres bool) {
	ctx := context.Background()
	if _, err := raw.ExecContext(ctx, `INSERT INTO workspaces (id, slug, name, timezone, created_at) VALUES (1, 'raw', 'Raw', 'UTC', 0)`); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		items := benchItems(i, b.N)
		b.StartTimer()
		if err := bench.RawInsert(ctx, raw, postgres, 1, int64(i*benchBatch+1), items); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*benchBatch)/time.Since(start).Seconds(), "items/s")
}

func BenchmarkIngestSQLite(b *testing.B) {
	b.Run("service", func(b *testing.B) { benchService(b, testutil.SQLite(b), false) })
	b.Run("service+analysis", func(b *testing.B) { benchService(b, testutil.SQLite(b), true) })
	b.Run("raw-insert", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "raw.db")
		db, err := store.Open(context.Background(), path, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		db.Close()
		raw, err := sql.Open("sqlite", bench.SQLiteDSN(path))
		if err != nil {
			b.Fatal(err)
		}
		raw.SetMaxOpenConns(1)
		defer raw.Close()
		rawInsert(b, raw, false)
	})
}

func BenchmarkIngestPostgres(b *testing.B) {
	base := os.Getenv(testutil.PostgresURLEnv)
	if base == "" {
		b.Skip("VOX_TEST_POSTGRES_URL not set")
	}
	b.Run("service", func(b *testing.B) { benchService(b, testutil.Postgres(b), false) })
	b.Run("service+analysis", func(b *testing.B) { benchService(b, testutil.Postgres(b), true) })
	b.Run("raw-insert", func(b *testing.B) {
		dsn, drop := testutil.CreatePostgresDB(b, base)
		defer drop()
		db, err := store.Open(context.Background(), dsn, store.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := db.Migrate(context.Background()); err != nil {
			b.Fatal(err)
		}
		db.Close()
		raw, err := sql.Open("pgx", dsn)
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		rawInsert(b, raw, true)
	})
}
