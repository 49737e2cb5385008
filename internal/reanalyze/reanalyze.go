// Package reanalyze re-runs text analysis (language, sentiment, topics,
// aspects) over a workspace's stored items — after a new base model, a
// workspace adaptation or a taxonomy change — keeping rollups exactly
// consistent. A run pages by item id and commits each batch with its
// checkpoint, so it can be interrupted and resumed, and running it again
// changes nothing.
package reanalyze

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"time"

	"vox/internal/ingest"
	"vox/internal/store"
)

// DefaultBatch is the items per transaction: big enough that per-batch
// costs (the re-read, the rollup upsert) are amortised, small enough that a
// batch commits in well under a second and holds SQLite's writer briefly.
const DefaultBatch = 2000

// Options tune a run.
type Options struct {
	Since        time.Time // only items that occurred at or after it; zero: all
	Batch        int       // items per transaction; 0: DefaultBatch
	RedetectLang bool      // detect every item's language again instead of keeping the stored one
	Restart      bool      // ignore an unfinished run's checkpoint and start over
	// Progress, when set, is called after every committed batch.
	Progress func(Progress)
	Now      func() time.Time // nil: time.Now
}

// Progress is a run's state after a batch.
type Progress struct {
	WorkspaceID int64
	Done        int64 // items re-analysed, including those of a resumed earlier run
	Total       int64 // Done plus what is left
	Changed     int64
	Elapsed     time.Duration // this invocation only
	Rate        float64       // items per second in this invocation
}

// Summary is what a run did.
type Summary struct {
	WorkspaceID int64
	Scanned     int64 // items re-analysed by this invocation
	Changed     int64 // of those, items whose analysis changed
	Resumed     bool  // continued an interrupted run
	AlreadyDone bool  // an identical run had finished: nothing to do
	Elapsed     time.Duration
}

// Rate is the items re-analysed per second.
func (s Summary) Rate() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Scanned) / s.Elapsed.Seconds()
}

// Run re-analyses the workspace's items with an's analyzer for it (its
// active adaptation included). A checkpoint of an identical unfinished run
// is resumed; one of a finished identical run makes this a no-op, unless
// opt.Restart.
func Run(ctx context.Context, db *store.DB, an *ingest.AdaptedAnalyzer, workspaceID int64, opt Options) (Summary, error) {
	now := opt.Now
	if now == nil {
		now = time.Now
	}
	batch := opt.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	sum := Summary{WorkspaceID: workspaceID}
	start := now()
	an.Invalidate(workspaceID) // analyse with the fits stored now, not a cached older set
	wa, err := an.ForWorkspace(ctx, workspaceID)
	if err != nil {
		return sum, fmt.Errorf("reanalyze: %w", err)
	}
	params, err := runParams(ctx, db, an.Model(), workspaceID, opt)
	if err != nil {
		return sum, err
	}
	cp, err := db.ReanalyzeCheckpointOf(ctx, workspaceID)
	switch {
	case err == nil && cp.Params == params && !opt.Restart && !cp.FinishedAt.IsZero():
		sum.AlreadyDone = true
		return sum, nil
	case err == nil && cp.Params == params && !opt.Restart:
		sum.Resumed = true
	case err == nil || errors.Is(err, store.ErrNotFound):
		cp = store.ReanalyzeCheckpoint{WorkspaceID: workspaceID, Params: params, StartedAt: start, UpdatedAt: start}
		if err := db.StartReanalyze(ctx, &cp); err != nil {
			return sum, fmt.Errorf("reanalyze: %w", err)
		}
	default:
		return sum, fmt.Errorf("reanalyze: %w", err)
	}
	left, err := db.CountTextsToReanalyze(ctx, workspaceID, cp.LastID, opt.Since)
	if err != nil {
		return sum, fmt.Errorf("reanalyze: %w", err)
	}
	total := cp.Scanned + left
	for {
		if err := ctx.Err(); err != nil {
			return sum, err
		}
		texts, err := db.TextsToReanalyze(ctx, workspaceID, cp.LastID, opt.Since, batch)
		if err != nil {
			return sum, fmt.Errorf("reanalyze: %w", err)
		}
		if len(texts) == 0 {
			break
		}
		updates := analyze(wa, texts, opt.RedetectLang)
		cp.LastID, cp.Scanned, cp.UpdatedAt = texts[len(texts)-1].ID, cp.Scanned+int64(len(texts)), now()
		changed, err := db.UpdateAnalyses(ctx, workspaceID, updates, &cp)
		if err != nil {
			return sum, fmt.Errorf("reanalyze: %w", err)
		}
		sum.Scanned += int64(len(texts))
		sum.Changed += int64(changed)
		sum.Elapsed = now().Sub(start)
		total = max(total, cp.Scanned) // items added meanwhile
		if opt.Progress != nil {
			opt.Progress(Progress{WorkspaceID: workspaceID, Done: cp.Scanned, Total: total, Changed: cp.Changed,
				Elapsed: sum.Elapsed, Rate: sum.Rate()})
		}
	}
	cp.FinishedAt = now()
	cp.UpdatedAt = cp.FinishedAt
	if err := db.FinishReanalyze(ctx, &cp); err != nil {
		return sum, fmt.Errorf("reanalyze: %w", err)
	}
	sum.Elapsed = now().Sub(start)
	return sum, nil
}

// runParams identifies a run: same since, language policy, base model and
// active fits give the same analysis, so a finished run need not repeat.
func runParams(ctx context.Context, db *store.DB, model string, workspaceID int64, opt Options) (string, error) {
	stamps, err := db.AdaptationStamps(ctx, workspaceID)
	if err != nil {
		return "", fmt.Errorf("reanalyze: %w", err)
	}
	var fits []string
	for _, s := range stamps {
		if s.Active && s.Model == model {
			fits = append(fits, fmt.Sprintf("%s@%d", s.Lang, s.FittedAt.UnixMilli()))
		}
	}
	since := int64(0)
	if !opt.Since.IsZero() {
		since = opt.Since.UnixMilli()
	}
	return fmt.Sprintf("since=%d redetect=%t model=%s fits=%s", since, opt.RedetectLang, model, strings.Join(fits, ",")), nil
}

// analyze runs the analyzer over a batch on all cores. The stored language
// is kept as the hint (it came from the source or from detection at ingest)
// unless redetect, mirroring what ingest stores.
func analyze(an ingest.Analyzer, texts []store.ItemText, redetect bool) []store.ItemAnalysis {
	out := make([]store.ItemAnalysis, len(texts))
	workers := min(runtime.GOMAXPROCS(0), 1+len(texts)/64)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(texts); i += workers {
				t := texts[i]
				hint := t.Lang
				if redetect {
					hint = ""
				}
				a := an.Analyze(t.Text, hint)
				lang := a.Lang
				if hint != "" {
					lang = hint
				}
				score := a.Score
				out[i] = store.ItemAnalysis{ID: t.ID, Lang: lang, Sentiment: a.Label, SentimentScore: &score,
					Topics: a.Topics, Aspects: a.Aspects}
			}
		}(w)
	}
	wg.Wait()
	return out
}
