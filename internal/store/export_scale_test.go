package store

import (
	"context"
	"fmt"
	"strings"
)

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

// RefillKindSlicesFromCubes empties rollup_kind_slices and runs migration
// 014's statements that fill it from the cubes, as they ran on a database
// that had items before it.
func (db *DB) RefillKindSlicesFromCubes(ctx context.Context) error {
	body, err := migrationFiles.ReadFile("migrations/014_scale_counters.sql")
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM rollup_kind_slices`); err != nil {
			return err
		}
		n := 0
		for _, stmt := range splitStatements(dialectTokens[db.Dialect].Replace(string(body))) {
			if strings.HasPrefix(stmt, "INSERT INTO rollup_kind_slices") {
				if _, err := tx.tx.ExecContext(ctx, stmt); err != nil {
					return err
				}
				n++
			}
		}
		if n != 9 {
			return fmt.Errorf("%d fill statements, want 9", n)
		}
		return nil
	})
}
