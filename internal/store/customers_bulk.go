package store

import (
	"context"
	"time"
)

// UpsertCustomers resolves or creates many customers in one transaction
// with a constant number of queries (see resolveCustomers), for imports and
// for seeding large segments; it returns each input's customer id (0 for an
// input without identities).
func (db *DB) UpsertCustomers(ctx context.Context, workspaceID int64, inputs []CustomerInput) ([]int64, error) {
	var ids []int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		ids, err = tx.resolveCustomers(ctx, workspaceID, inputs, time.Now())
		return err
	})
	return ids, err
}
