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
	// Within one transaction the last id handed out is remembered: every
	// insert into these tables takes its ids from here, and no other writer
	// runs meanwhile, so it is still the largest (a savepoint rolled back
	// leaves a gap, nothing worse). The grouped survey answers of a group
	// commit thus read MAX(id) once per table instead of once per answer.
	max, ok := tx.lastIDs[table]
	if !ok {
		// id_floors (018_privacy.sql) keeps ids of erased rows from coming back.
		if err := tx.queryRow(ctx, `SELECT MAX(COALESCE((SELECT MAX(id) FROM `+table+`), 0),
			COALESCE((SELECT floor FROM id_floors WHERE table_name = ?), 0))`, table).Scan(&max); err != nil {
			return nil, fmt.Errorf("alloc %s ids: %w", table, err)
		}
	}
	for i := 1; i <= n; i++ {
		ids = append(ids, max+int64(i))
	}
	if tx.lastIDs == nil {
		tx.lastIDs = map[string]int64{}
	}
	tx.lastIDs[table] = max + int64(n)
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
