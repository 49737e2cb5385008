package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// AuditEntry records who did what to which object.
type AuditEntry struct {
	ID          int64          `json:"id"`
	WorkspaceID int64          `json:"-"`
	UserID      *int64         `json:"user_id,omitempty"`
	Actor       string         `json:"actor"`
	Action      string         `json:"action"`
	ObjectType  string         `json:"object_type"`
	ObjectID    int64          `json:"object_id"`
	Details     map[string]any `json:"details"`
	CreatedAt   time.Time      `json:"created_at"`
}

func (tx *Tx) audit(ctx context.Context, e AuditEntry) error {
	details, err := json.Marshal(e.Details)
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	id, err := tx.allocID(ctx, "audit_log")
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO audit_log (id, workspace_id, user_id, actor, action, object_type, object_id, details, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, e.WorkspaceID, e.UserID, e.Actor, e.Action, e.ObjectType, e.ObjectID,
		string(details), time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// Audit appends an entry to the workspace's audit log.
func (db *DB) Audit(ctx context.Context, e AuditEntry) error {
	return db.InTx(ctx, func(tx *Tx) error { return tx.audit(ctx, e) })
}

// AuditLog lists the newest entries of a workspace.
func (db *DB) AuditLog(ctx context.Context, workspaceID int64, limit int) ([]AuditEntry, error) {
	rows, err := db.query(ctx, `SELECT id, user_id, actor, action, object_type, COALESCE(object_id, 0), details, created_at
		FROM audit_log WHERE workspace_id = ? ORDER BY id DESC LIMIT ?`, workspaceID, limit)
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		e := AuditEntry{WorkspaceID: workspaceID}
		var details string
		var created int64
		if err := rows.Scan(&e.ID, &e.UserID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &details, &created); err != nil {
			return nil, err
		}
		_ = json.Unmarshal([]byte(details), &e.Details)
		e.CreatedAt = fromMillis(created)
		out = append(out, e)
	}
	return out, rows.Err()
}
