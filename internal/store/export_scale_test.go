package store

import "context"

// FillNPSTopicRollupsAfresh empties rollup_nps_topics and runs migration
// 014's Go step again, as it ran on a database that had items before it.
func (db *DB) FillNPSTopicRollupsAfresh(ctx context.Context) error {
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM rollup_nps_topics`); err != nil {
			return err
		}
		return tx.fillNPSTopicRollups(ctx)
	})
}

// CountCustomersRaw counts the workspace's unmerged customers the slow way,
// to check the kept count against.
func (db *DB) CountCustomersRaw(ctx context.Context, workspaceID int64) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE workspace_id = ? AND merged_into_id IS NULL`, workspaceID).Scan(&n)
	return n, err
}
