package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Case statuses: open → in_progress → waiting → resolved, and reopen.
const (
	CaseOpen       = "open"
	CaseInProgress = "in_progress"
	CaseWaiting    = "waiting"
	CaseResolved   = "resolved"
)

// CaseStatuses lists the valid statuses.
var CaseStatuses = []string{CaseOpen, CaseInProgress, CaseWaiting, CaseResolved}

// Case is a piece of feedback someone must act on within its SLA.
type Case struct {
	ID              int64      `json:"id"`
	WorkspaceID     int64      `json:"-"`
	FeedbackID      *int64     `json:"feedback_id"`
	CustomerID      *int64     `json:"customer_id"`
	RuleID          *int64     `json:"rule_id"`
	OwnerEmployeeID *int64     `json:"owner_employee_id"`
	Team            string     `json:"team"`
	Title           string     `json:"title"`
	Status          string     `json:"status"`
	SLAMinutes      int64      `json:"sla_minutes"`
	DueAt           time.Time  `json:"due_at"`
	FirstActionAt   *time.Time `json:"first_action_at"`
	ResolvedAt      *time.Time `json:"resolved_at"`
	EscalationLevel int        `json:"escalation_level"`
	Round           int        `json:"-"`
	RootCause       string     `json:"root_cause"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
}

const caseColumns = `id, workspace_id, feedback_id, customer_id, rule_id, owner_employee_id, team, title, status, sla_minutes,
	due_at, first_action_at, resolved_at, escalation_level, sla_round, root_cause, created_at, updated_at`

func scanCase(row interface{ Scan(...any) error }) (Case, error) {
	var c Case
	var due, created, updated int64
	var first, resolved sql.NullInt64
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.FeedbackID, &c.CustomerID, &c.RuleID, &c.OwnerEmployeeID, &c.Team, &c.Title,
		&c.Status, &c.SLAMinutes, &due, &first, &resolved, &c.EscalationLevel, &c.Round, &c.RootCause, &created, &updated)
	c.DueAt, c.CreatedAt, c.UpdatedAt = fromMillis(due), fromMillis(created), fromMillis(updated)
	c.FirstActionAt, c.ResolvedAt = optMillis(first), optMillis(resolved)
	return c, err
}

func optMillis(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMillis(v.Int64)
	return &t
}

func optArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

// forUpdate locks the selected row until the transaction ends on
// PostgreSQL; SQLite's single writer already serialises transactions.
func (tx *Tx) forUpdate() string {
	if tx.db.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// InsertCase stores c unless the workspace already has a case for its
// feedback item (two rules firing on one item open one case). created
// reports which; c comes back with its id either way.
func (tx *Tx) InsertCase(ctx context.Context, c Case) (Case, bool, error) {
	id, err := tx.allocID(ctx, "cases")
	if err != nil {
		return c, false, err
	}
	res, err := tx.exec(ctx, `INSERT INTO cases (id, workspace_id, feedback_id, customer_id, rule_id, owner_employee_id, team, title,
		status, sla_minutes, due_at, escalation_level, sla_round, root_cause, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, '', ?, ?) ON CONFLICT (workspace_id, feedback_id) DO NOTHING`,
		id, c.WorkspaceID, c.FeedbackID, c.CustomerID, c.RuleID, c.OwnerEmployeeID, c.Team, c.Title, CaseOpen, c.SLAMinutes,
		c.DueAt.UnixMilli(), c.CreatedAt.UnixMilli(), c.CreatedAt.UnixMilli())
	if err != nil {
		return c, false, fmt.Errorf("insert case: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 && c.FeedbackID != nil {
		existing, err := scanCase(tx.queryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE workspace_id = ? AND feedback_id = ?`,
			c.WorkspaceID, *c.FeedbackID))
		return existing, false, err
	}
	c.ID, c.Status = id, CaseOpen
	return c, true, nil
}

// Case returns one case of the workspace.
func (db *DB) Case(ctx context.Context, workspaceID, id int64) (Case, error) {
	c, err := scanCase(db.queryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return c, notFound(err, "case")
	}
	return c, nil
}

