package web

import (
	"strings"
	"sync"
	"time"
)

// Login throttling. Per IP it slows password spraying across accounts; per
// account it locks out guessing one password from many addresses. Counters
// live in memory: with several replicas each enforces its own limit, which
// still bounds guessing (a shared table is the upgrade when replicas grow).
const (
	ipMaxFailures      = 20               // failed logins per IP per window
	ipWindow           = 15 * time.Minute //
	accountMaxFailures = 5                // consecutive failures before lockout
	accountLockout     = 15 * time.Minute //
	limiterMaxEntries  = 100_000          // memory bound: stale entries are pruned past it
)

type ipCounter struct {
	failures int
	since    time.Time
}

type accountCounter struct {
	failures    int
	lockedUntil time.Time
	last        time.Time
}

// loginLimiter counts failed logins per IP and per account.
type loginLimiter struct {
	mu       sync.Mutex
	now      func() time.Time
	ips      map[string]*ipCounter
	accounts map[string]*accountCounter
}

func newLoginLimiter(now func() time.Time) *loginLimiter {
	return &loginLimiter{now: now, ips: map[string]*ipCounter{}, accounts: map[string]*accountCounter{}}
}

func accountKey(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// allowed reports whether a login attempt from ip for email may be checked
// at all. A locked account is refused even with the right password, so the
// lockout cannot be used as an oracle.
func (l *loginLimiter) allowed(ip, email string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if c := l.ips[ip]; c != nil && now.Sub(c.since) < ipWindow && c.failures >= ipMaxFailures {
		return false
	}
	if a := l.accounts[accountKey(email)]; a != nil && now.Before(a.lockedUntil) {
		return false
	}
	return true
}

// failed records a failed attempt and reports whether the account is now locked.
func (l *loginLimiter) failed(ip, email string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if len(l.ips)+len(l.accounts) > limiterMaxEntries {
		l.prune(now)
	}
	c := l.ips[ip]
	if c == nil || now.Sub(c.since) >= ipWindow {
		c = &ipCounter{since: now}
		l.ips[ip] = c
	}
	c.failures++
	key := accountKey(email)
	a := l.accounts[key]
	if a == nil {
		a = &accountCounter{}
		l.accounts[key] = a
	}
	if !a.lockedUntil.IsZero() && !now.Before(a.lockedUntil) {
		a.failures, a.lockedUntil = 0, time.Time{} // a served lockout starts a fresh count
	}
	a.failures++
	a.last = now
	if a.failures >= accountMaxFailures {
		a.lockedUntil = now.Add(accountLockout)
		return true
	}
	return false
}

// succeeded clears the account's failures after a good login.
func (l *loginLimiter) succeeded(email string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.accounts, accountKey(email))
}

func (l *loginLimiter) prune(now time.Time) {
	for k, c := range l.ips {
		if now.Sub(c.since) >= ipWindow {
			delete(l.ips, k)
		}
	}
	for k, a := range l.accounts {
		if now.After(a.lockedUntil) && now.Sub(a.last) >= accountLockout {
			delete(l.accounts, k)
		}
	}
}
