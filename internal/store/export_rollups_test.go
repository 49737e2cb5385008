package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// InsertFeedbackWithoutRollups is InsertFeedback's write without the rollup
// maintenance (and without idempotency), so the benchmark can measure what
// rollups cost on ingest.
func (db *DB) InsertFeedbackWithoutRollups(ctx context.Context, workspaceID int64, batch []NewFeedback) error {
	stmt, err := db.prepare(ctx, fullChunkInsert)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.insertFeedback(ctx, workspaceID, batch, stmt)
		return err
	})
}

// CountRows counts a table's rows of one workspace (benchmark reporting).
func (db *DB) CountRows(ctx context.Context, table string, workspaceID int64) (int64, error) {
	var n int64
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM `+table+` WHERE workspace_id = ?`, workspaceID).Scan(&n)
	return n, err
}

// ScanQuery runs a read query for the benchmark's full-scan baseline.
func (db *DB) ScanQuery(ctx context.Context, query string, args []any, scan func(row interface{ Scan(...any) error }) error) error {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ExecBench runs a statement on the writer (benchmarks' bulk loads).
func (db *DB) ExecBench(ctx context.Context, query string) error {
	_, err := db.w.ExecContext(ctx, query)
	return err
}

// RollupTables are the tables RebuildRollups recomputes.
var RollupTables = rollupTables

// RollupTableRows returns every row of a rollup table for the workspace as
// text without its workspace_id, sorted, so that two states of the
// rollups (or two workspaces') compare exactly.
func (db *DB) RollupTableRows(ctx context.Context, table string, workspaceID int64) ([]string, error) {
	rows, err := db.query(ctx, `SELECT * FROM `+table+` WHERE workspace_id = ?`, workspaceID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		dest := make([]any, len(cols))
		for i := range vals {
			dest[i] = &vals[i]
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		var b strings.Builder
		for i, v := range vals {
			if cols[i] == "workspace_id" {
				continue
			}
			if x, ok := v.([]byte); ok {
				v = string(x)
			}
			fmt.Fprintf(&b, "%s=%v ", cols[i], v)
		}
		out = append(out, b.String())
	}
	slices.Sort(out)
	return out, rows.Err()
}

// SetRebuildPageItems sets how many items RebuildRollups reads at a time
// and returns a function restoring the default.
func SetRebuildPageItems(n int) func() {
	old := rebuildPageItems
	rebuildPageItems = n
	return func() { rebuildPageItems = old }
}

// RebuildDaySQL is rebuildDaySQL, for testing the expression on its own.
var RebuildDaySQL = rebuildDaySQL

// RebuildRollupsStreaming is RebuildRollups as it was before: items paged
// by id through the rollup delta of ingest, 5000 at a time.
// The rebuild benchmark times it as the baseline.
func (db *DB) RebuildRollupsStreaming(ctx context.Context, workspaceID int64) error {
	return db.InTx(ctx, func(tx *Tx) error {
		for _, table := range rollupTables {
			if _, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE workspace_id = ?`, workspaceID); err != nil {
				return err
			}
		}
		loc, err := tx.workspaceLocation(ctx, workspaceID)
		if err != nil {
			return err
		}
		var after int64
		for {
			rows, err := tx.query(ctx, `SELECT `+feedbackColumns+` FROM feedback_items WHERE workspace_id = ? AND id > ?
				ORDER BY id LIMIT 5000`, workspaceID, after)
			if err != nil {
				return err
			}
			d := newRollupDelta()
			n := 0
			for rows.Next() {
				it, err := scanFeedback(rows)
				if err != nil {
					rows.Close()
					return err
				}
				d.add(&it, loc, 1)
				after, n = it.ID, n+1
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if n == 0 {
				return nil
			}
			if err := tx.applyRollupDelta(ctx, workspaceID, d); err != nil {
				return err
			}
		}
	})
}
