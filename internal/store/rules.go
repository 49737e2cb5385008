package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// Rule is an alert rule as stored: its conditions and actions stay raw JSON
// here because the alert package owns their meaning and validation.
type Rule struct {
	ID          int64           `json:"id"`
	WorkspaceID int64           `json:"-"`
	Name        string          `json:"name"`
	Enabled     bool            `json:"enabled"`
	Match       string          `json:"match"`
	Conditions  json.RawMessage `json:"conditions"`
	Actions     json.RawMessage `json:"actions"`
	CreatedAt   time.Time       `json:"created_at"`
	UpdatedAt   time.Time       `json:"updated_at"`
}

const ruleColumns = `id, workspace_id, name, enabled, match_mode, conditions, actions, created_at, updated_at`

func scanRule(row interface{ Scan(...any) error }) (Rule, error) {
	var r Rule
	var enabled int
	var conds, acts string
	var created, updated int64
	err := row.Scan(&r.ID, &r.WorkspaceID, &r.Name, &enabled, &r.Match, &conds, &acts, &created, &updated)
	r.Enabled = enabled != 0
	r.Conditions, r.Actions = json.RawMessage(conds), json.RawMessage(acts)
	r.CreatedAt, r.UpdatedAt = fromMillis(created), fromMillis(updated)
	return r, err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateRule stores a new rule and returns it with its id.
func (db *DB) CreateRule(ctx context.Context, workspaceID int64, r Rule) (Rule, error) {
	now := time.Now()
	err := db.InTx(ctx, func(tx *Tx) error {
		id, err := tx.allocID(ctx, "alert_rules")
		if err != nil {
			return err
		}
		r.ID, r.WorkspaceID, r.CreatedAt, r.UpdatedAt = id, workspaceID, now.UTC().Truncate(time.Millisecond), now.UTC().Truncate(time.Millisecond)
		_, err = tx.exec(ctx, `INSERT INTO alert_rules (id, workspace_id, name, enabled, match_mode, conditions, actions, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, workspaceID, r.Name, boolInt(r.Enabled), r.Match, string(r.Conditions),
			string(r.Actions), now.UnixMilli(), now.UnixMilli())
		return err
	})
	if err != nil {
		return r, fmt.Errorf("create rule: %w", err)
	}
	return r, nil
}

// Rule returns one rule of the workspace.
func (db *DB) Rule(ctx context.Context, workspaceID, id int64) (Rule, error) {
	r, err := scanRule(db.queryRow(ctx, `SELECT `+ruleColumns+` FROM alert_rules WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return r, notFound(err, "rule")
	}
	return r, nil
}

// Rules lists the workspace's rules in creation order.
func (db *DB) Rules(ctx context.Context, workspaceID int64) ([]Rule, error) {
	return collectRules(db.query(ctx, `SELECT `+ruleColumns+` FROM alert_rules WHERE workspace_id = ? ORDER BY id`, workspaceID))
}

// EnabledRules lists the workspace's enabled rules inside tx, so that the
// evaluation of new feedback sees the rules as of its own transaction.
func (tx *Tx) EnabledRules(ctx context.Context, workspaceID int64) ([]Rule, error) {
	return groupRead(tx.reads.rules, workspaceID, func() ([]Rule, error) {
		return collectRules(tx.query(ctx, `SELECT `+ruleColumns+` FROM alert_rules WHERE workspace_id = ? AND enabled = 1 ORDER BY id`, workspaceID))
	})
}

func collectRules(rows interface {
	Next() bool
	Scan(...any) error
	Close() error
	Err() error
}, err error) ([]Rule, error) {
	if err != nil {
		return nil, fmt.Errorf("list rules: %w", err)
	}
	defer rows.Close()
	out := []Rule{}
	for rows.Next() {
		r, err := scanRule(rows)
		if err != nil {
			return nil, fmt.Errorf("list rules: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UpdateRule replaces a rule's name, switch, conditions and actions.
func (db *DB) UpdateRule(ctx context.Context, workspaceID int64, r Rule) (Rule, error) {
	res, err := db.exec(ctx, `UPDATE alert_rules SET name = ?, enabled = ?, match_mode = ?, conditions = ?, actions = ?, updated_at = ?
		WHERE workspace_id = ? AND id = ?`, r.Name, boolInt(r.Enabled), r.Match, string(r.Conditions), string(r.Actions),
		time.Now().UnixMilli(), workspaceID, r.ID)
	if err != nil {
		return r, fmt.Errorf("update rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return r, fmt.Errorf("update rule %d: %w", r.ID, ErrNotFound)
	}
	return db.Rule(ctx, workspaceID, r.ID)
}

// DeleteRule removes a rule; cases and alerts it raised stay.
func (db *DB) DeleteRule(ctx context.Context, workspaceID, id int64) error {
	res, err := db.exec(ctx, `DELETE FROM alert_rules WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return fmt.Errorf("delete rule: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete rule %d: %w", id, ErrNotFound)
	}
	return nil
}

// NextRoundRobin advances the rule's round-robin cursor and returns its
// previous value; the row update serialises concurrent evaluations.
func (tx *Tx) NextRoundRobin(ctx context.Context, workspaceID, ruleID int64) (int64, error) {
	var n int64
	err := tx.queryRow(ctx, `UPDATE alert_rules SET rr_cursor = rr_cursor + 1 WHERE workspace_id = ? AND id = ? RETURNING rr_cursor`,
		workspaceID, ruleID).Scan(&n)
	if err != nil {
		return 0, notFound(err, "round robin")
	}
	return n - 1, nil
}

// TeamEmployees lists a team's employees by id, for round-robin assignment.
func (tx *Tx) TeamEmployees(ctx context.Context, workspaceID int64, team string) ([]Employee, error) {
	rows, err := tx.query(ctx, `SELECT id, external_id, name, email, team, region, manager_id, user_id FROM employees
		WHERE workspace_id = ? AND team = ? ORDER BY id`, workspaceID, team)
	if err != nil {
		return nil, fmt.Errorf("team employees: %w", err)
	}
	defer rows.Close()
	var out []Employee
	for rows.Next() {
		e := Employee{WorkspaceID: workspaceID}
		if err := rows.Scan(&e.ID, &e.ExternalID, &e.Name, &e.Email, &e.Team, &e.Region, &e.ManagerID, &e.UserID); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

const employeeContactQuery = `SELECT id, external_id, name, email, team, region, manager_id, user_id FROM employees
	WHERE workspace_id = ? AND id = ?`

func scanEmployeeContact(row *sql.Row, workspaceID int64) (Employee, error) {
	e := Employee{WorkspaceID: workspaceID}
	err := row.Scan(&e.ID, &e.ExternalID, &e.Name, &e.Email, &e.Team, &e.Region, &e.ManagerID, &e.UserID)
	if err != nil {
		return e, notFound(err, "employee")
	}
	return e, nil
}

// EmployeeContact returns one employee of the workspace (a case owner or
// the manager an escalation goes to).
func (db *DB) EmployeeContact(ctx context.Context, workspaceID, id int64) (Employee, error) {
	return scanEmployeeContact(db.queryRow(ctx, employeeContactQuery, workspaceID, id), workspaceID)
}

// EmployeeContact reads an employee inside tx, which sees employees created
// by the same feedback batch.
func (tx *Tx) EmployeeContact(ctx context.Context, workspaceID, id int64) (Employee, error) {
	return scanEmployeeContact(tx.queryRow(ctx, employeeContactQuery, workspaceID, id), workspaceID)
}

// RuleCustomers loads the customers (with identities) that rules and event
// payloads need, keyed by id, inside the evaluating transaction.
func (tx *Tx) RuleCustomers(ctx context.Context, workspaceID int64, ids []int64) (map[int64]Customer, error) {
	return ruleCustomers(ctx, tx.query, workspaceID, ids)
}

// RuleCustomers is the read-only variant, for testing rules on past items.
func (db *DB) RuleCustomers(ctx context.Context, workspaceID int64, ids []int64) (map[int64]Customer, error) {
	return ruleCustomers(ctx, db.query, workspaceID, ids)
}

func ruleCustomers(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error), workspaceID int64, ids []int64) (map[int64]Customer, error) {
	out := make(map[int64]Customer, len(ids))
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := []any{workspaceID}
		for _, id := range chunk {
			args = append(args, id)
		}
		in := placeholders(len(chunk))
		rows, err := query(ctx, `SELECT `+customerColumns+` FROM customers WHERE workspace_id = ? AND id IN (`+in+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("rule customers: %w", err)
		}
		for rows.Next() {
			c, err := scanCustomer(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[c.ID] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		rows, err = query(ctx, `SELECT ci.customer_id, ci.kind, ci.value FROM `+identitiesOfCustomers+` IN (`+in+`)
			ORDER BY ci.customer_id, ci.kind, ci.value`, args...)
		if err != nil {
			return nil, fmt.Errorf("rule customer identities: %w", err)
		}
		for rows.Next() {
			var id int64
			var idn Identity
			if err := rows.Scan(&id, &idn.Kind, &idn.Value); err != nil {
				rows.Close()
				return nil, err
			}
			if c, ok := out[id]; ok {
				c.Identities = append(c.Identities, idn)
				out[id] = c
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, convertRevenues(ctx, query, workspaceID, out, time.Now())
}

// convertRevenues sets ReportingRevenue of the customers that have an
// annual revenue, at the rates of now. A revenue of 0 needs no rate.
func convertRevenues(ctx context.Context, query func(context.Context, string, ...any) (*sql.Rows, error),
	workspaceID int64, customers map[int64]Customer, now time.Time) error {
	var cs *CurrencySettings
	for id, c := range customers {
		if c.AnnualRevenue == 0 {
			zero := 0.0
			c.ReportingRevenue = &zero
			customers[id] = c
			continue
		}
		if cs == nil {
			loaded, err := currencySettings(ctx, query, workspaceID)
			if err != nil {
				return fmt.Errorf("rule customers: %w", err)
			}
			cs = &loaded
		}
		if rate, ok := cs.RateAt(cmp.Or(c.RevenueCurrency, cs.ReportingCurrency), now); ok {
			v := c.AnnualRevenue * rate
			c.ReportingRevenue = &v
			customers[id] = c
		}
	}
	return nil
}

// ApplyFeedbackTags sets the tags of a stored item (a rule's "tag" action).
func (tx *Tx) ApplyFeedbackTags(ctx context.Context, workspaceID, id int64, tags []string) error {
	_, err := tx.exec(ctx, `UPDATE feedback_items SET tags = ? WHERE workspace_id = ? AND id = ?`, jsonText(tags, "[]"), workspaceID, id)
	if err != nil {
		return fmt.Errorf("tag feedback: %w", err)
	}
	return nil
}

// WorkspaceAdminEmails lists the emails of the workspace's owners and
// admins: who hears of a webhook endpoint being disabled or a spike.
func (db *DB) WorkspaceAdminEmails(ctx context.Context, workspaceID int64) ([]string, error) {
	rows, err := db.query(ctx, `SELECT u.email FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.workspace_id = ? AND m.role IN ('owner', 'admin') AND u.disabled = 0 ORDER BY u.id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("admin emails: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
