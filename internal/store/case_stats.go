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

// CaseSLACounts are the SLA figures of a set of cases, as
// alert.CaseStats defines them, counted by the database.
type CaseSLACounts struct {
	Cases, Open, Resolved int
	// ResolvedInSLA of DecidedResolve: resolved by the due time, of those
	// resolved or open past it.
	ResolvedInSLA, DecidedResolve int
	// ActedInSLA of DecidedAct: first acted on by the due time, of those
	// acted on or not acted on past it.
	ActedInSLA, DecidedActSLA int
	// Acted24h of Decided24h: first acted on within 24 h of creation, of
	// those acted on or older than 24 h; Pending24h: neither yet.
	Acted24h, Decided24h, Pending24h int
}

// CaseSLACounts counts the SLA figures of the workspace's cases created in
// [from, to) at now (to the millisecond), in one aggregate over the
// cases_created index (014), which holds every column it reads.
func (db *DB) CaseSLACounts(ctx context.Context, workspaceID int64, from, to, now time.Time) (CaseSLACounts, error) {
	var c CaseSLACounts
	const day = int64(24 * time.Hour / time.Millisecond)
	nowMs := now.UnixMilli()
	err := db.queryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN status = 'resolved' AND resolved_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'resolved' AND resolved_at IS NOT NULL AND resolved_at <= due_at THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status = 'resolved' AND resolved_at IS NOT NULL THEN 1 WHEN due_at < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN first_action_at IS NOT NULL AND first_action_at <= due_at THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN first_action_at IS NOT NULL THEN 1 WHEN due_at < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN first_action_at IS NOT NULL AND first_action_at - created_at <= ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN first_action_at IS NOT NULL THEN 1 WHEN ? - created_at > ? THEN 1 ELSE 0 END), 0)
		FROM cases WHERE workspace_id = ? AND created_at >= ? AND created_at < ?`,
		nowMs, nowMs, day, nowMs, day, workspaceID, from.UnixMilli(), to.UnixMilli()).
		Scan(&c.Cases, &c.Resolved, &c.ResolvedInSLA, &c.DecidedResolve, &c.ActedInSLA, &c.DecidedActSLA, &c.Acted24h, &c.Decided24h)
	if err != nil {
		return c, fmt.Errorf("case sla counts: %w", err)
	}
	c.Open = c.Cases - c.Resolved
	c.Pending24h = c.Cases - c.Decided24h
	return c, nil
}
