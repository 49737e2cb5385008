package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ItemText is what re-analysis reads of an item: its text and the language
// it was stored with.
type ItemText struct {
	ID   int64
	Text string
	Lang string
}

// TextsToReanalyze returns up to limit of the workspace's items with text
// whose id is above afterID and which occurred at or after since (zero: any
// time), in id order, so that a run can page and resume by id.
func (db *DB) TextsToReanalyze(ctx context.Context, workspaceID, afterID int64, since time.Time, limit int) ([]ItemText, error) {
	rows, err := db.query(ctx, `SELECT id, text, lang FROM feedback_items
		WHERE workspace_id = ? AND id > ? AND occurred_at >= ? AND text <> '' ORDER BY id LIMIT ?`,
		workspaceID, afterID, sinceMillis(since), limit)
	if err != nil {
		return nil, fmt.Errorf("texts to reanalyze: %w", err)
	}
	defer rows.Close()
	var out []ItemText
	for rows.Next() {
		var it ItemText
		if err := rows.Scan(&it.ID, &it.Text, &it.Lang); err != nil {
			return nil, fmt.Errorf("texts to reanalyze: %w", err)
		}
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("texts to reanalyze: %w", err)
	}
	return out, nil
}

// CountTextsToReanalyze counts the items TextsToReanalyze pages through
// from afterID, for progress reports.
func (db *DB) CountTextsToReanalyze(ctx context.Context, workspaceID, afterID int64, since time.Time) (int64, error) {
	var n int64
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM feedback_items WHERE workspace_id = ? AND id > ? AND occurred_at >= ? AND text <> ''`,
		workspaceID, afterID, sinceMillis(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count texts to reanalyze: %w", err)
	}
	return n, nil
}

func sinceMillis(since time.Time) int64 {
	if since.IsZero() {
		return -1 << 62
	}
	return since.UnixMilli()
}

// ItemAnalysis is the text-analysis part of an item: what re-analysis
// rewrites.
type ItemAnalysis struct {
	ID             int64
	Lang           string
	Sentiment      string
	SentimentScore *float64
	Topics         []string
	Aspects        []Aspect
}

// sameAnalysis reports whether the item already holds a.
func sameAnalysis(it *FeedbackItem, a *ItemAnalysis) bool {
	scoreEq := (it.SentimentScore == nil) == (a.SentimentScore == nil) &&
		(it.SentimentScore == nil || *it.SentimentScore == *a.SentimentScore)
	return it.Lang == a.Lang && it.Sentiment == a.Sentiment && scoreEq &&
		slices.Equal(nonNil(it.Topics), nonNil(a.Topics)) && slices.Equal(nonNil(it.Aspects), nonNil(a.Aspects))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ReanalyzeCheckpoint records how far a `vox reanalyze` run of a workspace
// got (010_adaptations.sql).
type ReanalyzeCheckpoint struct {
	WorkspaceID int64
	Params      string // identifies the run: a run with other params starts over
	LastID      int64  // highest item id done
	Scanned     int64  // items re-analysed so far
	Changed     int64  // items whose analysis changed so far
	StartedAt   time.Time
	UpdatedAt   time.Time
	FinishedAt  time.Time // zero while the run is unfinished
}

// ReanalyzeCheckpointOf returns the workspace's checkpoint, or ErrNotFound.
func (db *DB) ReanalyzeCheckpointOf(ctx context.Context, workspaceID int64) (ReanalyzeCheckpoint, error) {
	cp := ReanalyzeCheckpoint{WorkspaceID: workspaceID}
	var started, updated int64
	var finished *int64
	err := db.queryRow(ctx, `SELECT params, last_id, scanned, changed, started_at, updated_at, finished_at
		FROM reanalyze_checkpoints WHERE workspace_id = ?`, workspaceID).
		Scan(&cp.Params, &cp.LastID, &cp.Scanned, &cp.Changed, &started, &updated, &finished)
	if err != nil {
		return cp, notFound(err, "reanalyze checkpoint")
	}
	cp.StartedAt, cp.UpdatedAt = fromMillis(started), fromMillis(updated)
	if finished != nil {
		cp.FinishedAt = fromMillis(*finished)
	}
	return cp, nil
}

func (tx *Tx) saveCheckpoint(ctx context.Context, cp *ReanalyzeCheckpoint) error {
	_, err := tx.exec(ctx, `INSERT INTO reanalyze_checkpoints (workspace_id, params, last_id, scanned, changed, started_at,
			updated_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id) DO UPDATE SET params = excluded.params, last_id = excluded.last_id,
			scanned = excluded.scanned, changed = excluded.changed, started_at = excluded.started_at,
			updated_at = excluded.updated_at, finished_at = excluded.finished_at`,
		cp.WorkspaceID, cp.Params, cp.LastID, cp.Scanned, cp.Changed, cp.StartedAt.UnixMilli(), cp.UpdatedAt.UnixMilli(),
		nullMillis(cp.FinishedAt))
	if err != nil {
		return fmt.Errorf("save reanalyze checkpoint: %w", err)
	}
	return nil
}

// UpdateAnalyses writes new analyses of the workspace's items and moves
// their rollup counts in one transaction, together with cp when it is not
// nil. Items are re-read inside the transaction (locked on PostgreSQL), so
// the rollups lose exactly what the stored row held and gain what it holds
// now, even when two runs overlap: the second finds nothing to change. Ids
// of another workspace or of deleted items are skipped. It returns how many
// items changed; cp.Changed grows by as many when the transaction commits.
func (db *DB) UpdateAnalyses(ctx context.Context, workspaceID int64, updates []ItemAnalysis, cp *ReanalyzeCheckpoint) (int, error) {
	byID := make(map[int64]*ItemAnalysis, len(updates))
	ids := make([]any, 0, len(updates))
	for i := range updates {
		if _, dup := byID[updates[i].ID]; !dup {
			ids = append(ids, updates[i].ID)
		}
		byID[updates[i].ID] = &updates[i]
	}
	slices.SortFunc(ids, func(a, b any) int { return cmp.Compare(a.(int64), b.(int64)) })
	lock := ""
	if db.Dialect == Postgres {
		lock = " FOR UPDATE"
	}
	changed := 0
	err := db.InTx(ctx, func(tx *Tx) error {
		var old, fresh []*FeedbackItem
		for start := 0; start < len(ids); start += 500 {
			chunk := ids[start:min(start+500, len(ids))]
			rows, err := tx.query(ctx, `SELECT `+feedbackColumns+` FROM feedback_items WHERE workspace_id = ? AND id IN (`+
				placeholders(len(chunk))+`) ORDER BY id`+lock, append([]any{workspaceID}, chunk...)...)
			if err != nil {
				return fmt.Errorf("read items: %w", err)
			}
			for rows.Next() {
				it, err := scanFeedback(rows)
				if err != nil {
					rows.Close()
					return fmt.Errorf("read items: %w", err)
				}
				a := byID[it.ID]
				if sameAnalysis(&it, a) {
					continue
				}
				before := it
				it.Lang, it.Sentiment, it.SentimentScore = a.Lang, a.Sentiment, a.SentimentScore
				it.Topics, it.Aspects = nonNil(a.Topics), nonNil(a.Aspects)
				old, fresh = append(old, &before), append(fresh, &it)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return fmt.Errorf("read items: %w", err)
			}
		}
		for _, it := range fresh {
			if _, err := tx.exec(ctx, `UPDATE feedback_items SET lang = ?, sentiment_label = ?, sentiment_score = ?,
				topics = ?, aspects = ? WHERE workspace_id = ? AND id = ?`, it.Lang, it.Sentiment, it.SentimentScore,
				jsonText(it.Topics, "[]"), jsonText(it.Aspects, "[]"), workspaceID, it.ID); err != nil {
				return fmt.Errorf("update item %d: %w", it.ID, err)
			}
		}
		if err := tx.moveRollups(ctx, workspaceID, old, fresh); err != nil {
			return err
		}
		changed = len(fresh)
		if cp != nil {
			cp.Changed += int64(changed)
			return tx.saveCheckpoint(ctx, cp)
		}
		return nil
	})
	if err != nil {
		if cp != nil {
			cp.Changed -= int64(changed)
		}
		return 0, fmt.Errorf("update analyses: %w", err)
	}
	return changed, nil
}

// moveRollups subtracts old and adds fresh in one delta; rows whose counts
// do not change (e.g. only the sentiment score moved) are not written.
func (tx *Tx) moveRollups(ctx context.Context, workspaceID int64, old, fresh []*FeedbackItem) error {
	if len(old) == 0 {
		return nil
	}
	loc, err := tx.workspaceLocation(ctx, workspaceID)
	if err != nil {
		return fmt.Errorf("rollups: %w", err)
	}
	d := newRollupDelta()
	for _, it := range old {
		d.add(it, loc, -1)
	}
	for _, it := range fresh {
		d.add(it, loc, 1)
	}
	dropZero(d.slices)
	dropZero(d.kinds)
	dropZero(d.cube)
	dropZero(d.topics)
	for k, n := range d.nps {
		if n == 0 {
			delete(d.nps, k)
		}
	}
	if err := tx.applyRollupDelta(ctx, workspaceID, d); err != nil {
		return fmt.Errorf("rollups: %w", err)
	}
	return nil
}

func dropZero[K comparable](m map[K]*RollupCounts) {
	var zero RollupCounts
	for k, c := range m {
		if *c == zero {
			delete(m, k)
		}
	}
}

// FinishReanalyze marks the run done and deletes the rollup rows that the
// run emptied (an item's old language or topic), in one transaction.
func (db *DB) FinishReanalyze(ctx context.Context, cp *ReanalyzeCheckpoint) error {
	if cp == nil {
		return errors.New("finish reanalyze: no checkpoint")
	}
	err := db.InTx(ctx, func(tx *Tx) error {
		for _, table := range rollupTables {
			if _, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE workspace_id = ? AND items <= 0`, cp.WorkspaceID); err != nil {
				return fmt.Errorf("prune %s: %w", table, err)
			}
		}
		return tx.saveCheckpoint(ctx, cp)
	})
	if err != nil {
		return fmt.Errorf("finish reanalyze: %w", err)
	}
	return nil
}

// StartReanalyze saves a fresh checkpoint (a new run, or one with other
// params than the stored one).
func (db *DB) StartReanalyze(ctx context.Context, cp *ReanalyzeCheckpoint) error {
	return db.InTx(ctx, func(tx *Tx) error { return tx.saveCheckpoint(ctx, cp) })
}
