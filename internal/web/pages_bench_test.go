package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/demo"
	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// BenchmarkPages measures the server time of each main page on the demo
// data (VOX_BENCH_ITEMS items, default 24000 like `vox demo`), logged in as
// the owner, and reports p50/p95, the process's CPU time per request
// (cpu-ms/op: what a page costs when the machine is loaded and wall times
// mostly wait for a core) and the page weight:
//
//	go test -run '^$' -bench Pages -benchtime 50x ./internal/web/
//
// A 1M-item workspace takes many minutes to build: VOX_BENCH_DB names a
// SQLite file to seed once and reuse (a side file records the item count it
// was seeded with; a different count reseeds a fresh file). The reused data
// ages: its days stay where they were seeded, so reseed after a few days.
func BenchmarkPages(b *testing.B) {
	items := 24000
	if v, err := strconv.Atoi(os.Getenv("VOX_BENCH_ITEMS")); err == nil && v > 0 {
		items = v
	}
	ctx := context.Background()
	db := benchDB(b, ctx, items)
	ws, err := db.WorkspaceBySlug(ctx, demo.MainWorkspace)
	if err != nil {
		b.Fatal(err)
	}
	page, err := db.ListFeedback(ctx, ws.ID, store.FeedbackFilter{Kind: "survey_response", Limit: 1})
	if err != nil || len(page.Items) == 0 || page.Items[0].CustomerID == nil {
		b.Fatalf("no survey answer with a customer: %v", err)
	}
	// With the alerting service, as `vox serve` runs it: the overview's case card reads it.
	srv := httptest.NewServer(New(db, Options{Alerts: alert.New(db, alert.Options{})}).Handler())
	defer srv.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(srv.URL + "/login")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	tok := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(body)
	if _, err := c.PostForm(srv.URL+"/login", url.Values{"email": {demo.OwnerEmail}, "password": {demo.DemoPassword}, "csrf": {string(tok[1])}}); err != nil {
		b.Fatal(err)
	}
	id := func(v int64) string { return strconv.FormatInt(v, 10) }
	for _, p := range []struct{ name, path string }{
		{"overview", "/"},
		{"overview_filtered", "/?channel=telegram&region=Moscow"},
		{"feedback", "/feedback"},
		{"feedback_search", "/feedback?q=" + url.QueryEscape("доставка")},
		{"feedback_item", "/feedback/" + id(page.Items[0].ID)},
		{"customer", "/customers/" + id(*page.Items[0].CustomerID)},
		{"employees", "/employees"},
		{"mentions", "/mentions"},
		{"export_csv", "/feedback/export?format=csv&channel=telegram"},
	} {
		b.Run(p.name, func(b *testing.B) {
			var times []time.Duration
			size := 0
			cpu := processCPU()
			for b.Loop() {
				start := time.Now()
				res, err := c.Get(srv.URL + p.path)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				times = append(times, time.Since(start))
				if res.StatusCode != http.StatusOK {
					b.Fatalf("%s: %d", p.path, res.StatusCode)
				}
				size = int(n)
			}
			cpu = processCPU() - cpu
			slices.Sort(times)
			q := func(f float64) float64 { return float64(times[int(f*float64(len(times)-1))].Microseconds()) / 1000 }
			b.ReportMetric(q(0.5), "p50-ms")
			b.ReportMetric(q(0.95), "p95-ms")
			b.ReportMetric(float64(size)/1024, "KiB")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(times)), "cpu-ms/op")
		})
	}
}

// benchDB returns a migrated database holding the demo data with items
// items: a fresh one in the test's temp dir, or the file VOX_BENCH_DB names,
// seeded only when its marker does not say it already holds them.
func benchDB(b *testing.B, ctx context.Context, items int) *store.DB {
	b.Helper()
	path := os.Getenv("VOX_BENCH_DB")
	var db *store.DB
	if path == "" {
		db = testutil.SQLite(b)
	} else {
		marker := path + ".seeded"
		if got, err := os.ReadFile(marker); err == nil && string(got) == strconv.Itoa(items) {
			return openBenchDB(b, ctx, path)
		}
		for _, suffix := range []string{"", "-wal", "-shm", ".seeded"} {
			if err := os.Remove(path + suffix); err != nil && !os.IsNotExist(err) {
				b.Fatal(err)
			}
		}
		db = openBenchDB(b, ctx, path)
		defer func() {
			if !b.Failed() {
				if err := os.WriteFile(marker, []byte(strconv.Itoa(items)), 0o644); err != nil {
					b.Fatal(err)
				}
			}
		}()
	}
	analyzer, err := ingest.NewTextAnalyzer()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, &ingest.Service{DB: db, Analyzer: analyzer}, demo.Options{Seed: 1, Items: items, Now: time.Now()}, nil); err != nil {
		b.Fatal(err)
	}
	return db
}

// openBenchDB opens and migrates the SQLite file at path, closed when the
// benchmark ends.
func openBenchDB(b *testing.B, ctx context.Context, path string) *store.DB {
	b.Helper()
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	return db
}