// LockCase reads a case for update inside tx.
func (tx *Tx) LockCase(ctx context.Context, workspaceID, id int64) (Case, error) {
	c, err := scanCase(tx.queryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE workspace_id = ? AND id = ?`+tx.forUpdate(), workspaceID, id))
	if err != nil {
		return c, notFound(err, "case")
	}
	return c, nil
}

// SaveCase writes back every mutable field of a case locked with LockCase.
func (tx *Tx) SaveCase(ctx context.Context, c Case) error {
	_, err := tx.exec(ctx, `UPDATE cases SET owner_employee_id = ?, team = ?, title = ?, status = ?, sla_minutes = ?, due_at = ?,
		first_action_at = ?, resolved_at = ?, escalation_level = ?, sla_round = ?, root_cause = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, c.OwnerEmployeeID, c.Team, c.Title, c.Status, c.SLAMinutes, c.DueAt.UnixMilli(),
		optArg(c.FirstActionAt), optArg(c.ResolvedAt), c.EscalationLevel, c.Round, c.RootCause, c.UpdatedAt.UnixMilli(),
		c.WorkspaceID, c.ID)
	if err != nil {
		return fmt.Errorf("save case: %w", err)
	}
	return nil
}

// CaseFilter narrows a case listing; zero fields do not filter.
type CaseFilter struct {
	Status     string
	OwnerID    int64
	CustomerID int64
	Overdue    bool      // open (not resolved) and due before Now
	Now        time.Time // for Overdue
	BeforeID   int64     // cursor: cases with a smaller id
	Limit      int       // default 50, at most 500
}

// ListCases lists the workspace's cases, newest first.
func (db *DB) ListCases(ctx context.Context, workspaceID int64, f CaseFilter) ([]Case, error) {
	where := []string{"workspace_id = ?"}
	args := []any{workspaceID}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.OwnerID > 0 {
		where, args = append(where, "owner_employee_id = ?"), append(args, f.OwnerID)
	}
	if f.CustomerID > 0 {
		where, args = append(where, "customer_id = ?"), append(args, f.CustomerID)
	}
	if f.Overdue {
		where, args = append(where, "status <> 'resolved' AND due_at < ?"), append(args, f.Now.UnixMilli())
	}
	if f.BeforeID > 0 {
		where, args = append(where, "id < ?"), append(args, f.BeforeID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	rows, err := db.query(ctx, `SELECT `+caseColumns+` FROM cases WHERE `+strings.Join(where, " AND ")+` ORDER BY id DESC LIMIT ?`,
		append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list cases: %w", err)
	}
	defer rows.Close()
	out := []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CaseEvent is one entry of a case's history.
type CaseEvent struct {
	ID        int64          `json:"id"`
	CaseID    int64          `json:"case_id"`
	Kind      string         `json:"kind"` // note, status, escalation, reply, assign, created
	Actor     string         `json:"actor"`
	Body      string         `json:"body"`
	Details   map[string]any `json:"details"`
	CreatedAt time.Time      `json:"created_at"`
}

// AddCaseEvent appends to a case's history inside tx.
func (tx *Tx) AddCaseEvent(ctx context.Context, workspaceID int64, e CaseEvent) (int64, error) {
	id, err := tx.allocID(ctx, "case_events")
	if err != nil {
		return 0, err
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	_, err = tx.exec(ctx, `INSERT INTO case_events (id, workspace_id, case_id, kind, actor, body, details, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, workspaceID, e.CaseID, e.Kind, e.Actor, e.Body, jsonText(e.Details, "{}"),
		e.CreatedAt.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("add case event: %w", err)
	}
	return id, nil
}

// CaseEvents returns a case's history, oldest first.
func (db *DB) CaseEvents(ctx context.Context, workspaceID, caseID int64) ([]CaseEvent, error) {
	rows, err := db.query(ctx, `SELECT id, case_id, kind, actor, body, details, created_at FROM case_events
		WHERE workspace_id = ? AND case_id = ? ORDER BY id`, workspaceID, caseID)
	if err != nil {
		return nil, fmt.Errorf("case events: %w", err)
	}
	defer rows.Close()
	out := []CaseEvent{}
	for rows.Next() {
		var e CaseEvent
		var details string
		var at int64
		if err := rows.Scan(&e.ID, &e.CaseID, &e.Kind, &e.Actor, &e.Body, &details, &at); err != nil {
			return nil, err
		}
		e.CreatedAt, e.Details = fromMillis(at), map[string]any{}
		_ = json.Unmarshal([]byte(details), &e.Details)
		out = append(out, e)
	}
	return out, rows.Err()
}

// UpdateCaseEvent rewrites the details of a history entry (e.g. a reply's
// delivery outcome, known only after the send job ran).
func (db *DB) UpdateCaseEvent(ctx context.Context, workspaceID, id int64, details map[string]any) error {
	_, err := db.exec(ctx, `UPDATE case_events SET details = ? WHERE workspace_id = ? AND id = ?`, jsonText(details, "{}"), workspaceID, id)
	if err != nil {
		return fmt.Errorf("update case event: %w", err)
	}
	return nil
}
