package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// IsPraise reports whether an item praises the service: a promoter (NPS
// 9-10), a top-box CSAT (5 of 5, 10 of 10), or — without a rating — text
// with positive sentiment. A rating with negative text ("9, but the courier
// was rude") is not praise. praiseSQL is the same rule for queries.
func IsPraise(it *FeedbackItem) bool {
	switch {
	case it.NPS != nil:
		return *it.NPS >= 9 && it.Sentiment != "negative"
	case it.CSAT != nil:
		scale := 5
		if it.CSATScale != nil {
			scale = *it.CSATScale
		}
		return *it.CSAT == scale && it.Sentiment != "negative"
	default:
		return it.Sentiment == "positive" && strings.TrimSpace(it.Text) != ""
	}
}

// praiseSQL is IsPraise over feedback_items aliased f.
const praiseSQL = `((f.nps IS NOT NULL AND f.nps >= 9 AND f.sentiment_label <> 'negative')
	OR (f.nps IS NULL AND f.csat IS NOT NULL AND f.csat = COALESCE(f.csat_scale, 5) AND f.sentiment_label <> 'negative')
	OR (f.nps IS NULL AND f.csat IS NULL AND f.sentiment_label = 'positive' AND TRIM(f.text) <> ''))`

// PraiseItem is a piece of praise for an employee, as a digest quotes it.
type PraiseItem struct {
	ID           int64     `json:"id"`
	EmployeeID   int64     `json:"employee_id"`
	EmployeeName string    `json:"employee_name"`
	Channel      string    `json:"channel"`
	Text         string    `json:"text"`
	NPS          *int      `json:"nps"`
	CSAT         *int      `json:"csat"`
	OccurredAt   time.Time `json:"occurred_at"`
}

// PraiseItems counts the praise for the given employees (any employee when
// employees is nil) in [from, to) and returns up to limit of it, those with
// words first, newest first.
func (db *DB) PraiseItems(ctx context.Context, workspaceID int64, employees []int64, from, to time.Time, limit int) (int, []PraiseItem, error) {
	if employees != nil && len(employees) == 0 {
		return 0, []PraiseItem{}, nil
	}
	where := `f.workspace_id = ? AND f.occurred_at >= ? AND f.occurred_at < ? AND f.employee_id IS NOT NULL AND ` + praiseSQL
	args := []any{workspaceID, from.UnixMilli(), to.UnixMilli()}
	if employees != nil {
		where += ` AND f.employee_id IN (` + placeholders(len(employees)) + `)`
		for _, id := range employees {
			args = append(args, id)
		}
	}
	var total int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM feedback_items f WHERE `+where, args...).Scan(&total); err != nil {
		return 0, nil, fmt.Errorf("count praise: %w", err)
	}
	rows, err := db.query(ctx, `SELECT f.id, f.employee_id, COALESCE(e.name, ''), f.channel, f.text, f.nps, f.csat, f.occurred_at
		FROM feedback_items f LEFT JOIN employees e ON e.workspace_id = f.workspace_id AND e.id = f.employee_id
		WHERE `+where+` ORDER BY CASE WHEN TRIM(f.text) <> '' THEN 0 ELSE 1 END, f.occurred_at DESC, f.id DESC LIMIT ?`,
		append(args, limit)...)
	if err != nil {
		return 0, nil, fmt.Errorf("praise items: %w", err)
	}
	defer rows.Close()
	out := []PraiseItem{}
	for rows.Next() {
		var p PraiseItem
		var at int64
		if err := rows.Scan(&p.ID, &p.EmployeeID, &p.EmployeeName, &p.Channel, &p.Text, &p.NPS, &p.CSAT, &at); err != nil {
			return 0, nil, fmt.Errorf("praise items: %w", err)
		}
		p.OccurredAt = fromMillis(at)
		out = append(out, p)
	}
	return total, out, rows.Err()
}

// EmployeeCircle returns whom a digest about an employee covers: the
// employee, their team mates (same non-empty team) and direct reports.
func (db *DB) EmployeeCircle(ctx context.Context, workspaceID, employeeID int64) ([]Employee, error) {
	rows, err := db.query(ctx, `SELECT id, external_id, name, email, team, region, manager_id, user_id FROM employees
		WHERE workspace_id = ? AND (id = ? OR manager_id = ?
			OR (team <> '' AND team = (SELECT t.team FROM employees t WHERE t.workspace_id = ? AND t.id = ?)))
		ORDER BY id`, workspaceID, employeeID, employeeID, workspaceID, employeeID)
	if err != nil {
		return nil, fmt.Errorf("employee circle: %w", err)
	}
	defer rows.Close()
	out := []Employee{}
	for rows.Next() {
		e := Employee{WorkspaceID: workspaceID}
		if err := rows.Scan(&e.ID, &e.ExternalID, &e.Name, &e.Email, &e.Team, &e.Region, &e.ManagerID, &e.UserID); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// OpenCases lists the workspace's open (not resolved) cases owned by any
// of owners (every case when owners is nil), soonest due first, up to
// limit; open and overdue count all of them.
func (db *DB) OpenCases(ctx context.Context, workspaceID int64, owners []int64, now time.Time, limit int) (cases []Case, open, overdue int, err error) {
	if owners != nil && len(owners) == 0 {
		return []Case{}, 0, 0, nil
	}
	where := `workspace_id = ? AND status <> 'resolved'`
	args := []any{workspaceID}
	if owners != nil {
		where += ` AND owner_employee_id IN (` + placeholders(len(owners)) + `)`
		for _, id := range owners {
			args = append(args, id)
		}
	}
	err = db.queryRow(ctx, `SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN due_at < ? THEN 1 ELSE 0 END), 0) AS BIGINT)
		FROM cases WHERE `+where, append([]any{now.UnixMilli()}, args...)...).Scan(&open, &overdue)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("count open cases: %w", err)
	}
	rows, err := db.query(ctx, `SELECT `+caseColumns+` FROM cases WHERE `+where+` ORDER BY due_at, id LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("open cases: %w", err)
	}
	defer rows.Close()
	cases = []Case{}
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, 0, 0, fmt.Errorf("open cases: %w", err)
		}
		cases = append(cases, c)
	}
	return cases, open, overdue, rows.Err()
}
