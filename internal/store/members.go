package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
)

// ErrLastOwner refuses a change that would leave a workspace without an
// owner: nobody could then manage its users or settings.
var ErrLastOwner = errors.New("the workspace's last owner cannot be removed or demoted")

// ValidRole reports whether role is one of Roles.
func ValidRole(role string) bool { return slices.Contains(Roles, role) }

// AuditActor is who makes an audited change: a user (UserID > 0) or a
// named process, and the name the audit log shows (the user's email).
type AuditActor struct {
	UserID int64
	Name   string
}

// entry builds the audit entry of one action of the actor.
func (a AuditActor) entry(workspaceID int64, action, objectType string, objectID int64, details map[string]any) AuditEntry {
	e := AuditEntry{WorkspaceID: workspaceID, Actor: a.Name, Action: action, ObjectType: objectType, ObjectID: objectID, Details: details}
	if a.UserID > 0 {
		id := a.UserID
		e.UserID = &id
	}
	if e.Details == nil {
		e.Details = map[string]any{}
	}
	return e
}

// Member is one user of a workspace with their role, as the users page lists them.
type Member struct {
	UserID   int64
	Email    string
	Name     string
	Role     string
	Disabled bool
	JoinedAt time.Time
}

// Members lists the users of a workspace, by email.
func (db *DB) Members(ctx context.Context, workspaceID int64) ([]Member, error) {
	rows, err := db.query(ctx, `SELECT u.id, u.email, u.name, m.role, u.disabled, m.created_at
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ? ORDER BY u.email`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("members: %w", err)
	}
	defer rows.Close()
	var out []Member
	for rows.Next() {
		var m Member
		var disabled int
		var joined int64
		if err := rows.Scan(&m.UserID, &m.Email, &m.Name, &m.Role, &disabled, &joined); err != nil {
			return nil, fmt.Errorf("members: %w", err)
		}
		m.Disabled, m.JoinedAt = disabled != 0, fromMillis(joined)
		out = append(out, m)
	}
	return out, rows.Err()
}

// lockWorkspace serialises membership changes of one workspace until the
// transaction ends. SQLite's single writer already does; on PostgreSQL two
// owners demoting each other at once would otherwise both see a second owner.
func (tx *Tx) lockWorkspace(ctx context.Context, workspaceID int64) error {
	if _, err := tx.exec(ctx, `UPDATE workspaces SET slug = slug WHERE id = ?`, workspaceID); err != nil {
		return fmt.Errorf("lock workspace: %w", err)
	}
	return nil
}

// memberRole reads a member's role inside tx (ErrNotFound when not a member).
func (tx *Tx) memberRole(ctx context.Context, workspaceID, userID int64) (string, error) {
	var role string
	err := tx.queryRow(ctx, `SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID).Scan(&role)
	if err != nil {
		return "", notFound(err, "member")
	}
	return role, nil
}

// ensureAnotherOwner returns ErrLastOwner unless the workspace has an owner
// besides userID.
func (tx *Tx) ensureAnotherOwner(ctx context.Context, workspaceID, userID int64) error {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM memberships WHERE workspace_id = ? AND role = ? AND user_id <> ?`,
		workspaceID, RoleOwner, userID).Scan(&n); err != nil {
		return fmt.Errorf("count owners: %w", err)
	}
	if n == 0 {
		return ErrLastOwner
	}
	return nil
}

// ChangeMemberRole gives a member another role and records it in the audit
// log. allow sees the member's current role inside the transaction and may
// refuse (who may change whom is the caller's policy); the last owner is
// never demoted. Setting the role a member already has changes nothing.
func (db *DB) ChangeMemberRole(ctx context.Context, workspaceID, userID int64, role string, actor AuditActor,
	allow func(current string) error) error {
	if !ValidRole(role) {
		return fmt.Errorf("change role: unknown role %q", role)
	}
	err := db.InTx(ctx, func(tx *Tx) error {
		if err := tx.lockWorkspace(ctx, workspaceID); err != nil {
			return err
		}
		current, err := tx.memberRole(ctx, workspaceID, userID)
		if err != nil {
			return err
		}
		if current == role {
			return nil
		}
		if allow != nil {
			if err := allow(current); err != nil {
				return err
			}
		}
		if current == RoleOwner {
			if err := tx.ensureAnotherOwner(ctx, workspaceID, userID); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `UPDATE memberships SET role = ? WHERE workspace_id = ? AND user_id = ?`,
			role, workspaceID, userID); err != nil {
			return err
		}
		return tx.audit(ctx, actor.entry(workspaceID, "member.role", "user", userID, map[string]any{"from": current, "to": role}))
	})
	if err != nil {
		return fmt.Errorf("change role of user %d: %w", userID, err)
	}
	return nil
}

// RemoveMember takes a user out of a workspace: the membership, the user's
// sessions in it and any employee record's link to the user go; the
// account itself stays (it may belong to other workspaces). allow and the
// last-owner rule work as in ChangeMemberRole.
func (db *DB) RemoveMember(ctx context.Context, workspaceID, userID int64, actor AuditActor, allow func(current string) error) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		if err := tx.lockWorkspace(ctx, workspaceID); err != nil {
			return err
		}
		current, err := tx.memberRole(ctx, workspaceID, userID)
		if err != nil {
			return err
		}
		if allow != nil {
			if err := allow(current); err != nil {
				return err
			}
		}
		if current == RoleOwner {
			if err := tx.ensureAnotherOwner(ctx, workspaceID, userID); err != nil {
				return err
			}
		}
		var email string
		if err := tx.queryRow(ctx, `SELECT email FROM users WHERE id = ?`, userID).Scan(&email); err != nil {
			return err
		}
		for _, q := range []string{
			`DELETE FROM memberships WHERE workspace_id = ? AND user_id = ?`,
			`DELETE FROM sessions WHERE workspace_id = ? AND user_id = ?`,
			`UPDATE employees SET user_id = NULL WHERE workspace_id = ? AND user_id = ?`,
		} {
			if _, err := tx.exec(ctx, q, workspaceID, userID); err != nil {
				return err
			}
		}
		return tx.audit(ctx, actor.entry(workspaceID, "member.remove", "user", userID, map[string]any{"email": email, "role": current}))
	})
	if err != nil {
		return fmt.Errorf("remove user %d: %w", userID, err)
	}
	return nil
}

// SetMemberEmployee links a member to the employee record employeeID of the
// workspace (0: to none), replacing any earlier link, so that a user of
// role employee sees the feedback about that employee. It returns
// ErrNotFound when the user is not a member or the employee is not in
// the workspace.
func (db *DB) SetMemberEmployee(ctx context.Context, workspaceID, userID, employeeID int64, actor AuditActor) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.memberRole(ctx, workspaceID, userID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE employees SET user_id = NULL WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID); err != nil {
			return err
		}
		details := map[string]any{}
		if employeeID > 0 {
			var name string
			if err := tx.queryRow(ctx, `SELECT name FROM employees WHERE workspace_id = ? AND id = ?`, workspaceID, employeeID).
				Scan(&name); err != nil {
				return notFound(err, "employee")
			}
			if _, err := tx.exec(ctx, `UPDATE employees SET user_id = ? WHERE workspace_id = ? AND id = ?`,
				userID, workspaceID, employeeID); err != nil {
				return err
			}
			details["employee_id"], details["employee"] = employeeID, name
		}
		return tx.audit(ctx, actor.entry(workspaceID, "member.employee", "user", userID, details))
	})
	if err != nil {
		return fmt.Errorf("link user %d to employee %d: %w", userID, employeeID, err)
	}
	return nil
}
