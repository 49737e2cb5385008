package store

import (
	"context"
	"fmt"
	"time"
)

// IdempotencyKeyRetention is how long an Idempotency-Key (API) or a
// single-use form key is remembered. A retry later than this is treated as
// a new request. Forms cannot outlive it anyway: each carries its session's
// CSRF token, and sessions end after 7 days at most (auth).
const IdempotencyKeyRetention = 8 * 24 * time.Hour

// pruneBatch bounds the keys one DELETE removes, so that pruning a large
// backlog never holds the SQLite writer for long.
const pruneBatch = 5000

// PruneIdempotencyKeys deletes the idempotency and form keys of every
// workspace created before the cutoff, in batches, and returns how many.
func (db *DB) PruneIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	var total int64
	for {
		res, err := db.exec(ctx, `DELETE FROM idempotency_keys WHERE (workspace_id, key) IN (
			SELECT workspace_id, key FROM idempotency_keys WHERE created_at < ? LIMIT ?)`, before.UnixMilli(), pruneBatch)
		if err != nil {
			return total, fmt.Errorf("prune idempotency keys: %w", err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("prune idempotency keys: %w", err)
		}
		total += n
		if n < pruneBatch {
			return total, nil
		}
	}
}
