package store

import (
	"context"
	"fmt"
	"time"
)

// Employee is a member of staff who serves customers; feedback about their
// service carries their id so that they can be praised and ranked.
type Employee struct {
	ID          int64  `json:"id"`
	WorkspaceID int64  `json:"-"`
	ExternalID  string `json:"external_id"`
	Name        string `json:"name"`
	Email       string `json:"email"`
	Team        string `json:"team"`
	Region      string `json:"region"`
	ManagerID   *int64 `json:"manager_id,omitempty"`
	UserID      *int64 `json:"user_id,omitempty"`
}

// EmployeeInput names an employee by the company's own id.
type EmployeeInput struct {
	ExternalID string
	Name       string
	Email      string
	Team       string
	Region     string
	ManagerID  *int64
}

// UpsertEmployee creates the employee or fills in missing fields.
func (db *DB) UpsertEmployee(ctx context.Context, workspaceID int64, in EmployeeInput) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.upsertEmployee(ctx, workspaceID, in, time.Now())
		return err
	})
	return id, err
}

func (tx *Tx) upsertEmployee(ctx context.Context, workspaceID int64, in EmployeeInput, now time.Time) (int64, error) {
	name := in.Name
	if name == "" {
		name = in.ExternalID
	}
	newID, err := tx.allocID(ctx, "employees")
	if err != nil {
		return 0, err
	}
	_, err = tx.exec(ctx, `INSERT INTO employees (id, workspace_id, external_id, name, email, team, region, manager_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, external_id) DO NOTHING`,
		newID, workspaceID, in.ExternalID, name, in.Email, in.Team, in.Region, in.ManagerID, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("upsert employee: %w", err)
	}
	var id int64
	if err := tx.queryRow(ctx, `SELECT id FROM employees WHERE workspace_id = ? AND external_id = ?`,
		workspaceID, in.ExternalID).Scan(&id); err != nil {
		return 0, fmt.Errorf("upsert employee: %w", err)
	}
	return id, nil
}

// Employees lists the workspace's employees by name.
func (db *DB) Employees(ctx context.Context, workspaceID int64) ([]Employee, error) {
	rows, err := db.query(ctx, `SELECT id, external_id, name, email, team, region, manager_id, user_id FROM employees
		WHERE workspace_id = ? ORDER BY name, id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list employees: %w", err)
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
