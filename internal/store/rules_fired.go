package store

import (
	"context"
	"fmt"
	"time"
)

// RuleFireCounts counts, per rule of the workspace, the alerts it raised
// since the given time, so the rules list can show which rules are noisy
// and which never fire. Rules without alerts are absent from the map.
func (db *DB) RuleFireCounts(ctx context.Context, workspaceID int64, since time.Time) (map[int64]int, error) {
	rows, err := db.query(ctx, `SELECT rule_id, COUNT(*) FROM alerts WHERE workspace_id = ? AND kind = ? AND rule_id IS NOT NULL
		AND created_at >= ? GROUP BY rule_id`, workspaceID, AlertRule, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("rule fire counts: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("rule fire counts: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}
