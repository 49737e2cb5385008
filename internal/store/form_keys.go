package store

import (
	"context"
	"fmt"
	"time"
)

// Form keys make the few "shown once" forms (a new API key, a webhook
// secret, an invitation link) single-use: the page renders a random key into
// the form, and the first POST claims it. A reload or double click replays
// the same key and is refused instead of minting a second secret. Keys share
// the idempotency_keys table with the ingest API under a "form:" prefix.

const formKeyPrefix = "form:"

// ClaimFormKey claims key for the workspace; false means it was claimed
// before (the form was already sent).
func (db *DB) ClaimFormKey(ctx context.Context, workspaceID int64, key string, now time.Time) (bool, error) {
	res, err := db.exec(ctx, `INSERT INTO idempotency_keys (workspace_id, key, request_hash, response, created_at)
		VALUES (?, ?, '', '', ?) ON CONFLICT (workspace_id, key) DO NOTHING`,
		workspaceID, formKeyPrefix+key, now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("claim form key: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("claim form key: %w", err)
	}
	return n == 1, nil
}

// ReleaseFormKey gives a claimed key back when the action it guarded
// failed, so that sending the form again is not mistaken for a replay.
func (db *DB) ReleaseFormKey(ctx context.Context, workspaceID int64, key string) error {
	if _, err := db.exec(ctx, `DELETE FROM idempotency_keys WHERE workspace_id = ? AND key = ?`,
		workspaceID, formKeyPrefix+key); err != nil {
		return fmt.Errorf("release form key: %w", err)
	}
	return nil
}
