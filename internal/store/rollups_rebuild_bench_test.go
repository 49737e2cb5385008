package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// BenchmarkRebuildRollups times RebuildRollups against the
// streaming rebuild it replaced, alternately on the same items, on SQLite
// and (with VOX_TEST_POSTGRES_URL) PostgreSQL. Items come from the ingest
// path like BenchmarkDashboard's (VOX_BENCH_ITEMS, default 200000), or on
// PostgreSQL from its SQL load (VOX_BENCH_SQL_LOAD=1). VOX_BENCH_ROUNDS sets
// the rounds (default 2); VOX_BENCH_ENGINE runs one engine. PostgreSQL
// tables are vacuumed before each rebuild so that neither inherits the dead
// rows of the other.
//
// Run: VOX_BENCH_ITEMS=1000000 go test -run '^$' -bench RebuildRollups -benchtime 1x -timeout 2h ./internal/store/
func BenchmarkRebuildRollups(b *testing.B) {
	n := 200_000
	if s := os.Getenv(BenchItemsEnv); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1000 {
			b.Fatalf("%s=%q: want an integer ≥ 1000", BenchItemsEnv, s)
		}
		n = v
	}
	rounds := 2
	if s := os.Getenv("VOX_BENCH_ROUNDS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1 {
			b.Fatalf("VOX_BENCH_ROUNDS=%q: want an integer ≥ 1", s)
		}
		rounds = v
	}
	engines := []string{"sqlite"}
	if os.Getenv(testutil.PostgresURLEnv) != "" {
		engines = append(engines, "postgres")
	}
	if only := os.Getenv("VOX_BENCH_ENGINE"); only != "" {
		engines = []string{only}
	}
	for _, engine := range engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			open := func() *store.DB {
				if engine == "postgres" {
					return testutil.Postgres(b)
				}
				return testutil.SQLite(b)
			}
			var db *store.DB
			var ws store.Workspace
			if engine == "postgres" && os.Getenv("VOX_BENCH_SQL_LOAD") != "" {
				db, ws = sqlLoad(b, open, n)
			} else {
				db = open()
				var err error
				if ws, err = db.CreateWorkspace(ctx, "bench", "Bench", "Europe/Moscow"); err != nil {
					b.Fatal(err)
				}
				const batchSize = 1000
				batches := (n + batchSize - 1) / batchSize
				for i := range batches {
					if _, err := db.InsertFeedback(ctx, ws.ID, benchBatch(i, batches, min(batchSize, n-i*batchSize)), nil); err != nil {
						b.Fatal(err)
					}
				}
			}
			variants := []struct {
				name    string
				rebuild func(context.Context, int64) error
			}{{"new", db.RebuildRollups}, {"old-streaming", db.RebuildRollupsStreaming}}
			spent := map[string][]time.Duration{}
			for round := range rounds {
				for i := range variants {
					v := variants[(i+round)%len(variants)] // alternate which goes first
					if engine == "postgres" {
						if err := db.ExecBench(ctx, `VACUUM rollup_slices, rollup_kind_slices, rollup_cube, rollup_topic_cube, rollup_nps_topics`); err != nil {
							b.Fatal(err)
						}
					}
					t0 := time.Now()
					if err := v.rebuild(ctx, ws.ID); err != nil {
						b.Fatalf("%s: %v", v.name, err)
					}
					spent[v.name] = append(spent[v.name], time.Since(t0))
				}
			}
			for _, v := range variants {
				best := percentile(spent[v.name], 0)
				b.ReportMetric(best.Seconds(), "s-"+v.name)
				b.Logf("%d items: %s rebuild %v (best of %v)", n, v.name, best.Round(time.Millisecond), spent[v.name])
			}
		})
	}
}
