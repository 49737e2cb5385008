package main

import (
	"context"
	"fmt"
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

	"vox/internal/store"
)

// TestMain lets a test start this binary as `vox`: with VOX_TEST_MAIN set,
// the test executable runs the command line in VOX_TEST_ARGS instead of the
// tests, so a real process can be killed with SIGKILL.
func TestMain(m *testing.M) {
	if args := os.Getenv("VOX_TEST_ARGS"); os.Getenv("VOX_TEST_MAIN") == "1" {
		os.Exit(run(context.Background(), strings.Fields(args), os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// startVox starts `vox serve` on the database at dsn and returns its base
// URL once it answers /readyz.
func startVox(t *testing.T, dsn string) (*exec.Cmd, string) {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "VOX_TEST_MAIN=1",
		"VOX_TEST_ARGS=serve --addr 127.0.0.1:"+port+" --log-level warn", "VOX_DATABASE_URL="+dsn)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	base := "http://127.0.0.1:" + port
	for i := 0; i < 300; i++ {
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

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, port, _ := strings.Cut(l.Addr().String(), ":")
	return port
}

// TestAcknowledgedWritesSurviveKill9 posts batches from several clients,
// kills the server with SIGKILL in the middle, restarts it, and checks that
// every batch answered 2xx is stored exactly once, and that retrying the
// unanswered ones with their idempotency keys completes the set.
func TestAcknowledgedWritesSurviveKill9(t *testing.T) {
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

	cmd, base := startVox(t, dsn)
	post := func(batch int) (int, error) {
		var items []string
		for i := 0; i < 50; i++ {
			items = append(items, fmt.Sprintf(`{"text":"batch %d item %d: курьер опоздал","nps":%d}`, batch, i, i%11))
		}
		req, _ := http.NewRequest("POST", base+"/api/v1/feedback", strings.NewReader(`{"items":[`+strings.Join(items, ",")+`]}`))
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Idempotency-Key", fmt.Sprintf("batch-%d", batch))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		return resp.StatusCode, nil
	}
	var mu sync.Mutex
	acked := map[int]bool{}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for b := w; ; b += 4 {
				select {
				case <-stop:
					return
				default:
				}
				if code, err := post(b); err == nil && code/100 == 2 {
					mu.Lock()
					acked[b] = true
					mu.Unlock()
				} else if err != nil {
					return
				}
			}
		}(w)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	close(stop)
	wg.Wait()
	if len(acked) == 0 {
		t.Fatal("no batch was acknowledged before the kill")
	}

	cmd, base = startVox(t, dsn)
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()
	maxBatch := 0
	for b := range acked {
		maxBatch = max(maxBatch, b)
	}
	// Retry every batch up to the highest acknowledged one (and a few more):
	// acknowledged ones replay, lost ones are stored now, none twice.
	for b := 0; b <= maxBatch+4; b++ {
		code, err := post(b)
		if err != nil || code/100 != 2 {
			t.Fatalf("retry batch %d: %d %v", b, code, err)
		}
	}
	db, err = store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n, err := db.CountFeedback(ctx, ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := (maxBatch + 5) * 50; n != want {
		t.Fatalf("stored %d items after kill -9 and retries, want %d (acknowledged batches: %d)", n, want, len(acked))
	}
	t.Logf("%d batches acknowledged before SIGKILL; all %d items present once after restart and retries", len(acked), n)
}
