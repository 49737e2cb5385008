package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/store"
)

// startVoxWith is startVox with extra environment settings.
func startVoxWith(t *testing.T, dsn string, env ...string) (*exec.Cmd, string) {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(append(os.Environ(), "VOX_TEST_MAIN=1",
		"VOX_TEST_ARGS=serve --addr 127.0.0.1:"+port+" --log-level error", "VOX_DATABASE_URL="+dsn), env...)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://127.0.0.1:" + port
	for range 300 {
		if resp, err := http.Get(base + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return cmd, base
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Kill()
	t.Fatal("vox serve did not become ready")
	return nil, ""
}

// hookLog is a webhook receiver that checks each Standard Webhooks
// signature and records what arrived.
type hookLog struct {
	secret string
	mu     sync.Mutex
	byID   map[string]int // webhook-id → deliveries
	byItem map[string]int // external id of the item → alert.triggered deliveries
	bad    []string
}

func (h *hookLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	id, ts := r.Header.Get("webhook-id"), r.Header.Get("webhook-timestamp")
	key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(h.secret, "whsec_"))
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id + "." + ts + "." + string(body)))
	want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
	var ev struct {
		Type string `json:"type"`
		Data struct {
			Item struct {
				ExternalID string `json:"external_id"`
			} `json:"item"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &ev)
	h.mu.Lock()
	defer h.mu.Unlock()
	if !strings.Contains(" "+r.Header.Get("webhook-signature")+" ", " "+want+" ") {
		h.bad = append(h.bad, id)
	}
	h.byID[id]++
	if ev.Type == alert.EventAlertTriggered {
		h.byItem[ev.Data.Item.ExternalID]++
	}
	w.WriteHeader(http.StatusNoContent)
}

// TestWebhooksSurviveKill9 posts detractor answers matching a webhook rule
// while the receiver is down, kills `vox serve` with SIGKILL, brings the
// receiver up and restarts Vox: every answer acknowledged with 2xx gets its
// signed alert.triggered webhook, and no webhook-id arrives twice.
func TestWebhooksSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("about a minute: a delivery cut by the kill waits for its job lease")
	}
	// The shortest lease allowed, so a delivery cut by the kill is retried
	// after 30 s rather than the default 2 minutes.
	lease := "VOX_JOB_LEASE=30s"
	dsn := filepath.Join(t.TempDir(), "vox.db")
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	ws, _ := db.CreateWorkspace(ctx, "acme", "Acme", "UTC")
	_, key, _ := db.CreateAPIKey(ctx, ws.ID, "crash")
	db.Close()

	// The receiver's address is reserved but nobody listens: it is down.
	rcvAddr := "127.0.0.1:" + freePort(t)
	allow := "VOX_WEBHOOK_ALLOW=127.0.0.0/8"
	cmd, base := startVoxWith(t, dsn, allow, lease)
	call := func(method, path, body string) (int, map[string]any, error) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil, err
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out, nil
	}
	code, hook, err := call("POST", "/api/v1/webhooks", `{"url":"http://`+rcvAddr+`/hook","events":["alert.triggered"]}`)
	if err != nil || code != 201 {
		t.Fatalf("create webhook: %d %v %v", code, hook, err)
	}
	rcv := &hookLog{secret: hook["secret"].(string), byID: map[string]int{}, byItem: map[string]int{}}
	if code, body, err := call("POST", "/api/v1/rules", `{"name":"Detractor","conditions":[{"field":"nps","op":"lte","value":6}],
		"actions":[{"type":"webhook"},{"type":"open_case"}]}`); err != nil || code != 201 {
		t.Fatalf("create rule: %d %v %v", code, body, err)
	}

	var mu sync.Mutex
	acked := map[string]bool{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				ext := fmt.Sprintf("w%d-%d", w, n)
				code, _, err := call("POST", "/api/v1/feedback", `{"text":"курьер опоздал","nps":2,"external_id":"`+ext+`"}`)
				if err != nil {
					return
				}
				if code/100 == 2 {
					mu.Lock()
					acked[ext] = true
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(time.Second)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no answer was acknowledged before the kill")
	}

	db, err = store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	done, _ := db.Jobs(ctx, ws.ID, store.JobDone, alert.KindWebhook, 1)
	if len(done) != 0 {
		t.Fatal("a webhook was delivered while the receiver was down")
	}
	db.Close()

	ln, err := net.Listen("tcp", rcvAddr)
	if err != nil {
		t.Fatalf("receiver up: %v", err)
	}
	srv := &http.Server{Handler: rcv}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()
	restart := time.Now()
	cmd, _ = startVoxWith(t, dsn, allow, lease)
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	// Retries are due 5 s after the failed first attempts; a job that was
	// being attempted when Vox died waits for its 30-second lease.
	missing := func() int {
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		n := 0
		for ext := range acked {
			if rcv.byItem[ext] == 0 {
				n++
			}
		}
		return n
	}
	deadline := time.Now().Add(3 * time.Minute)
	for missing() > 0 && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
	}
	took := time.Since(restart)
	time.Sleep(time.Second) // let any duplicate arrive
	if n := missing(); n > 0 {
		t.Fatalf("%d of %d acknowledged answers got no webhook after restart", n, len(acked))
	}
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	for id, n := range rcv.byID {
		if n > 1 {
			t.Errorf("webhook-id %s delivered %d times", id, n)
		}
	}
	for ext, n := range rcv.byItem {
		if n > 1 {
			t.Errorf("item %s: %d alert.triggered deliveries", ext, n)
		}
	}
	if len(rcv.bad) > 0 {
		t.Errorf("%d deliveries with a bad signature", len(rcv.bad))
	}
	t.Logf("%d answers acknowledged before SIGKILL; %d webhooks delivered once each, the last %v after the restart",
		len(acked), len(rcv.byID), took.Round(10*time.Millisecond))
}
