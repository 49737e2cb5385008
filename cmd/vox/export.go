package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"

	"vox/internal/export"
	"vox/internal/store"
)

// runExport writes a workspace's feedback items, or a filtered part of them,
// as CSV, XLSX or JSONL: the explorer's download without its row cap.
func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, load := newFlags("export", stderr)
	workspace := fs.String("workspace", "", "workspace slug (required)")
	format := fs.String("format", "jsonl", "csv, xlsx or jsonl (jsonl keeps every stored field)")
	from := fs.String("from", "", "first day YYYY-MM-DD in the workspace's time zone (default: the beginning)")
	to := fs.String("to", "", "last day YYYY-MM-DD, inclusive (default: the end)")
	var f store.FeedbackFilter
	fs.StringVar(&f.Channel, "channel", "", "only this channel")
	fs.StringVar(&f.Kind, "kind", "", "only this kind (survey_response, review, mention, ticket, …)")
	fs.StringVar(&f.Lang, "lang", "", "only this language (ru, zh, en, …)")
	fs.StringVar(&f.Q, "q", "", "only items whose text or author contains this")
	out := fs.String("out", "-", "output file; - for stdout")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *workspace == "" || fs.NArg() > 0 {
		return errors.New("usage: vox export --workspace SLUG [--format csv|xlsx|jsonl] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--channel C] [--kind K] [--lang L] [--q TEXT] [--out FILE]")
	}
	if !slices.Contains(export.Formats, *format) {
		return fmt.Errorf("--format: %q is not one of csv, xlsx, jsonl", *format)
	}
	e, ws, err := openWorkspace(ctx, load, *workspace)
	if err != nil {
		return err
	}
	defer e.db.Close()
	loc := store.LoadLocation(ws.Timezone)
	if *from != "" {
		d, err := store.ParseDay(*from)
		if err != nil {
			return errors.New("--from: must be a date YYYY-MM-DD")
		}
		f.From = d.Start(loc)
	}
	if *to != "" {
		d, err := store.ParseDay(*to)
		if err != nil {
			return errors.New("--to: must be a date YYYY-MM-DD")
		}
		f.To = (d + 1).Start(loc)
	}
	write := func(w io.Writer) (int, error) {
		ew, err := export.NewWriter(*format, w, loc)
		if err != nil {
			return 0, err
		}
		n := 0
		if _, err := export.Walk(ctx, e.db, ws.ID, f, 0, func(rows []export.Row) error {
			n += len(rows)
			return ew.Write(rows)
		}); err != nil {
			return n, err
		}
		return n, ew.Close()
	}
	start := time.Now()
	if *out == "-" {
		n, err := write(stdout)
		if err == nil {
			fmt.Fprintf(stderr, "exported %d items in %s\n", n, time.Since(start).Round(time.Millisecond))
		}
		return err
	}
	// A temporary file renamed at the end: a failed run never leaves a
	// truncated export where the last good one was.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".vox-export-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	n, err := write(tmp)
	if err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d items (%s) in %s\n", *out, n, *format, time.Since(start).Round(time.Millisecond))
	return nil
}
