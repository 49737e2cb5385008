package store

import (
	"context"
	"fmt"
)

// JobsWithPayloadPrefix lists a workspace's jobs of one kind whose payload
// starts with prefix, newest first, whatever their status. Payloads are
// JSON written by one Go struct, so a fixed leading field (e.g.
// `{"endpoint_id":7,`) picks the jobs of one target without a column for
// it: the settings pages list an endpoint's deliveries and dead letters
// this way.
func (db *DB) JobsWithPayloadPrefix(ctx context.Context, workspaceID int64, kind, prefix string, limit int) ([]Job, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	rows, err := db.query(ctx, `SELECT `+jobColumns+` FROM jobs WHERE workspace_id = ? AND kind = ? AND payload LIKE ? ESCAPE '\'
		ORDER BY id DESC LIMIT ?`, workspaceID, kind, escapeLike(prefix)+"%", limit)
	if err != nil {
		return nil, fmt.Errorf("list %s jobs: %w", kind, err)
	}
	defer rows.Close()
	out := []Job{}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, fmt.Errorf("list %s jobs: %w", kind, err)
		}
		out = append(out, j)
	}
	return out, rows.Err()
}
