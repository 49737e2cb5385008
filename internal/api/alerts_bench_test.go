package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestWebhookLatencyUnderLoad measures, through the real HTTP API, the time
// from a detractor's POST /api/v1/feedback to the signed alert.triggered
// webhook arriving at a local receiver, while two clients ingest promoter
// batches in the background; then the delivery throughput of
// feedback.created events. It is a measurement, not a unit test: run it with
//
//	VOX_BENCH_WEBHOOK=1 go test ./internal/api -run WebhookLatency -v
//
// (VOX_BENCH_DB=postgres measures on VOX_TEST_POSTGRES_URL instead of SQLite).
func TestWebhookLatencyUnderLoad(t *testing.T) {
	if os.Getenv("VOX_BENCH_WEBHOOK") == "" {
		t.Skip("set VOX_BENCH_WEBHOOK=1 to measure")
	}
	var db *store.DB
	if os.Getenv("VOX_BENCH_DB") == "postgres" {
		db = testutil.Postgres(t)
	} else {
		db = testutil.SQLite(t)
	}
	e, _, w := newAlertEnv(t, db, true)
	_ = w
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	var delivered atomic.Int64
	rcv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		var ev struct {
			Type string
			Data struct {
				Item struct {
					ExternalID string `json:"external_id"`
				}
			}
		}
		_ = json.NewDecoder(r.Body).Decode(&ev)
		now := time.Now()
		if ev.Type == "alert.triggered" {
			mu.Lock()
			arrived[ev.Data.Item.ExternalID] = now
			mu.Unlock()
		} else {
			delivered.Add(1)
		}
		rw.WriteHeader(204)
	}))
	defer rcv.Close()
	if r := e.do("POST", "/api/v1/webhooks", map[string]any{"url": rcv.URL, "events": []string{"alert.triggered"}}); r.Status != 201 {
		t.Fatal(string(r.Raw))
	}
	if r := e.do("POST", "/api/v1/rules", `{"name":"detractor","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"webhook"}]}`); r.Status != 201 {
		t.Fatal(string(r.Raw))
	}

	stop := make(chan struct{})
	var bg sync.WaitGroup
	var ingested atomic.Int64
	for c := range 2 {
		bg.Add(1)
		go func() {
			defer bg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				items := make([]map[string]any, 100)
				for i := range items {
					items[i] = map[string]any{"text": "всё отлично, спасибо", "nps": 9, "external_id": fmt.Sprintf("bg-%d-%d-%d", c, n, i),
						"customer": map[string]any{"email": fmt.Sprintf("c%d@example.com", i)}}
				}
				if r := e.do("POST", "/api/v1/feedback", map[string]any{"items": items}); r.Status != 201 {
					t.Errorf("background batch: %d", r.Status)
					return
				}
				ingested.Add(100)
			}
		}()
	}
	time.Sleep(300 * time.Millisecond)
	n := 300
	if v := os.Getenv("VOX_BENCH_N"); v != "" {
		fmt.Sscan(v, &n)
	}
	sent := map[string]time.Time{}
	var postLat []time.Duration
	loadStart, loadBase := time.Now(), ingested.Load()
	for i := range n {
		ext := fmt.Sprintf("det-%d", i)
		sent[ext] = time.Now()
		if r := e.do("POST", "/api/v1/feedback", map[string]any{"text": "ужасно, 很差", "nps": 2, "external_id": ext,
			"customer": map[string]any{"email": "angry@example.com"}}); r.Status != 201 {
			t.Fatal(string(r.Raw))
		}
		postLat = append(postLat, time.Since(sent[ext]))
		time.Sleep(10 * time.Millisecond)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		got := len(arrived)
		mu.Unlock()
		if got >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	loadRate := float64(ingested.Load()-loadBase) / time.Since(loadStart).Seconds()
	close(stop)
	bg.Wait()
	var lat []time.Duration
	mu.Lock()
	for ext, t0 := range sent {
		if at, ok := arrived[ext]; ok {
			lat = append(lat, at.Sub(t0))
		}
	}
	mu.Unlock()
	if len(lat) != n {
		t.Fatalf("%d of %d detractor webhooks arrived", len(lat), n)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	sort.Slice(postLat, func(i, j int) bool { return postLat[i] < postLat[j] })
	t.Logf("%s: the POST alone (item committed, jobs queued): p50 %v, p99 %v", db.Dialect, postLat[len(postLat)/2], postLat[len(postLat)*99/100])
	t.Logf("%s: detractor POST → signed webhook, n=%d, background ingest %.0f items/s: p50 %v, p90 %v, p99 %v, max %v",
		db.Dialect, n, loadRate, pct(0.50), pct(0.90), pct(0.99), lat[len(lat)-1])

	// Throughput: 5000 feedback.created events to one endpoint.
	if r := e.do("POST", "/api/v1/webhooks", map[string]any{"url": rcv.URL, "events": []string{"feedback.created"}}); r.Status != 201 {
		t.Fatal(string(r.Raw))
	}
	const events = 5000
	start := time.Now()
	// Batches of 100: see the note on execPrepared in the report (a batch
	// of 200+ rows deadlocks SQLite's single writer in the current store).
	for b := range events / 100 {
		items := make([]map[string]any, 100)
		for i := range items {
			items[i] = map[string]any{"text": "ok", "nps": 8, "external_id": fmt.Sprintf("tp-%d-%d", b, i)}
		}
		if r := e.do("POST", "/api/v1/feedback", map[string]any{"items": items}); r.Status != 201 {
			t.Fatal(string(r.Raw))
		}
	}
	for delivered.Load() < events && time.Since(start) < 120*time.Second {
		time.Sleep(20 * time.Millisecond)
	}
	el := time.Since(start)
	t.Logf("%s: %d feedback.created deliveries in %v: %.0f deliveries/s (worker batch 16, parallel 8)",
		db.Dialect, delivered.Load(), el.Round(time.Millisecond), float64(delivered.Load())/el.Seconds())
}
