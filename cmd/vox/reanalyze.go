package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"vox/internal/reanalyze"
	"vox/internal/store"
)

// runReanalyze re-runs text analysis over stored feedback of one workspace
// or all, optionally fitting the workspaces' sentiment adaptation first.
func runReanalyze(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs, load := newFlags("reanalyze", stderr)
	workspace := fs.String("workspace", "", "workspace slug (default: every workspace)")
	since := fs.String("since", "", "only items that occurred on or after this day YYYY-MM-DD (workspace time zone)")
	adapt := fs.Bool("adapt", false, "first fit each workspace's sentiment adaptation from its rated answers")
	batch := fs.Int("batch", reanalyze.DefaultBatch, "items per transaction")
	redetect := fs.Bool("redetect-lang", false, "detect every item's language again instead of keeping the stored one")
	restart := fs.Bool("restart", false, "start over instead of resuming an interrupted or repeating a finished run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 || *batch < 1 || *batch > 50000 {
		return errors.New("usage: vox reanalyze [--workspace SLUG] [--since YYYY-MM-DD] [--adapt] [--batch 1..50000] [--redetect-lang] [--restart]")
	}
	var sinceDay store.Day
	if *since != "" {
		d, err := store.ParseDay(*since)
		if err != nil {
			return errors.New("--since: must be a date YYYY-MM-DD")
		}
		sinceDay = d
	}
	e, err := open(ctx, load)
	if err != nil {
		return err
	}
	defer e.db.Close()
	var wss []store.Workspace
	if *workspace != "" {
		ws, err := e.db.WorkspaceBySlug(ctx, *workspace)
		if err != nil {
			return fmt.Errorf("--workspace %q: %w", *workspace, err)
		}
		wss = append(wss, ws)
	} else if wss, err = e.db.Workspaces(ctx); err != nil {
		return err
	}
	for _, ws := range wss {
		if *adapt {
			res, err := e.adapt.Fit(ctx, ws.ID)
			if err != nil {
				return err
			}
			fmt.Fprintf(stdout, "%s: adaptation from %d rated texts\n", ws.Slug, res.Rated)
			for _, l := range res.Langs {
				switch {
				case l.Unchanged:
					fmt.Fprintf(stdout, "  %s: no new labelled texts since the fit of %s; kept as it was\n", l.Lang, l.FittedAt.Format(time.RFC3339))
				case l.Skipped != "":
					fmt.Fprintf(stdout, "  %s: not fitted: %s\n", l.Lang, l.Skipped)
				default:
					state := "active"
					if !l.Active {
						state = "not active (worse than the base model)"
					}
					fmt.Fprintf(stdout, "  %s: %d labelled (%d+, %d-), held-out %d newest: macro-F1 base %.3f, adapted %.3f: %s\n",
						l.Lang, l.Labelled, l.Positives, l.Negatives, l.HeldOut, l.ScoreBase, l.ScoreAdapted, state)
				}
			}
		}
		opt := reanalyze.Options{Batch: *batch, RedetectLang: *redetect, Restart: *restart}
		if *since != "" {
			opt.Since = sinceDay.Start(store.LoadLocation(ws.Timezone))
		}
		var last time.Time
		opt.Progress = func(p reanalyze.Progress) {
			if time.Since(last) < 2*time.Second && p.Done < p.Total {
				return
			}
			last = time.Now()
			fmt.Fprintf(stdout, "%s: %d/%d items, %d changed, %.0f items/s\n", ws.Slug, p.Done, p.Total, p.Changed, p.Rate)
		}
		sum, err := reanalyze.Run(ctx, e.db, e.analyzers, ws.ID, opt)
		if err != nil {
			return fmt.Errorf("%s: %w", ws.Slug, err)
		}
		switch {
		case sum.AlreadyDone:
			fmt.Fprintf(stdout, "%s: already re-analysed with this model and adaptation (--restart to repeat)\n", ws.Slug)
		default:
			resumed := ""
			if sum.Resumed {
				resumed = " (resumed)"
			}
			fmt.Fprintf(stdout, "%s: re-analysed %d items%s, %d changed, in %s: %.0f items/s\n", ws.Slug, sum.Scanned,
				resumed, sum.Changed, sum.Elapsed.Round(time.Millisecond), sum.Rate())
		}
	}
	return nil
}
