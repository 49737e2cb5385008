package store

import "context"

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
