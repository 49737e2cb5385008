package main

import (
	"context"
	"errors"
	"io"
	"time"

	"vox/internal/bench"
)

// runBench measures the performance targets on this machine, each against a
// baseline taken in the same run, on throwaway databases.
func runBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, _ := newFlags("bench", stderr)
	items := fs.Int("items", 100_000, "items to ingest and then query")
	analyze := fs.Duration("analyze", 3*time.Second, "how long to time the analyser")
	dir := fs.String("dir", "", "where the temporary databases go (default: the system's temporary directory)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *items < bench.Batch {
		return errors.New("usage: vox bench [--items N ≥ 1000] [--analyze 3s] [--dir DIR]")
	}
	return bench.Run(ctx, bench.Options{Items: *items, Analyze: *analyze, Dir: *dir}, stdout)
}
