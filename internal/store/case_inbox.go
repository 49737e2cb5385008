package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The cases inbox of the web UI: one query that lists cases with what a row
// shows (customer, owner, score), the counts of the inbox tabs, and the
// lookups the case forms need (members to assign to, teams, root causes).

// CaseOrder is the order of an inbox listing.
type CaseOrder int

// Inbox orders: most urgent first (due time, for work still to do) or
// newest first (for history, where due times no longer matter).
const (
	CaseByDue CaseOrder = iota
	CaseByNewest
)

// CaseInboxFilter narrows the inbox; zero fields do not filter.
type CaseInboxFilter struct {
	Statuses   []string // any of these; empty means every status
	OwnerID    int64    // owned by this employee
	Unassigned bool     // without an owner
	Overdue    bool     // not resolved and due before Now
	Escalated  bool     // escalation level above zero
	Team       string
	Now        time.Time
	Order      CaseOrder
	After      CaseCursor // keyset: the page after this row; zero is the first page
	Limit      int        // default 50, at most 500
}

// CaseCursor is where an inbox page ended: the last row's due time (for
// CaseByDue) and id.
type CaseCursor struct {
	DueAt int64 // unix ms
	ID    int64
}

// String encodes the cursor for a URL.
func (c CaseCursor) String() string {
	return strconv.FormatInt(c.DueAt, 10) + "." + strconv.FormatInt(c.ID, 10)
}

// ParseCaseCursor decodes a cursor made by CaseCursor.String.
func ParseCaseCursor(s string) (CaseCursor, error) {
	due, id, ok := strings.Cut(s, ".")
	var c CaseCursor
	var err1, err2 error
	c.DueAt, err1 = strconv.ParseInt(due, 10, 64)
	c.ID, err2 = strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || c.ID <= 0 {
		return CaseCursor{}, ErrBadCursor
	}
	return c, nil
}

// CaseRow is a case with what an inbox row shows beside it.
type CaseRow struct {
	Case
	CustomerName string
	OwnerName    string
	NPS          *int   // the feedback item's NPS answer
	Sentiment    string // the feedback item's sentiment label
	Channel      string // the channel the feedback came from
}

// Cursor is the keyset position of the row.
func (r CaseRow) Cursor() CaseCursor { return CaseCursor{DueAt: r.DueAt.UnixMilli(), ID: r.ID} }

