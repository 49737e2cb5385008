package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"vox/internal/insights"
	"vox/internal/metrics"
	"vox/internal/store"
	"vox/internal/testutil"
)

// BenchItemsEnv sets how many items BenchmarkDashboard generates (default
// 200000; the target is 10000000).
const BenchItemsEnv = "VOX_BENCH_ITEMS"

// benchBatch generates batch number i of batches of a year of
// realistic-looking items (2025-07-01 … 2026-06-30), in time order as live
// ingest and chronological imports deliver them: batch i covers the i-th
// slice of the year. With batches = 1 the times are random over the year (a
// shuffled import, the worst case for rollups). It is deterministic, so both
// ingest runs store exactly the same rows.
func benchBatch(i, batches, size int) []store.NewFeedback {
	r := rand.New(rand.NewPCG(42, uint64(i)))
	var (
		kinds       = []string{"survey_response", "survey_response", "survey_response", "review", "mention", "ticket", "chat", "other"}
		channels    = []string{"email", "sms", "telegram", "web", "widget", "app", "social", "media", "review_site", "call", "store", "other"}
		regions     = []string{"moscow", "spb", "ural", "siberia", "south", "volga", "far_east", ""}
		segments    = []string{"mass", "vip", "sme", ""}
		touchpoints = []string{"website", "mobile_app", "store", "delivery", "call_center", "support_chat", "social_media", "email", ""}
		langs       = []string{"ru", "ru", "ru", "en", "zh"}
		sentiments  = []string{"positive", "neutral", "negative", "negative", ""}
		topics      = []string{"price", "delivery", "staff", "app", "queue", "quality", "payment", "refund", "courier",
			"assortment", "cleanliness", "wait_time", "website", "loyalty", "support", "packaging", "freshness", "parking", "bonus", "return"}
	)
	start := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)
	span := int64(365*24*time.Hour) / int64(batches)
	start = start.Add(time.Duration(span * int64(i%batches)))
	out := make([]store.NewFeedback, size)
	for j := range out {
		it := store.FeedbackItem{Kind: pick(r, kinds), Channel: pick(r, channels), Region: pick(r, regions),
			Segment: pick(r, segments), Touchpoint: pick(r, touchpoints), Stage: pick(r, store.JourneyStages),
			Lang: pick(r, langs), Sentiment: pick(r, sentiments), Text: "benchmark item",
			OccurredAt: start.Add(time.Duration(r.Int64N(span))).Truncate(time.Millisecond)}
		if it.Kind == "survey_response" {
			it.NPS = ptr(r.IntN(11))
			if r.IntN(2) == 0 {
				it.CSAT, it.CSATScale = ptr(1+r.IntN(5)), ptr(5)
			}
			if r.IntN(3) == 0 {
				it.CES = ptr(1 + r.IntN(7))
			}
			it.SurveyID = ptr(int64(1 + r.IntN(5)))
		}
		for k := r.IntN(3); k > 0; k-- {
			it.Topics = append(it.Topics, pick(r, topics))
		}
		nf := store.NewFeedback{Item: it}
		if r.IntN(2) == 0 {
			nf.Employee = store.EmployeeInput{ExternalID: "emp" + strconv.Itoa(r.IntN(50))}
		}
		out[j] = nf
	}
	return out
}

func percentile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// scanCounters is the full-scan equivalent of the rollup counters.
var scanCounters = func() string {
	parts := []string{"COUNT(*)",
		"SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END)", "SUM(CASE WHEN nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END)",
		"SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END)"}
	for s := 1; s <= 5; s++ {
		parts = append(parts, fmt.Sprintf("SUM(CASE WHEN csat_scale = 5 AND csat = %d THEN 1 ELSE 0 END)", s))
	}
	for s := 1; s <= 10; s++ {
		parts = append(parts, fmt.Sprintf("SUM(CASE WHEN csat_scale = 10 AND csat = %d THEN 1 ELSE 0 END)", s))
	}
	for s := 1; s <= 7; s++ {
		parts = append(parts, fmt.Sprintf("SUM(CASE WHEN ces = %d THEN 1 ELSE 0 END)", s))
	}
	for _, l := range []string{"positive", "neutral", "negative"} {
		parts = append(parts, "SUM(CASE WHEN sentiment_label = '"+l+"' THEN 1 ELSE 0 END)")
	}
	return strings.Join(parts, ", ")
}()

