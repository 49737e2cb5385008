package store

import (
	"context"
	"fmt"
	"time"
)

// Queries of the web UI: browser sessions and the overview's summary counts.

// WebSession is a logged-in browser. Only the hash of its token is stored,
// so a leaked database does not hand out live sessions.
type WebSession struct {
	TokenHash    string
	UserID       int64
	WorkspaceID  int64
	CSRFToken    string
	CreatedAt    time.Time
	LastSeenAt   time.Time
	ExpiresAt    time.Time
	UserDisabled bool // a disabled user's sessions are refused at lookup
}

// CreateSession stores a new session.
func (db *DB) CreateSession(ctx context.Context, s WebSession) error {
	_, err := db.exec(ctx, `INSERT INTO sessions (token_hash, user_id, workspace_id, csrf_token, created_at, last_seen_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, s.TokenHash, s.UserID, s.WorkspaceID, s.CSRFToken,
		s.CreatedAt.UnixMilli(), s.LastSeenAt.UnixMilli(), s.ExpiresAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("create session: %w", err)
	}
	return nil
}

// SessionByTokenHash returns a session with its user's disabled flag, or ErrNotFound.
func (db *DB) SessionByTokenHash(ctx context.Context, tokenHash string) (WebSession, error) {
	var s WebSession
	var created, seen, expires int64
	var disabled int
	err := db.hotRow(ctx, `SELECT s.token_hash, s.user_id, s.workspace_id, s.csrf_token, s.created_at, s.last_seen_at,
		s.expires_at, u.disabled FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = ?`, tokenHash).
		Scan(&s.TokenHash, &s.UserID, &s.WorkspaceID, &s.CSRFToken, &created, &seen, &expires, &disabled)
	if err != nil {
		return s, notFound(err, "session")
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = fromMillis(created), fromMillis(seen), fromMillis(expires)
	s.UserDisabled = disabled != 0
	return s, nil
}

// TouchSession records activity, which keeps the idle timeout from firing.
func (db *DB) TouchSession(ctx context.Context, tokenHash string, at time.Time) error {
	_, err := db.exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`, at.UnixMilli(), tokenHash)
	return err
}

// SetSessionWorkspace moves a session to another workspace; the caller has
// checked the membership.
func (db *DB) SetSessionWorkspace(ctx context.Context, tokenHash string, workspaceID int64) error {
	_, err := db.exec(ctx, `UPDATE sessions SET workspace_id = ? WHERE token_hash = ?`, workspaceID, tokenHash)
	return err
}

// DeleteSession ends one session (logout, expiry).
func (db *DB) DeleteSession(ctx context.Context, tokenHash string) error {
	_, err := db.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash)
	return err
}

// DeleteUserSessions ends every session of a user (disabled user, password change).
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := db.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	return err
}

// DeleteExpiredSessions removes sessions past their absolute expiry.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	r, err := db.exec(ctx, `DELETE FROM sessions WHERE expires_at < ?`, now.UnixMilli())
	if err != nil {
		return 0, fmt.Errorf("delete expired sessions: %w", err)
	}
	return r.RowsAffected()
}

// FeedbackSummary holds the overview's counts over a time window.
type FeedbackSummary struct {
	Items                           int
	Positive, Neutral, Negative     int
	Promoters, Passives, Detractors int
	Customers                       int // distinct customers who gave feedback in the window
}

// SummarizeFeedback counts the workspace's items in [from, to), optionally
// only those about one employee (employeeID > 0), in one pass.
func (db *DB) SummarizeFeedback(ctx context.Context, workspaceID int64, from, to time.Time, employeeID int64) (FeedbackSummary, error) {
	var s FeedbackSummary
	query := `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN sentiment_label = 'positive' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sentiment_label = 'neutral' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN sentiment_label = 'negative' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN nps >= 9 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN nps BETWEEN 7 AND 8 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END), 0),
		COUNT(DISTINCT customer_id)
		FROM feedback_items WHERE workspace_id = ? AND occurred_at >= ? AND occurred_at < ?`
	args := []any{workspaceID, from.UnixMilli(), to.UnixMilli()}
	if employeeID > 0 {
		query += ` AND employee_id = ?`
		args = append(args, employeeID)
	}
	err := db.queryRow(ctx, query, args...).Scan(&s.Items, &s.Positive, &s.Neutral, &s.Negative,
		&s.Promoters, &s.Passives, &s.Detractors, &s.Customers)
	if err != nil {
		return s, fmt.Errorf("summarize feedback: %w", err)
	}
	return s, nil
}

// CustomerNames maps customer ids of the workspace to their names, so a
// listing can label its links without one query per row.
func (db *DB) CustomerNames(ctx context.Context, workspaceID int64, ids []int64) (map[int64]string, error) {
	out := make(map[int64]string, len(ids))
	seen := map[int64]bool{}
	var args []any
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	for start := 0; start < len(args); start += 500 {
		chunk := args[start:min(start+500, len(args))]
		rows, err := db.query(ctx, `SELECT id, name FROM customers WHERE workspace_id = ? AND id IN (`+placeholders(len(chunk))+`)`,
			append([]any{workspaceID}, chunk...)...)
		if err != nil {
			return nil, fmt.Errorf("customer names: %w", err)
		}
		for rows.Next() {
			var id int64
			var name string
			if err := rows.Scan(&id, &name); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = name
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// EmployeeIDForUser returns the employee record linked to a user in the
// workspace (role "employee" sees only that employee's feedback), or ErrNotFound.
func (db *DB) EmployeeIDForUser(ctx context.Context, workspaceID, userID int64) (int64, error) {
	var id int64
	err := db.queryRow(ctx, `SELECT id FROM employees WHERE workspace_id = ? AND user_id = ? ORDER BY id LIMIT 1`,
		workspaceID, userID).Scan(&id)
	if err != nil {
		return 0, notFound(err, "employee")
	}
	return id, nil
}

// SetUserDisabled disables or re-enables a user; disabling also ends every
// session of the user in the same transaction, so no open tab keeps working.
func (db *DB) SetUserDisabled(ctx context.Context, userID int64, disabled bool) error {
	flag := 0
	if disabled {
		flag = 1
	}
	return db.InTx(ctx, func(tx *Tx) error {
		r, err := tx.exec(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, flag, userID)
		if err != nil {
			return fmt.Errorf("disable user: %w", err)
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("user %d: %w", userID, ErrNotFound)
		}
		if disabled {
			if _, err := tx.exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
				return fmt.Errorf("end sessions: %w", err)
			}
		}
		return nil
	})
}

// LinkEmployeeUser ties an employee record to a user account, so that the
// user (role employee) sees the feedback about that employee.
func (db *DB) LinkEmployeeUser(ctx context.Context, workspaceID, employeeID, userID int64) error {
	r, err := db.exec(ctx, `UPDATE employees SET user_id = ? WHERE workspace_id = ? AND id = ?`, userID, workspaceID, employeeID)
	if err != nil {
		return fmt.Errorf("link employee: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("employee %d: %w", employeeID, ErrNotFound)
	}
	return nil
}
