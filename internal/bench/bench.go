// Package bench is `vox bench`: the performance targets of DESIGN.md measured
// on the machine Vox runs on, each against a baseline taken in the same run
// (shared machines are noisy, so only same-run ratios mean much). It works
// on throwaway SQLite files in a temporary directory and never touches the
// configured database.
package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"vox/internal/analytics"
	"vox/internal/demo"
	"vox/internal/ingest"
	"vox/internal/insights"
	"vox/internal/metrics"
	"vox/internal/store"
)

// Options size a run.
type Options struct {
	Items   int           // items ingested and then queried (default 100,000)
	Analyze time.Duration // how long the analyser is timed (default 3 s)
	Dir     string        // where the temporary databases go (default os.TempDir())
}

// Batch is the ingest batch size, as the API and importers send them.
const Batch = 1000

// Run measures analysis, ingest and dashboard queries and prints a table.
func Run(ctx context.Context, opt Options, out io.Writer) error {
	if opt.Items <= 0 {
		opt.Items = 100_000
	}
	if opt.Analyze <= 0 {
		opt.Analyze = 3 * time.Second
	}
	dir, err := os.MkdirTemp(opt.Dir, "vox-bench-")
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	texts := demo.SampleTexts(20_000, 1)
	fmt.Fprintf(out, "vox bench: %d items, SQLite files in %s\n\n", opt.Items, dir)

	rate, err := analyzeRate(texts, opt.Analyze)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%-34s %12s  (target ≥ 50,000 per core)\n", "analyze, texts/s on one core", thousands(rate))

	raw, err := rawIngestRate(ctx, filepath.Join(dir, "raw.db"), opt.Items, texts)
	if err != nil {
		return err
	}
	db, ws, svc, err := serviceIngest(ctx, filepath.Join(dir, "vox.db"), opt.Items, texts)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(out, "%-34s %12s  (target ≥ 20,000 and ≥ 0.5× raw)\n", "ingest with analysis, items/s", thousands(svc))
	fmt.Fprintf(out, "%-34s %12s  ratio %.2f\n", "baseline: raw INSERT, items/s", thousands(raw), svc/raw)

	dash, scan, err := dashboard(ctx, db, ws, filepath.Join(dir, "vox.db"))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%-34s %8.1f / %.1f ms  (target p95 ≤ 50 ms)\n", "dashboard, 10 queries, p50 / p95", ms(pct(dash, 0.5)), ms(pct(dash, 0.95)))
	fmt.Fprintf(out, "%-34s %8.1f / %.1f ms\n", "baseline: same from a full scan", ms(pct(scan, 0.5)), ms(pct(scan, 0.95)))
	return nil
}