// qualifiedCaseColumns is caseColumns prefixed with the cases table alias,
// for queries that join other tables with columns of the same names.
var qualifiedCaseColumns = func() string {
	cols := strings.Split(caseColumns, ",")
	for i, c := range cols {
		cols[i] = "c." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}()

// CaseInbox lists the workspace's cases for the inbox and the board.
func (db *DB) CaseInbox(ctx context.Context, workspaceID int64, f CaseInboxFilter) ([]CaseRow, error) {
	where := []string{"c.workspace_id = ?"}
	args := []any{workspaceID}
	if len(f.Statuses) > 0 {
		where = append(where, "c.status IN (?"+strings.Repeat(", ?", len(f.Statuses)-1)+")")
		for _, s := range f.Statuses {
			args = append(args, s)
		}
	}
	switch {
	case f.OwnerID > 0:
		where, args = append(where, "c.owner_employee_id = ?"), append(args, f.OwnerID)
	case f.Unassigned:
		where = append(where, "c.owner_employee_id IS NULL")
	}
	if f.Overdue {
		where, args = append(where, "c.status <> 'resolved' AND c.due_at < ?"), append(args, f.Now.UnixMilli())
	}
	if f.Escalated {
		where = append(where, "c.escalation_level > 0")
	}
	if f.Team != "" {
		where, args = append(where, "c.team = ?"), append(args, f.Team)
	}
	order := "c.due_at, c.id"
	if f.Order == CaseByNewest {
		order = "c.id DESC"
		if f.After.ID > 0 {
			where, args = append(where, "c.id < ?"), append(args, f.After.ID)
		}
	} else if f.After.ID > 0 {
		where = append(where, "(c.due_at > ? OR (c.due_at = ? AND c.id > ?))")
		args = append(args, f.After.DueAt, f.After.DueAt, f.After.ID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	// The page is chosen from cases alone, then joined: the joins run for
	// the rows shown, not for every case the filter matches.
	rows, err := db.query(ctx, `SELECT `+qualifiedCaseColumns+`, COALESCE(cu.name, ''), COALESCE(e.name, ''), fi.nps,
		COALESCE(fi.sentiment_label, ''), COALESCE(fi.channel, '')
		FROM (SELECT * FROM cases c WHERE `+strings.Join(where, " AND ")+` ORDER BY `+order+` LIMIT ?) c
		LEFT JOIN customers cu ON cu.workspace_id = c.workspace_id AND cu.id = c.customer_id
		LEFT JOIN employees e ON e.workspace_id = c.workspace_id AND e.id = c.owner_employee_id
		LEFT JOIN feedback_items fi ON fi.workspace_id = c.workspace_id AND fi.id = c.feedback_id
		ORDER BY `+order, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("case inbox: %w", err)
	}
	defer rows.Close()
	out := []CaseRow{}
	for rows.Next() {
		var r CaseRow
		var due, created, updated int64
		var first, resolved sql.NullInt64
		var nps sql.NullInt64
		if err := rows.Scan(&r.ID, &r.WorkspaceID, &r.FeedbackID, &r.CustomerID, &r.RuleID, &r.OwnerEmployeeID, &r.Team, &r.Title,
			&r.Status, &r.SLAMinutes, &due, &first, &resolved, &r.EscalationLevel, &r.Round, &r.RootCause, &created, &updated,
			&r.CustomerName, &r.OwnerName, &nps, &r.Sentiment, &r.Channel); err != nil {
			return nil, fmt.Errorf("case inbox: %w", err)
		}
		r.DueAt, r.CreatedAt, r.UpdatedAt = fromMillis(due), fromMillis(created), fromMillis(updated)
		r.FirstActionAt, r.ResolvedAt = optMillis(first), optMillis(resolved)
		if nps.Valid {
			v := int(nps.Int64)
			r.NPS = &v
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CaseCounts are the sizes of the inbox tabs; all count unresolved cases.
type CaseCounts struct {
	Active, Mine, Unassigned, Overdue, Escalated int
}

// CaseInboxCounts counts the workspace's unresolved cases: all, those of
// owner (an employee id; 0 counts none), unassigned, overdue at now and
// escalated.
func (db *DB) CaseInboxCounts(ctx context.Context, workspaceID, owner int64, now time.Time) (CaseCounts, error) {
	var c CaseCounts
	// One seek of the status index per active status: with `status <>
	// 'resolved'` SQLite walked every case of the workspace (30k at 1M
	// items, nearly all resolved) through another index.
	args := []any{owner, now.UnixMilli()}
	var parts []string
	for _, st := range CaseStatuses {
		if st != CaseResolved {
			parts = append(parts, `SELECT owner_employee_id, due_at, escalation_level FROM cases WHERE workspace_id = ? AND status = ?`)
			args = append(args, workspaceID, st)
		}
	}
	err := db.queryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN owner_employee_id = ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN owner_employee_id IS NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN due_at < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN escalation_level > 0 THEN 1 ELSE 0 END), 0)
		FROM (`+strings.Join(parts, " UNION ALL ")+`) active`, args...).
		Scan(&c.Active, &c.Mine, &c.Unassigned, &c.Overdue, &c.Escalated)
	if err != nil {
		return c, fmt.Errorf("case counts: %w", err)
	}
	return c, nil
}

// CaseForFeedback returns the case opened for a feedback item, or ErrNotFound.
func (db *DB) CaseForFeedback(ctx context.Context, workspaceID, feedbackID int64) (Case, error) {
	c, err := scanCase(db.queryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE workspace_id = ? AND feedback_id = ?`,
		workspaceID, feedbackID))
	if err != nil {
		return c, notFound(err, "case")
	}
	return c, nil
}

// CaseTeams lists the workspace's teams, for the inbox's team filter. They
// are the employees' teams: a case's team comes from its rule's routing,
// which names an employee team, and the employees table stays small where
// cases grow without bound.
func (db *DB) CaseTeams(ctx context.Context, workspaceID int64) ([]string, error) {
	return db.caseStrings(ctx, "case teams", `SELECT DISTINCT team FROM employees WHERE workspace_id = ? AND team <> ''
		ORDER BY team`, workspaceID)
}

// CaseRootCauses lists the root causes of the workspace's 1000 resolved
// cases due last, so that resolving a case offers the same tags again
// rather than near-duplicates, at a bounded cost (the status index gives
// that order without a sort).
func (db *DB) CaseRootCauses(ctx context.Context, workspaceID int64) ([]string, error) {
	return db.caseStrings(ctx, "case root causes", `SELECT DISTINCT root_cause FROM
		(SELECT root_cause FROM cases WHERE workspace_id = ? AND status = 'resolved' ORDER BY due_at DESC LIMIT 1000) r
		WHERE root_cause <> '' ORDER BY root_cause LIMIT 100`, workspaceID)
}

func (db *DB) caseStrings(ctx context.Context, what, query string, args ...any) ([]string, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CaseMember is a workspace member a case can be assigned to.
type CaseMember struct {
	UserID     int64
	Name       string
	Email      string
	Role       string
	EmployeeID *int64 // the employee record linked to the user, if any
}

// CaseMembers lists the workspace's enabled members by name, with their
// linked employee records (case owners are employees).
func (db *DB) CaseMembers(ctx context.Context, workspaceID int64) ([]CaseMember, error) {
	rows, err := db.query(ctx, `SELECT u.id, u.name, u.email, m.role,
		(SELECT MIN(e.id) FROM employees e WHERE e.workspace_id = m.workspace_id AND e.user_id = u.id)
		FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.workspace_id = ? AND u.disabled = 0 ORDER BY u.name, u.id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("case members: %w", err)
	}
	defer rows.Close()
	out := []CaseMember{}
	for rows.Next() {
		var m CaseMember
		if err := rows.Scan(&m.UserID, &m.Name, &m.Email, &m.Role, &m.EmployeeID); err != nil {
			return nil, fmt.Errorf("case members: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CaseOwnerForUser returns the employee record of a workspace member, making
// one (external id "user:<id>", linked to the user) when there is none:
// cases are owned by employees, and an agent who takes a case becomes one.
// A user who is not a member of the workspace is ErrNotFound.
func (db *DB) CaseOwnerForUser(ctx context.Context, workspaceID, userID int64) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var name, email string
		err := tx.queryRow(ctx, `SELECT u.name, u.email FROM memberships m JOIN users u ON u.id = m.user_id
			WHERE m.workspace_id = ? AND m.user_id = ?`, workspaceID, userID).Scan(&name, &email)
		if err != nil {
			return notFound(err, "member")
		}
		err = tx.queryRow(ctx, `SELECT id FROM employees WHERE workspace_id = ? AND user_id = ? ORDER BY id LIMIT 1`,
			workspaceID, userID).Scan(&id)
		if err == nil {
			return nil
		}
		if err != sql.ErrNoRows {
			return fmt.Errorf("case owner: %w", err)
		}
		if name == "" {
			name = email
		}
		if id, err = tx.upsertEmployee(ctx, workspaceID, EmployeeInput{ExternalID: "user:" + strconv.FormatInt(userID, 10),
			Name: name, Email: email}, time.Now()); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE employees SET user_id = ? WHERE workspace_id = ? AND id = ?`, userID, workspaceID, id); err != nil {
			return fmt.Errorf("case owner: link: %w", err)
		}
		return nil
	})
	return id, err
}
