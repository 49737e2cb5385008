package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// AuditFilter selects a workspace's audit entries for the audit page.
type AuditFilter struct {
	Actor    string    // part of the actor's name, any case; "" for all
	Action   string    // one action exactly; "" for all
	From, To time.Time // entries at From or later and before To; zero for open
	Before   int64     // page cursor: only entries with a smaller id; 0 for the first page
	Limit    int
}

// likeEscaper makes user text match literally inside LIKE … ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// AuditEntries returns a page of the workspace's audit entries, newest first,
// and the cursor of the next page (0 when this is the last).
func (db *DB) AuditEntries(ctx context.Context, workspaceID int64, f AuditFilter) ([]AuditEntry, int64, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	query := `SELECT id, user_id, actor, action, object_type, COALESCE(object_id, 0), details, created_at
		FROM audit_log WHERE workspace_id = ?`
	args := []any{workspaceID}
	if f.Actor != "" {
		query += ` AND LOWER(actor) LIKE ? ESCAPE '\'`
		args = append(args, "%"+likeEscaper.Replace(strings.ToLower(f.Actor))+"%")
	}
	if f.Action != "" {
		query += ` AND action = ?`
		args = append(args, f.Action)
	}
	if !f.From.IsZero() {
		query += ` AND created_at >= ?`
		args = append(args, f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		query += ` AND created_at < ?`
		args = append(args, f.To.UnixMilli())
	}
	if f.Before > 0 {
		query += ` AND id < ?`
		args = append(args, f.Before)
	}
	rows, err := db.query(ctx, query+` ORDER BY id DESC LIMIT ?`, append(args, f.Limit+1)...)
	if err != nil {
		return nil, 0, fmt.Errorf("audit entries: %w", err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		e := AuditEntry{WorkspaceID: workspaceID}
		var details string
		var created int64
		if err := rows.Scan(&e.ID, &e.UserID, &e.Actor, &e.Action, &e.ObjectType, &e.ObjectID, &details, &created); err != nil {
			return nil, 0, fmt.Errorf("audit entries: %w", err)
		}
		_ = json.Unmarshal([]byte(details), &e.Details)
		e.CreatedAt = fromMillis(created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("audit entries: %w", err)
	}
	var next int64
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

// AuditActions lists the actions recorded in the workspace, for a filter.
func (db *DB) AuditActions(ctx context.Context, workspaceID int64) ([]string, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT action FROM audit_log WHERE workspace_id = ? ORDER BY action`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("audit actions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, fmt.Errorf("audit actions: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
