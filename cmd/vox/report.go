package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"vox/internal/report"
	"vox/internal/store"
)

// runReport writes the management report of a workspace over a period as
// CSV, XLSX or PDF in Russian, Chinese or English.
func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, load := newFlags("report", stderr)
	workspace := fs.String("workspace", "", "workspace slug (required)")
	from := fs.String("from", "", "first day YYYY-MM-DD in the workspace's time zone (default: 29 days before --to)")
	to := fs.String("to", "", "last day YYYY-MM-DD, inclusive (default: today)")
	format := fs.String("format", "pdf", "csv, xlsx or pdf")
	lang := fs.String("lang", "en", "ru, zh or en")
	out := fs.String("out", "", "output file (default: vox-report-….<format> in the current directory; - for stdout)")
	filters := map[string]*string{}
	for _, dim := range report.FilterDims {
		filters[dim] = fs.String(dim, "", "only feedback of this "+dim+" (comma-separated values); response rates, business figures and cases stay workspace-wide")
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *workspace == "" || fs.NArg() > 0 {
		return errors.New("usage: vox report --workspace SLUG [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format csv|xlsx|pdf] [--lang ru|zh|en] [--channel C] [--region R] [--segment S] [--out FILE]")
	}
	e, ws, err := openWorkspace(ctx, load, *workspace)
	if err != nil {
		return err
	}
	defer e.db.Close()
	req := report.Request{WorkspaceID: ws.ID, Format: *format, Lang: *lang, Filters: map[string][]string{}}
	for dim, v := range filters {
		for _, val := range strings.Split(*v, ",") {
			if val = strings.TrimSpace(val); val != "" {
				req.Filters[dim] = append(req.Filters[dim], val)
			}
		}
	}
	req.To = store.DayOf(time.Now(), store.LoadLocation(ws.Timezone))
	if *to != "" {
		if req.To, err = store.ParseDay(*to); err != nil {
			return fmt.Errorf("--to: must be a date YYYY-MM-DD")
		}
	}
	req.From = req.To - 29
	if *from != "" {
		if req.From, err = store.ParseDay(*from); err != nil {
			return fmt.Errorf("--from: must be a date YYYY-MM-DD")
		}
	}
	if err := req.Validate(); err != nil {
		var ie *report.InvalidError
		if errors.As(err, &ie) {
			return fmt.Errorf("--%s: %s", ie.Field, ie.Message)
		}
		return err
	}
	if *out == "-" {
		_, err := report.Build(ctx, e.db, req, stdout)
		return err
	}
	path := *out
	if path == "" {
		path = report.Filename(req)
	}
	// Write to a temporary file and rename, so a failed run never leaves a
	// truncated report where the last good one was.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".vox-report-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := report.Build(ctx, e.db, req, tmp); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s (%s, %s, %s — %s)\n", path, req.Format, req.Lang, req.From, req.To)
	return nil
}
