package ingest_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

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

var benchTexts = []string{
	"Курьер опоздал на два часа, заказ пришёл холодным. Очень недоволен доставкой.",
	"Отличный сервис, менеджер Анна помогла выбрать тариф, всё быстро и вежливо!",
	"快递太慢了，等了一个星期才到，包装也破了，希望改进。",
	"客服态度很好，问题很快就解决了，下次还会再买。",
	"The app keeps crashing at checkout and support never answered my ticket.",
	"Great prices and friendly staff at the Kazan store, will come back.",
	"Цены выросли, а качество упало. Подумаю о другом магазине.",
	"Delivery was on time, the courier was polite. 10/10",
}

func benchItems(n, offset int) []ingest.Item {
	items := make([]ingest.Item, n)
	base := time.Now().Add(-24 * time.Hour)
	for i := range items {
		k := offset + i
		nps := k % 11
		items[i] = ingest.Item{
			ExternalID: fmt.Sprintf("bench-%d", k), Channel: []string{"email", "sms", "telegram", "web"}[k%4],
			Text: benchTexts[k%len(benchTexts)], NPS: &nps, Region: []string{"Moscow", "Kazan", "Shanghai", "London"}[k%4],
			Segment: []string{"vip", "smb", "consumer"}[k%3], Touchpoint: "delivery", Stage: "usage",
			OccurredAt: ptr(base.Add(time.Duration(k) * time.Second)),
			Customer:   &ingest.CustomerRef{Email: fmt.Sprintf("customer%d@example.com", k/5)},
		}
	}
	return items
}

func ptr[T any](v T) *T { return &v }

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
		items := benchItems(benchBatch, i*benchBatch)
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
	cols := []string{"id", "workspace_id", "kind", "channel", "text", "search_text", "nps", "region", "segment",
		"touchpoint", "stage", "occurred_at", "received_at", "external_id"}
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		items := benchItems(benchBatch, i*benchBatch)
		b.StartTimer()
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		for s := 0; s < len(items); s += 200 {
			var sb strings.Builder
			sb.WriteString("INSERT INTO feedback_items (" + strings.Join(cols, ",") + ") VALUES ")
			args := make([]any, 0, 200*len(cols))
			for j := s; j < s+200; j++ {
				if j > s {
					sb.WriteByte(',')
				}
				sb.WriteByte('(')
				for c := range cols {
					if c > 0 {
						sb.WriteByte(',')
					}
					if postgres {
						fmt.Fprintf(&sb, "$%d", len(args)+c+1)
					} else {
						sb.WriteByte('?')
					}
				}
				sb.WriteByte(')')
				it := items[j]
				args = append(args, int64(i*benchBatch+j+1), 1, "survey_response", it.Channel, it.Text,
					strings.ToLower(it.Text), *it.NPS, it.Region, it.Segment, it.Touchpoint, it.Stage,
					it.OccurredAt.UnixMilli(), time.Now().UnixMilli(), it.ExternalID)
			}
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
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
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)&_txlock=immediate")
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
