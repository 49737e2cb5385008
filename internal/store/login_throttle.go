package store

import (
	"context"
	"fmt"
	"time"
)

// LoginLimits are the login throttling rules: per IP it slows password
// spraying across accounts; per account it locks out guessing one password
// from many addresses.
type LoginLimits struct {
	IPMax      int           // failed logins per IP per window
	IPWindow   time.Duration //
	AccountMax int           // consecutive failures before a lockout
	Lockout    time.Duration //
}

// LoginAllowed reports whether a login from ip for account may be checked at
// all: false when the IP used up its window or the account is locked (even
// with the right password, so the lockout is no oracle).
func (db *DB) LoginAllowed(ctx context.Context, ip, account string, now time.Time, l LoginLimits) (bool, error) {
	rows, err := db.query(ctx, `SELECT scope, failures, since, locked_until FROM login_throttle
		WHERE (scope = 'ip' AND key = ?) OR (scope = 'account' AND key = ?)`, ip, account)
	if err != nil {
		return false, fmt.Errorf("login throttle: %w", err)
	}
	defer rows.Close()
	at := now.UnixMilli()
	for rows.Next() {
		var scope string
		var failures int
		var since, locked int64
		if err := rows.Scan(&scope, &failures, &since, &locked); err != nil {
			return false, fmt.Errorf("login throttle: %w", err)
		}
		if scope == "ip" && at-since < l.IPWindow.Milliseconds() && failures >= l.IPMax {
			return false, nil
		}
		if scope == "account" && at < locked {
			return false, nil
		}
	}
	return true, rows.Err()
}

// RecordLoginFailure counts a failed login for ip and account and reports
// whether the account is now locked. The counters move with single upserts,
// so concurrent failures on several replicas all count.
func (db *DB) RecordLoginFailure(ctx context.Context, ip, account string, now time.Time, l LoginLimits) (locked bool, err error) {
	at := now.UnixMilli()
	err = db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.countInWindow(ctx, "ip", ip, at, l.IPWindow); err != nil {
			return err
		}
		// A served lockout starts a fresh count.
		if _, err := tx.exec(ctx, `INSERT INTO login_throttle (scope, key, failures, since) VALUES ('account', ?, 1, ?)
			ON CONFLICT (scope, key) DO UPDATE SET
				failures = CASE WHEN login_throttle.locked_until > 0 AND login_throttle.locked_until <= ? THEN 1
					ELSE login_throttle.failures + 1 END,
				locked_until = CASE WHEN login_throttle.locked_until <= ? THEN 0 ELSE login_throttle.locked_until END,
				since = excluded.since`, account, at, at, at); err != nil {
			return err
		}
		res, err := tx.exec(ctx, `UPDATE login_throttle SET locked_until = ?
			WHERE scope = 'account' AND key = ? AND failures >= ? AND locked_until = 0`,
			at+l.Lockout.Milliseconds(), account, l.AccountMax)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		locked = n > 0
		return err
	})
	if err != nil {
		return false, fmt.Errorf("record login failure: %w", err)
	}
	return locked, nil
}

// ClearLoginFailures forgets an account's failures after a good login.
func (db *DB) ClearLoginFailures(ctx context.Context, account string) error {
	if _, err := db.exec(ctx, `DELETE FROM login_throttle WHERE scope = 'account' AND key = ?`, account); err != nil {
		return fmt.Errorf("clear login failures: %w", err)
	}
	return nil
}

// PruneLoginThrottle deletes counters idle for longer than any window
// (olderThan) that no longer lock anything.
func (db *DB) PruneLoginThrottle(ctx context.Context, now time.Time, olderThan time.Duration) (int64, error) {
	at := now.UnixMilli()
	res, err := db.exec(ctx, `DELETE FROM login_throttle WHERE locked_until <= ? AND since <= ?`,
		at, at-olderThan.Milliseconds())
	if err != nil {
		return 0, fmt.Errorf("prune login throttle: %w", err)
	}
	return res.RowsAffected()
}

// countInWindow counts one more event of scope/key in a fixed window that
// restarts once it is over, and returns the count in the current window.
func (tx *Tx) countInWindow(ctx context.Context, scope, key string, at int64, window time.Duration) (int, error) {
	if _, err := tx.exec(ctx, `INSERT INTO login_throttle (scope, key, failures, since) VALUES (?, ?, 1, ?)
		ON CONFLICT (scope, key) DO UPDATE SET
			failures = CASE WHEN login_throttle.since <= ? THEN 1 ELSE login_throttle.failures + 1 END,
			since = CASE WHEN login_throttle.since <= ? THEN excluded.since ELSE login_throttle.since END`,
		scope, key, at, at-window.Milliseconds(), at-window.Milliseconds()); err != nil {
		return 0, err
	}
	var n int
	err := tx.queryRow(ctx, `SELECT failures FROM login_throttle WHERE scope = ? AND key = ?`, scope, key).Scan(&n)
	return n, err
}

// CountAttempt counts an attempt of scope (e.g. "reset_ip") by key in a
// window shared by every replica and returns the attempts in the window.
func (db *DB) CountAttempt(ctx context.Context, scope, key string, now time.Time, window time.Duration) (int, error) {
	var n int
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		n, err = tx.countInWindow(ctx, scope, key, now.UnixMilli(), window)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("count %s attempt: %w", scope, err)
	}
	return n, nil
}