func counterDest(c *store.RollupCounts) []any {
	d := []any{&c.Items, &c.Promoters, &c.Passives, &c.Detractors}
	for s := 1; s <= 5; s++ {
		d = append(d, &c.CSAT5[s])
	}
	for s := 1; s <= 10; s++ {
		d = append(d, &c.CSAT10[s])
	}
	for s := 1; s <= 7; s++ {
		d = append(d, &c.CES[s])
	}
	return append(d, &c.Positive, &c.Neutral, &c.Negative)
}

// scanDashboardQuery answers one dashboard query (by channel or by week,
// with the previous period for the change) by aggregating feedback_items,
// the way a dashboard without rollups would, and returns item counts per group.
func scanDashboardQuery(ctx context.Context, db *store.DB, ws int64, loc *time.Location, by string, from, to store.Day) (map[string]int64, error) {
	out := map[string]int64{}
	_, off := from.Start(loc).Zone() // Moscow has a fixed offset since 2014
	if by == "channel" {
		length := to - from + 1
		q := `SELECT channel, CASE WHEN occurred_at < ? THEN 1 ELSE 0 END, ` + scanCounters + ` FROM feedback_items
			WHERE workspace_id = ? AND occurred_at >= ? AND occurred_at < ? GROUP BY 1, 2`
		args := []any{from.Start(loc).UnixMilli(), ws, (from - length).Start(loc).UnixMilli(), (to + 1).Start(loc).UnixMilli()}
		return out, db.ScanQuery(ctx, q, args, func(row interface{ Scan(...any) error }) error {
			var ch string
			var prev int
			var c store.RollupCounts
			if err := row.Scan(append([]any{&ch, &prev}, counterDest(&c)...)...); err != nil {
				return err
			}
			if prev == 0 {
				out["channel="+ch] += c.Items
			}
			return nil
		})
	}
	first := store.DayFromDate(metrics.Bucket(from.Date(), time.UTC, metrics.GrainWeek).Date())
	q := `SELECT (occurred_at + ?) / 86400000, ` + scanCounters + ` FROM feedback_items
		WHERE workspace_id = ? AND occurred_at >= ? AND occurred_at < ? GROUP BY 1`
	args := []any{int64(off) * 1000, ws, (first - 7).Start(loc).UnixMilli(), (to + 1).Start(loc).UnixMilli()}
	return out, db.ScanQuery(ctx, q, args, func(row interface{ Scan(...any) error }) error {
		var day int64
		var c store.RollupCounts
		if err := row.Scan(append([]any{&day}, counterDest(&c)...)...); err != nil {
			return err
		}
		if store.Day(day) >= from {
			week := metrics.Bucket(store.Day(day).Date(), time.UTC, metrics.GrainWeek).Format(time.DateOnly)
			out["week="+week] += c.Items
		}
		return nil
	})
}

// BenchmarkDashboard measures, on SQLite and (with VOX_TEST_POSTGRES_URL)
// PostgreSQL, in one run:
//   - ingest throughput through InsertFeedback in batches of 1000, with
//     rollups (the real path) and without (same rows, rollups skipped);
//   - p50/p95 latency of a dashboard — NPS, CSAT, CES, sentiment and volume,
//     each by channel and by week over 6 months — from rollups through
//     insights.Service, and the same from a full scan of feedback_items.
//
// Run: VOX_BENCH_ITEMS=200000 go test -run '^$' -bench Dashboard -benchtime 1x ./internal/store/
// (VOX_BENCH_ENGINE=postgres runs one engine; VOX_BENCH_ROLLUPS_ONLY=1 skips
// the baseline load without rollups; VOX_BENCH_SQL_LOAD=1 loads PostgreSQL
// with one INSERT … SELECT from generate_series and RebuildRollups instead
// of the ingest path, which makes a 10M run minutes instead of hours;
// VOX_BENCH_KEEP_DB=1 keeps the PostgreSQL databases for EXPLAIN, and
// VOX_BENCH_DB=URL with VOX_BENCH_ENGINE times the queries of such a kept
// database again without loading anything.)
func BenchmarkDashboard(b *testing.B) {
	n := 200_000
	if s := os.Getenv(BenchItemsEnv); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1000 {
			b.Fatalf("%s=%q: want an integer ≥ 1000", BenchItemsEnv, s)
		}
		n = v
	}
	engines := []string{"sqlite"}
	if os.Getenv(testutil.PostgresURLEnv) != "" {
		engines = append(engines, "postgres")
	}
	if only := os.Getenv("VOX_BENCH_ENGINE"); only != "" { // e.g. a 10M run on one engine
		engines = []string{only}
	}
	for _, engine := range engines {
		b.Run(engine, func(b *testing.B) {
			open := func() *store.DB {
				if engine == "postgres" && os.Getenv("VOX_BENCH_KEEP_DB") != "" {
					return keptPostgres(b)
				}
				if engine == "postgres" {
					return testutil.Postgres(b)
				}
				return testutil.SQLite(b)
			}
			benchDashboard(b, open, n)
		})
	}
}

