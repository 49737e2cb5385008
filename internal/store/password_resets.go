package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// passwordResetKeep is how long spent and expired reset rows are kept (they
// count toward an account's hourly limit, then are of no use).
const passwordResetKeep = 24 * time.Hour

// CreatePasswordReset stores the hash of a reset token for a user, valid
// until expires, unless the user was already sent max links since since:
// then it stores nothing and returns false, so one address cannot be
// flooded with mail. Counting and inserting share a transaction.
func (db *DB) CreatePasswordReset(ctx context.Context, userID int64, tokenHash string, now, expires, since time.Time, max int) (bool, error) {
	created := false
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM password_resets WHERE user_id = ? AND created_at < ?`,
			userID, now.Add(-passwordResetKeep).UnixMilli()); err != nil {
			return err
		}
		var n int
		if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM password_resets WHERE user_id = ? AND created_at >= ?`,
			userID, since.UnixMilli()).Scan(&n); err != nil {
			return err
		}
		if n >= max {
			return nil
		}
		if _, err := tx.exec(ctx, `INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
			tokenHash, userID, now.UnixMilli(), expires.UnixMilli()); err != nil {
			return err
		}
		created = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("create password reset: %w", err)
	}
	return created, nil
}

// PasswordResetUser returns the user a live reset token belongs to:
// ErrNotFound for an unknown token, ErrTokenSpent for a used or expired one.
func (db *DB) PasswordResetUser(ctx context.Context, tokenHash string, now time.Time) (int64, error) {
	var userID, expires int64
	var used sql.NullInt64
	err := db.queryRow(ctx, `SELECT user_id, expires_at, used_at FROM password_resets WHERE token_hash = ?`, tokenHash).
		Scan(&userID, &expires, &used)
	if err != nil {
		return 0, notFound(err, "password reset")
	}
	if used.Valid || now.UnixMilli() >= expires {
		return 0, fmt.Errorf("password reset: %w", ErrTokenSpent)
	}
	return userID, nil
}

// ResetPassword spends a reset token and gives its user a new password
// hash, in one transaction that also ends every session of the user (a
// thief's included), spends the user's other reset links and records the
// reset in the audit log of each of the user's workspaces. It returns
// ErrTokenSpent when the token was used or expired meanwhile.
func (db *DB) ResetPassword(ctx context.Context, tokenHash, passwordHash string, now time.Time) (User, error) {
	var user User
	err := db.InTx(ctx, func(tx *Tx) error {
		var userID int64
		if err := tx.queryRow(ctx, `SELECT user_id FROM password_resets WHERE token_hash = ?`, tokenHash).Scan(&userID); err != nil {
			return notFound(err, "password reset")
		}
		r, err := tx.exec(ctx, `UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
			now.UnixMilli(), tokenHash, now.UnixMilli())
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return ErrTokenSpent
		}
		for _, step := range []struct {
			query string
			args  []any
		}{
			{`UPDATE password_resets SET used_at = ? WHERE user_id = ? AND used_at IS NULL`, []any{now.UnixMilli(), userID}},
			{`UPDATE users SET password_hash = ? WHERE id = ?`, []any{passwordHash, userID}},
			{`DELETE FROM sessions WHERE user_id = ?`, []any{userID}},
		} {
			if _, err := tx.exec(ctx, step.query, step.args...); err != nil {
				return err
			}
		}
		if user, err = scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, userID)); err != nil {
			return err
		}
		rows, err := tx.query(ctx, `SELECT workspace_id FROM memberships WHERE user_id = ?`, userID)
		if err != nil {
			return err
		}
		var workspaces []int64
		for rows.Next() {
			var ws int64
			if err := rows.Scan(&ws); err != nil {
				rows.Close()
				return err
			}
			workspaces = append(workspaces, ws)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		actor := AuditActor{UserID: userID, Name: user.Email}
		for _, ws := range workspaces {
			if err := tx.audit(ctx, actor.entry(ws, "user.password_reset", "user", userID, nil)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return User{}, fmt.Errorf("reset password: %w", err)
	}
	return user, nil
}
