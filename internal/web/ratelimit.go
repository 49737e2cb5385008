package web

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"vox/internal/store"
)

// Login throttling. Per IP it slows password spraying across accounts; per
// account it locks out guessing one password from many addresses. The
// counters live in the database (store.LoginLimits), so every replica of a
// cluster enforces the same limits.
var loginLimits = store.LoginLimits{
	IPMax: 20, IPWindow: 15 * time.Minute, // failed logins per IP per window
	AccountMax: 5, Lockout: 15 * time.Minute, // consecutive failures before a lockout
}

// loginLimiter applies loginLimits. A database error lets the attempt
// through (logged): the password check that follows needs the database too.
type loginLimiter struct {
	db  *store.DB
	now func() time.Time
	log *slog.Logger
}

func accountKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// allowed reports whether a login attempt from ip for email may be checked
// at all. A locked account is refused even with the right password, so the
// lockout cannot be used as an oracle.
func (l *loginLimiter) allowed(ctx context.Context, ip, email string) bool {
	ok, err := l.db.LoginAllowed(ctx, ip, accountKey(email), l.now(), loginLimits)
	if err != nil {
		l.log.Error("web: login throttle", "err", err)
		return true
	}
	return ok
}

// failed records a failed attempt and reports whether the account is now locked.
func (l *loginLimiter) failed(ctx context.Context, ip, email string) bool {
	locked, err := l.db.RecordLoginFailure(ctx, ip, accountKey(email), l.now(), loginLimits)
	if err != nil {
		l.log.Error("web: login throttle", "err", err)
	}
	return locked
}

// succeeded clears the account's failures after a good login.
func (l *loginLimiter) succeeded(ctx context.Context, email string) {
	if err := l.db.ClearLoginFailures(ctx, accountKey(email)); err != nil {
		l.log.Error("web: login throttle", "err", err)
	}
}
