package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// BusinessHoursRow is a workspace's stored working-time setting: Config is
// the JSON owned by the alert package, Timezone the workspace's zone.
type BusinessHoursRow struct {
	Config    string
	Timezone  string
	UpdatedAt time.Time
}

const businessHoursQuery = `SELECT COALESCE(b.config, ''), w.timezone, COALESCE(b.updated_at, 0)
	FROM workspaces w LEFT JOIN business_hours b ON b.workspace_id = w.id WHERE w.id = ?`

func scanBusinessHours(row *sql.Row) (BusinessHoursRow, error) {
	var b BusinessHoursRow
	var updated int64
	if err := row.Scan(&b.Config, &b.Timezone, &updated); err != nil {
		return b, notFound(err, "workspace")
	}
	if updated > 0 {
		b.UpdatedAt = fromMillis(updated)
	}
	return b, nil
}

// BusinessHours returns the workspace's setting; Config is empty when the
// workspace has none (SLAs on the wall clock).
func (db *DB) BusinessHours(ctx context.Context, workspaceID int64) (BusinessHoursRow, error) {
	return scanBusinessHours(db.queryRow(ctx, businessHoursQuery, workspaceID))
}

// BusinessHours reads the setting inside tx (opening a case).
func (tx *Tx) BusinessHours(ctx context.Context, workspaceID int64) (BusinessHoursRow, error) {
	return scanBusinessHours(tx.queryRow(ctx, businessHoursQuery, workspaceID))
}

// SetBusinessHours stores the workspace's setting; an empty config removes it.
func (db *DB) SetBusinessHours(ctx context.Context, workspaceID int64, config string, now time.Time) error {
	var err error
	if config == "" {
		_, err = db.exec(ctx, `DELETE FROM business_hours WHERE workspace_id = ?`, workspaceID)
	} else {
		_, err = db.exec(ctx, `INSERT INTO business_hours (workspace_id, config, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (workspace_id) DO UPDATE SET config = excluded.config, updated_at = excluded.updated_at`,
			workspaceID, config, now.UnixMilli())
	}
	if err != nil {
		return fmt.Errorf("set business hours: %w", err)
	}
	return nil
}
