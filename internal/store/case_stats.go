package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// CaseTiming is one case's timestamps with the team and owner it counts
// for, the input of case statistics (time to action, FRT, ART, SLA shares).
type CaseTiming struct {
	ID        int64
	Team      string // the case's team, else its owner's team
	OwnerID   *int64
	OwnerName string
	Status    string
	CreatedAt time.Time
	DueAt     time.Time
	// FirstActionAt is the first change by a person; FirstReplyAt the first
	// answer sent to the customer (case_events of kind reply).
	FirstActionAt *time.Time
	FirstReplyAt  *time.Time
	ResolvedAt    *time.Time
}

// CaseTimings returns the timings of the workspace's cases created in
// [from, to), oldest first.
func (db *DB) CaseTimings(ctx context.Context, workspaceID int64, from, to time.Time) ([]CaseTiming, error) {
	rows, err := db.query(ctx, `SELECT c.id, COALESCE(NULLIF(c.team, ''), e.team, ''), c.owner_employee_id, COALESCE(e.name, ''),
		c.status, c.created_at, c.due_at, c.first_action_at, c.resolved_at,
		(SELECT MIN(ev.created_at) FROM case_events ev WHERE ev.workspace_id = c.workspace_id AND ev.case_id = c.id AND ev.kind = 'reply')
		FROM cases c LEFT JOIN employees e ON e.workspace_id = c.workspace_id AND e.id = c.owner_employee_id
		WHERE c.workspace_id = ? AND c.created_at >= ? AND c.created_at < ? ORDER BY c.created_at, c.id`,
		workspaceID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("case timings: %w", err)
	}
	defer rows.Close()
	out := []CaseTiming{}
	for rows.Next() {
		var c CaseTiming
		var created, due int64
		var first, resolved, reply sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Team, &c.OwnerID, &c.OwnerName, &c.Status, &created, &due, &first, &resolved, &reply); err != nil {
			return nil, fmt.Errorf("case timings: %w", err)
		}
		c.CreatedAt, c.DueAt = fromMillis(created), fromMillis(due)
		c.FirstActionAt, c.ResolvedAt, c.FirstReplyAt = optMillis(first), optMillis(resolved), optMillis(reply)
		out = append(out, c)
	}
	return out, rows.Err()
}

// CaseSLATimings returns the timings of the workspace's cases created in
// [from, to), oldest first, from the cases table alone: without team, owner
// or first reply (FirstReplyAt stays nil), which need a join and a look at
// each case's events. It is what the overview's SLA shares need.
func (db *DB) CaseSLATimings(ctx context.Context, workspaceID int64, from, to time.Time) ([]CaseTiming, error) {
	rows, err := db.query(ctx, `SELECT id, status, created_at, due_at, first_action_at, resolved_at
		FROM cases WHERE workspace_id = ? AND created_at >= ? AND created_at < ? ORDER BY created_at, id`,
		workspaceID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("case sla timings: %w", err)
	}
	defer rows.Close()
	out := []CaseTiming{}
	for rows.Next() {
		var c CaseTiming
		var created, due int64
		var first, resolved sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Status, &created, &due, &first, &resolved); err != nil {
			return nil, fmt.Errorf("case sla timings: %w", err)
		}
		c.CreatedAt, c.DueAt = fromMillis(created), fromMillis(due)
		c.FirstActionAt, c.ResolvedAt = optMillis(first), optMillis(resolved)
		out = append(out, c)
	}
	return out, rows.Err()
}
