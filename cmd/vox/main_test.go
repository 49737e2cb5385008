package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDemoStartsOnEmptyDataDir runs `vox demo` as a user would (small data
// size), waits for its three lines and checks that the server answers and
// that the printed API key works.
func TestDemoStartsOnEmptyDataDir(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"demo", "--data-dir", t.TempDir(), "--addr", "127.0.0.1:0", "--items", "400",
			"--log-level", "warn"}, outW, io.Discard)
		outW.Close()
	}()
	lines := map[string]string{}
	sc := bufio.NewScanner(outR)
	deadline := time.After(3 * time.Minute)
	for len(lines) < 3 {
		got := make(chan bool, 1)
		go func() { got <- sc.Scan() }()
		select {
		case ok := <-got:
			if !ok {
				t.Fatalf("demo exited early (code %v); lines so far %v", <-done, lines)
			}
			k, v, _ := strings.Cut(sc.Text(), ": ")
			lines[k] = v
		case <-deadline:
			t.Fatal("demo did not print its URL in time")
		}
	}
	go func() { _, _ = io.Copy(io.Discard, outR) }()
	for _, k := range []string{"URL", "Login", "API key"} {
		if lines[k] == "" {
			t.Fatalf("missing %q line: %v", k, lines)
		}
	}
	resp, err := http.Get(lines["URL"] + "/healthz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz: %v %v", resp, err)
	}
	resp.Body.Close()
	req, _ := http.NewRequest("GET", lines["URL"]+"/api/v1/feedback?limit=5", nil)
	req.Header.Set("Authorization", "Bearer "+lines["API key"])
	resp, err = http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("API with the printed key: %v %v", resp, err)
	}
	resp.Body.Close()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("demo exit code %d after shutdown", code)
	}
}

func TestUnknownCommandAndHelp(t *testing.T) {
	var out, errb strings.Builder
	if code := run(context.Background(), []string{"frobnicate"}, &out, &errb); code != 2 {
		t.Fatalf("unknown command exit %d", code)
	}
	if !strings.Contains(errb.String(), "unknown command") {
		t.Fatal(errb.String())
	}
	out.Reset()
	if code := run(context.Background(), []string{"help"}, &out, &errb); code != 0 || !strings.Contains(out.String(), "demo") {
		t.Fatalf("help: %d %s", code, out.String())
	}
	errb.Reset()
	if code := run(context.Background(), []string{"serve", "--addr", "nope"}, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "--addr") {
		t.Fatalf("bad addr: %d %s", code, errb.String())
	}
}
