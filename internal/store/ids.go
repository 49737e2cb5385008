package store

import (
	"context"
	"fmt"
)

// allocIDs reserves n primary keys of table inside tx. The store allocates ids
// itself so that a batch insert knows every row's id without relying on the
// order of RETURNING rows. On SQLite the single writer connection makes
// MAX(id)+1 safe; on PostgreSQL the table's sequence hands out the block.
func (tx *Tx) allocIDs(ctx context.Context, table string, n int) ([]int64, error) {
	ids := make([]int64, 0, n)
	if n == 0 {
		return ids, nil
	}
	if tx.db.Dialect == Postgres {
		rows, err := tx.tx.QueryContext(ctx,
			`SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
		if err != nil {
			return nil, fmt.Errorf("alloc %s ids: %w", table, err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			ids = append(ids, id)
		}
		return ids, rows.Err()
	}
	// id_floors (018_privacy.sql) keeps ids of erased rows from coming back.
	var max int64
	if err := tx.queryRow(ctx, `SELECT MAX(COALESCE((SELECT MAX(id) FROM `+table+`), 0),
		COALESCE((SELECT floor FROM id_floors WHERE table_name = ?), 0))`, table).Scan(&max); err != nil {
		return nil, fmt.Errorf("alloc %s ids: %w", table, err)
	}
	for i := 1; i <= n; i++ {
		ids = append(ids, max+int64(i))
	}
	return ids, nil
}

// allocID reserves one primary key of table.
func (tx *Tx) allocID(ctx context.Context, table string) (int64, error) {
	ids, err := tx.allocIDs(ctx, table, 1)
	if err != nil {
		return 0, err
	}
	return ids[0], nil
}
