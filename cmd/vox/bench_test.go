package main

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
)

// TestBenchCommand runs a small `vox bench`: every figure and its baseline is
// printed, and the throwaway databases are gone afterwards.
func TestBenchCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"bench", "--items", "2000", "--analyze", "100ms", "--dir", dir}, &out, &errOut); code != 0 {
		t.Fatalf("exit %d: %s %s", code, out.String(), errOut.String())
	}
	for _, want := range []string{"analyze, texts/s", "ingest with analysis", "raw INSERT", "ratio", "dashboard, 10 queries", "full scan"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if left, _ := os.ReadDir(dir); len(left) != 0 {
		t.Errorf("bench left %d files behind", len(left))
	}
	if code := run(context.Background(), []string{"bench", "--items", "10"}, &out, &errOut); code == 0 {
		t.Error("--items 10 was accepted")
	}
}