// keptPostgres creates and migrates a PostgreSQL database that outlives the
// benchmark (VOX_BENCH_KEEP_DB=1), so that its plans can be examined with
// EXPLAIN afterwards; its name is logged, and it is the caller's to drop.
func keptPostgres(b *testing.B) *store.DB {
	ctx := context.Background()
	dsn, _ := testutil.CreatePostgresDB(b, os.Getenv(testutil.PostgresURLEnv))
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	b.Logf("kept database %s", dsn)
	return db
}

// reuseBenchDB opens a database a previous run kept (VOX_BENCH_DB=URL or
// SQLite path) and finds its "bench" workspace, so that the queries of a
// 10M database can be timed again without loading it again.
func reuseBenchDB(b *testing.B, dsn string) (*store.DB, store.Workspace) {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	ws, err := db.WorkspaceBySlug(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return db, ws
}

func benchDashboard(b *testing.B, open func() *store.DB, n int) {
	ctx := context.Background()
	const batchSize = 1000
	batches := (n + batchSize - 1) / batchSize
	order := batches // chronological; VOX_BENCH_SHUFFLED=1 spreads every batch over the year
	if os.Getenv("VOX_BENCH_SHUFFLED") != "" {
		order = 1
	}
	ingest := func(withRollups bool) (*store.DB, store.Workspace, float64) {
		db := open()
		ws, err := db.CreateWorkspace(ctx, "bench", "Bench", "Europe/Moscow")
		if err != nil {
			b.Fatal(err)
		}
		var spent time.Duration
		for i := 0; i < batches; i++ {
			batch := benchBatch(i, order, min(batchSize, n-i*batchSize))
			t0 := time.Now()
			if withRollups {
				_, err = db.InsertFeedback(ctx, ws.ID, batch, nil)
			} else {
				err = db.InsertFeedbackWithoutRollups(ctx, ws.ID, batch)
			}
			spent += time.Since(t0)
			if err != nil {
				b.Fatal(err)
			}
		}
		return db, ws, float64(n) / spent.Seconds()
	}
	// VOX_BENCH_ROLLUPS_ONLY=1 skips the load without rollups, which only
	// gives the baseline ingest rate and doubles the setup of a 10M run.
	rateOff := 0.0
	if os.Getenv("VOX_BENCH_ROLLUPS_ONLY") == "" && os.Getenv("VOX_BENCH_DB") == "" {
		var offDB *store.DB
		offDB, _, rateOff = ingest(false)
		offDB.Close()
	}
	var db *store.DB
	var ws store.Workspace
	var rateOn float64
	if dsn := os.Getenv("VOX_BENCH_DB"); dsn != "" {
		db, ws = reuseBenchDB(b, dsn)
	} else if os.Getenv("VOX_BENCH_SQL_LOAD") != "" {
		db, ws = sqlLoad(b, open, n)
	} else {
		db, ws, rateOn = ingest(true)
		b.ReportMetric(rateOn, "items/s-rollups-on")
		b.ReportMetric(rateOff, "items/s-rollups-off")
	}

	svc := &insights.Service{DB: db}
	loc := store.LoadLocation(ws.Timezone)
	from, to := store.DayFromDate(2026, 1, 1), store.DayFromDate(2026, 6, 30)
	type query struct {
		metric, by string
	}
	var queries []query
	for _, m := range insights.MetricNames {
		queries = append(queries, query{m, "channel"}, query{m, "week"})
	}
	runRollup := func(q query) insights.Result {
		iq := insights.Query{Metric: q.metric, From: from, To: to}
		if q.by == "week" {
			iq.Grain = metrics.GrainWeek
		} else {
			iq.By = []string{q.by}
		}
		res, err := svc.Metric(ctx, ws.ID, iq)
		if err != nil {
			b.Fatal(err)
		}
		return res
	}
	// The two paths must agree before their speed is compared.
	for _, by := range []string{"channel", "week"} {
		res := runRollup(query{"volume", by})
		scan, err := scanDashboardQuery(ctx, db, ws.ID, loc, by, from, to)
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Groups) != len(scan) {
			b.Fatalf("by %s: %d rollup groups vs %d scanned", by, len(res.Groups), len(scan))
		}
		for _, g := range res.Groups {
			if k := by + "=" + g.Key[by]; scan[k] != int64(g.N) {
				b.Fatalf("%s: rollup %d vs scan %d", k, g.N, scan[k])
			}
		}
	}
	rounds := 30
	scanRounds := 5
	if n > 2_000_000 {
		scanRounds = 2
	}
	var rollQ, rollDash, scanQ, scanDash []time.Duration
	for range rounds {
		t0 := time.Now()
		for _, q := range queries {
			t := time.Now()
			runRollup(q)
			rollQ = append(rollQ, time.Since(t))
		}
		rollDash = append(rollDash, time.Since(t0))
	}
	for range scanRounds {
		t0 := time.Now()
		for _, q := range queries {
			t := time.Now()
			if _, err := scanDashboardQuery(ctx, db, ws.ID, loc, q.by, from, to); err != nil {
				b.Fatal(err)
			}
			scanQ = append(scanQ, time.Since(t))
		}
		scanDash = append(scanDash, time.Since(t0))
	}
	b.ReportMetric(ms(percentile(rollQ, 0.5)), "rollup-query-p50-ms")
	b.ReportMetric(ms(percentile(rollQ, 0.95)), "rollup-query-p95-ms")
	b.ReportMetric(ms(percentile(rollDash, 0.5)), "rollup-dashboard-p50-ms")
	b.ReportMetric(ms(percentile(rollDash, 0.95)), "rollup-dashboard-p95-ms")
	b.ReportMetric(ms(percentile(scanQ, 0.5)), "scan-query-p50-ms")
	b.ReportMetric(ms(percentile(scanQ, 0.95)), "scan-query-p95-ms")
	b.ReportMetric(ms(percentile(scanDash, 0.5)), "scan-dashboard-p50-ms")
	var sizes []string
	for _, table := range []string{"feedback_items", "rollup_slices", "rollup_cube", "rollup_topic_cube"} {
		c, err := db.CountRows(ctx, table, ws.ID)
		if err != nil {
			b.Fatal(err)
		}
		sizes = append(sizes, fmt.Sprintf("%s=%d", table, c))
	}
	b.Logf("%d items: ingest %.0f items/s with rollups, %.0f without; rollup query p50 %.2f ms p95 %.2f ms, dashboard (10 queries) p50 %.1f ms p95 %.1f ms; "+
		"scan query p50 %.1f ms p95 %.1f ms, dashboard p50 %.0f ms; rows: %s", n, rateOn, rateOff,
		ms(percentile(rollQ, 0.5)), ms(percentile(rollQ, 0.95)), ms(percentile(rollDash, 0.5)), ms(percentile(rollDash, 0.95)),
		ms(percentile(scanQ, 0.5)), ms(percentile(scanQ, 0.95)), ms(percentile(scanDash, 0.5)), strings.Join(sizes, " "))
}

