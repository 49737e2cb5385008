package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"vox/internal/store"
)

// Default session lifetimes: a day's work survives lunch (idle), and a
// stolen cookie stops working within a week whatever happens (absolute).
const (
	DefaultIdleTimeout     = 12 * time.Hour
	DefaultAbsoluteTimeout = 7 * 24 * time.Hour
	// touchEvery limits last_seen_at writes to one a minute per session.
	touchEvery = time.Minute
)

// ErrNoSession means the token names no live session (unknown, expired, or
// its user is disabled); the caller should send the browser to the login page.
var ErrNoSession = errors.New("no valid session")

// Sessions creates and checks browser sessions. Any login method (password
// today, OIDC later) ends in Create with a user and a workspace.
type Sessions struct {
	db       *store.DB
	Idle     time.Duration
	Absolute time.Duration
	Now      func() time.Time
}

// NewSessions returns a session manager with the default timeouts.
func NewSessions(db *store.DB, now func() time.Time) *Sessions {
	if now == nil {
		now = time.Now
	}
	return &Sessions{db: db, Idle: DefaultIdleTimeout, Absolute: DefaultAbsoluteTimeout, Now: now}
}

// NewToken returns 256 random bits, URL-safe: unguessable session ids and CSRF tokens.
func NewToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("new token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// HashToken is what the database keeps of a session token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Create starts a session and returns the token for the cookie. A login
// always creates a new token (never reuses one the browser brought), which
// is what defeats session fixation.
func (s *Sessions) Create(ctx context.Context, userID, workspaceID int64) (string, store.WebSession, error) {
	token, err := NewToken()
	if err != nil {
		return "", store.WebSession{}, err
	}
	csrf, err := NewToken()
	if err != nil {
		return "", store.WebSession{}, err
	}
	now := s.Now().UTC().Truncate(time.Millisecond)
	sess := store.WebSession{TokenHash: HashToken(token), UserID: userID, WorkspaceID: workspaceID, CSRFToken: csrf,
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(s.Absolute)}
	if err := s.db.CreateSession(ctx, sess); err != nil {
		return "", store.WebSession{}, err
	}
	return token, sess, nil
}

// Lookup returns the live session of token, enforcing the idle and absolute
// timeouts and the user's disabled flag; a dead session is deleted.
func (s *Sessions) Lookup(ctx context.Context, token string) (store.WebSession, error) {
	if token == "" {
		return store.WebSession{}, ErrNoSession
	}
	sess, err := s.db.SessionByTokenHash(ctx, HashToken(token))
	if errors.Is(err, store.ErrNotFound) {
		return store.WebSession{}, ErrNoSession
	}
	if err != nil {
		return store.WebSession{}, err
	}
	now := s.Now()
	if sess.UserDisabled || !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.Idle {
		if err := s.db.DeleteSession(ctx, sess.TokenHash); err != nil {
			return store.WebSession{}, err
		}
		return store.WebSession{}, ErrNoSession
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.db.TouchSession(ctx, sess.TokenHash, now); err != nil {
			return store.WebSession{}, err
		}
		sess.LastSeenAt = now
	}
	return sess, nil
}

// End deletes the session of token (logout).
func (s *Sessions) End(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.db.DeleteSession(ctx, HashToken(token))
}