// analyzeRate is texts/s of the analyser on one goroutine.
func analyzeRate(texts []string, d time.Duration) (float64, error) {
	a, err := analytics.New()
	if err != nil {
		return 0, fmt.Errorf("bench: analyzer: %w", err)
	}
	n, start := 0, time.Now()
	for time.Since(start) < d {
		for range 1000 {
			a.Analyze(texts[n%len(texts)], "")
			n++
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// Items returns batch number i of batches of a stream of realistic items
// over the last 180 days, in time order as live ingest delivers them (batch
// i covers the i-th slice): texts from the demo's bank, NPS on every item,
// CSAT on a third, a customer on one in five, and the usual slices.
func Items(i, batches, size int, texts []string) []ingest.Item {
	r := rand.New(rand.NewPCG(uint64(i), 99))
	span := 180 * 24 * time.Hour / time.Duration(batches)
	start := time.Now().Truncate(time.Hour).Add(-180 * 24 * time.Hour).Add(span * time.Duration(i))
	out := make([]ingest.Item, size)
	for j := range out {
		k := i*Batch + j
		at := start.Add(time.Duration(r.Int64N(int64(span))))
		it := ingest.Item{ExternalID: fmt.Sprintf("bench-%d", k), Kind: "survey_response",
			Channel: pick(r, "email", "sms", "telegram", "web", "widget"), Text: texts[k%len(texts)],
			Region: pick(r, "Moscow", "Kazan", "Shanghai", "London", "New York"), Segment: pick(r, "vip", "smb", "consumer"),
			Touchpoint: pick(r, "delivery", "store", "website", "support"), Stage: pick(r, store.JourneyStages...), OccurredAt: &at}
		nps := r.IntN(11)
		it.NPS = &nps
		if r.IntN(3) == 0 {
			csat, scale := 1+r.IntN(5), 5
			it.CSAT, it.CSATScale = &csat, &scale
		}
		if r.IntN(5) == 0 {
			it.Customer = &ingest.CustomerRef{Email: fmt.Sprintf("customer%d@example.com", r.IntN(size*10))}
		}
		out[j] = it
	}
	return out
}

func pick(r *rand.Rand, xs ...string) string { return xs[r.IntN(len(xs))] }

func serviceIngest(ctx context.Context, path string, n int, texts []string) (*store.DB, store.Workspace, float64, error) {
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return nil, store.Workspace{}, 0, err
	}
	fail := func(err error) (*store.DB, store.Workspace, float64, error) {
		db.Close()
		return nil, store.Workspace{}, 0, fmt.Errorf("bench: ingest: %w", err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		return fail(err)
	}
	ws, err := db.CreateWorkspace(ctx, "bench", "Bench", "Europe/Moscow")
	if err != nil {
		return fail(err)
	}
	a, err := ingest.NewTextAnalyzer()
	if err != nil {
		return fail(err)
	}
	svc := &ingest.Service{DB: db, Analyzer: a}
	var spent time.Duration
	for i := 0; i*Batch < n; i++ {
		items := Items(i, (n+Batch-1)/Batch, min(Batch, n-i*Batch), texts)
		t0 := time.Now()
		if _, err := svc.Ingest(ctx, ws.ID, items, ""); err != nil {
			return fail(err)
		}
		spent += time.Since(t0)
	}
	return db, ws, float64(n) / spent.Seconds(), nil
}

// rawColumns are what the raw baseline writes: the item without analysis,
// customers, rollups or validation.
var rawColumns = []string{"id", "workspace_id", "kind", "channel", "text", "search_text", "nps", "region", "segment",
	"touchpoint", "stage", "occurred_at", "received_at", "external_id"}

// RawInsert writes items as multi-row INSERTs of 200 rows in one
// transaction, ids from firstID: the fastest way the same rows reach the
// same schema, the baseline ingest is compared with.
func RawInsert(ctx context.Context, raw *sql.DB, postgres bool, workspaceID, firstID int64, items []ingest.Item) error {
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for s := 0; s < len(items); s += 200 {
		e := min(s+200, len(items))
		var sb strings.Builder
		sb.WriteString("INSERT INTO feedback_items (" + strings.Join(rawColumns, ",") + ") VALUES ")
		args := make([]any, 0, (e-s)*len(rawColumns))
		for j := s; j < e; j++ {
			if j > s {
				sb.WriteByte(',')
			}
			sb.WriteByte('(')
			for c := range rawColumns {
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
			var nps any
			if it.NPS != nil {
				nps = *it.NPS
			}
			args = append(args, firstID+int64(j), workspaceID, "survey_response", it.Channel, it.Text,
				strings.ToLower(it.Text), nps, it.Region, it.Segment, it.Touchpoint, it.Stage,
				it.OccurredAt.UnixMilli(), time.Now().UnixMilli(), it.ExternalID)
		}
		if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// SQLiteDSN opens path with the pragmas Vox's writer uses.
func SQLiteDSN(path string) string {
	return "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)" +
		"&_pragma=synchronous(NORMAL)&_pragma=cache_size(-65536)&_txlock=immediate"
}

func rawIngestRate(ctx context.Context, path string, n int, texts []string) (float64, error) {
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return 0, err
	}
	_, err = db.Migrate(ctx)
	db.Close()
	if err != nil {
		return 0, fmt.Errorf("bench: raw: %w", err)
	}
	raw, err := sql.Open("sqlite", SQLiteDSN(path))
	if err != nil {
		return 0, err
	}
	defer raw.Close()
	raw.SetMaxOpenConns(1)
	if _, err := raw.ExecContext(ctx, `INSERT INTO workspaces (id, slug, name, timezone, created_at) VALUES (1, 'raw', 'Raw', 'UTC', 0)`); err != nil {
		return 0, fmt.Errorf("bench: raw: %w", err)
	}
	var spent time.Duration
	for i := 0; i*Batch < n; i++ {
		items := Items(i, (n+Batch-1)/Batch, min(Batch, n-i*Batch), texts)
		t0 := time.Now()
		if err := RawInsert(ctx, raw, false, 1, int64(i*Batch+1), items); err != nil {
			return 0, fmt.Errorf("bench: raw: %w", err)
		}
		spent += time.Since(t0)
	}
	return float64(n) / spent.Seconds(), nil
}

// dashboard times the 10-query dashboard (5 metrics by channel and by week
// over the last 90 days) from rollups, and the same answers from a full scan
// of the items, per round.
func dashboard(ctx context.Context, db *store.DB, ws store.Workspace, path string) (rollups, scans []time.Duration, err error) {
	svc := &insights.Service{DB: db}
	loc := store.LoadLocation(ws.Timezone)
	to := store.DayOf(time.Now(), loc)
	from := to - 89
	for round := 0; round < 20; round++ {
		t0 := time.Now()
		for _, m := range insights.MetricNames {
			for _, by := range []string{"channel", "week"} {
				q := insights.Query{Metric: m, From: from, To: to}
				if by == "week" {
					q.Grain = metrics.GrainWeek
				} else {
					q.By = []string{by}
				}
				if _, err := svc.Metric(ctx, ws.ID, q); err != nil {
					return nil, nil, fmt.Errorf("bench: dashboard: %w", err)
				}
			}
		}
		rollups = append(rollups, time.Since(t0))
	}
	raw, err := sql.Open("sqlite", SQLiteDSN(path)+"&_pragma=query_only(1)")
	if err != nil {
		return nil, nil, err
	}
	defer raw.Close()
	lo, hi := (from - 90).Start(loc).UnixMilli(), (to + 1).Start(loc).UnixMilli()
	_, off := time.Now().In(loc).Zone()
	scanBy := map[string]string{"channel": "channel", "week": fmt.Sprintf("(occurred_at + %d) / 604800000", off*1000)}
	for round := 0; round < 3; round++ {
		t0 := time.Now()
		for range insights.MetricNames {
			for _, by := range []string{"channel", "week"} {
				rows, err := raw.QueryContext(ctx, `SELECT `+scanBy[by]+`, COUNT(*),
					SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END), SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END),
					SUM(CASE WHEN csat >= 4 THEN 1 ELSE 0 END), SUM(CASE WHEN sentiment_label = 'negative' THEN 1 ELSE 0 END)
					FROM feedback_items WHERE workspace_id = ? AND occurred_at >= ? AND occurred_at < ? GROUP BY 1`, ws.ID, lo, hi)
				if err != nil {
					return nil, nil, fmt.Errorf("bench: scan: %w", err)
				}
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
				if err != nil {
					return nil, nil, fmt.Errorf("bench: scan: %w", err)
				}
			}
		}
		scans = append(scans, time.Since(t0))
	}
	return rollups, scans, nil
}

func pct(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, int(q*float64(len(s))))]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// thousands formats a rate as 12,345.
func thousands(v float64) string {
	s := fmt.Sprintf("%d", int64(v+0.5))
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