// sqlLoad fills a PostgreSQL workspace with n items generated by the server
// (same value sets as benchBatch, random days over the same year) and builds
// its rollups with RebuildRollups; the dashboard check against a full scan
// then proves the rollups exact before anything is timed.
func sqlLoad(b *testing.B, open func() *store.DB, n int) (*store.DB, store.Workspace) {
	ctx := context.Background()
	db := open()
	if db.Dialect != store.Postgres {
		b.Fatal("VOX_BENCH_SQL_LOAD works on PostgreSQL only")
	}
	ws, err := db.CreateWorkspace(ctx, "bench", "Bench", "Europe/Moscow")
	if err != nil {
		b.Fatal(err)
	}
	arr := func(xs ...string) string { return "(ARRAY['" + strings.Join(xs, "','") + "'])" }
	at := func(a string, n int) string { return fmt.Sprintf("%s[1 + floor(random() * %d)::int]", a, n) }
	start := time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	year := int64(365 * 24 * time.Hour / time.Millisecond)
	topics := arr("price", "delivery", "staff", "app", "queue", "quality", "payment", "refund", "courier", "assortment",
		"cleanliness", "wait_time", "website", "loyalty", "support", "packaging", "freshness", "parking", "bonus", "return")
	q := fmt.Sprintf(`INSERT INTO feedback_items (workspace_id, kind, channel, region, segment, touchpoint, stage, lang,
		sentiment_label, text, search_text, nps, csat, csat_scale, ces, survey_id, topics, occurred_at, received_at)
	SELECT %d, kind, channel, region, segment, touchpoint, stage, lang, sentiment, 'benchmark item', 'benchmark item',
		CASE WHEN kind = 'survey_response' THEN floor(random() * 11)::int END,
		CASE WHEN kind = 'survey_response' AND csat_on THEN 1 + floor(random() * 5)::int END,
		CASE WHEN kind = 'survey_response' AND csat_on THEN 5 END,
		CASE WHEN kind = 'survey_response' AND random() < 1.0/3 THEN 1 + floor(random() * 7)::int END,
		CASE WHEN kind = 'survey_response' THEN 1 + floor(random() * 5)::int END,
		CASE floor(random() * 3)::int WHEN 0 THEN '[]' WHEN 1 THEN '["' || %s || '"]'
			ELSE '["' || %s || '","' || %s || '"]' END,
		%d + floor(random() * %d)::bigint, 0
	FROM (SELECT g, %s AS kind, %s AS channel, %s AS region, %s AS segment, %s AS touchpoint, %s AS stage, %s AS lang,
		%s AS sentiment, random() < 0.5 AS csat_on FROM generate_series(1, %d) g) s`,
		ws.ID, at(topics, 20), at(topics, 20), at(topics, 20), start, year,
		at(arr("survey_response", "survey_response", "survey_response", "review", "mention", "ticket", "chat", "other"), 8),
		at(arr("email", "sms", "telegram", "web", "widget", "app", "social", "media", "review_site", "call", "store", "other"), 12),
		at(arr("moscow", "spb", "ural", "siberia", "south", "volga", "far_east", ""), 8), at(arr("mass", "vip", "sme", ""), 4),
		at(arr("website", "mobile_app", "store", "delivery", "call_center", "support_chat", "social_media", "email", ""), 9),
		at(arr(store.JourneyStages...), len(store.JourneyStages)), at(arr("ru", "ru", "ru", "en", "zh"), 5),
		at(arr("positive", "neutral", "negative", "negative", ""), 5), n)
	t0 := time.Now()
	if err := db.ScanQuery(ctx, `SELECT setseed(0.42)`, nil, func(interface{ Scan(...any) error }) error { return nil }); err != nil {
		b.Fatal(err)
	}
	if err := db.ExecBench(ctx, q); err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d items in %s", n, time.Since(t0).Round(time.Second))
	t0 = time.Now()
	if err := db.RebuildRollups(ctx, ws.ID); err != nil {
		b.Fatal(err)
	}
	b.Logf("rebuilt rollups in %s", time.Since(t0).Round(time.Second))
	if os.Getenv("VOX_BENCH_ANALYZE") != "" { // planner statistics, as autovacuum would gather them later
		if err := db.ExecBench(ctx, `ANALYZE`); err != nil {
			b.Fatal(err)
		}
	}
	return db, ws
}
