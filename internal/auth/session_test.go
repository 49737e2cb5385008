package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"vox/internal/auth"
	"vox/internal/store"
	"vox/internal/testutil"
)

func TestTokens(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		tok, err := auth.NewToken()
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) < 43 || seen[tok] { // 32 bytes in unpadded base64
			t.Fatalf("token %q: too short or repeated", tok)
		}
		seen[tok] = true
	}
	if auth.HashToken("a") == auth.HashToken("b") || auth.HashToken("a") == "a" {
		t.Fatal("HashToken must be a one-way digest")
	}
}

func TestSessionLifecycle(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, err := db.CreateWorkspace(ctx, "acme", "Acme", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		u, err := db.CreateUser(ctx, "a@example.com", "A", "x", "en")
		if err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
		s := auth.NewSessions(db, func() time.Time { return now })

		tok, sess, err := s.Create(ctx, u.ID, ws.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sess.TokenHash == tok || sess.TokenHash != auth.HashToken(tok) || sess.CSRFToken == "" {
			t.Fatal("the store must keep only the token's hash, and a CSRF token")
		}
		got, err := s.Lookup(ctx, tok)
		if err != nil || got.UserID != u.ID || got.WorkspaceID != ws.ID || got.CSRFToken != sess.CSRFToken {
			t.Fatalf("lookup: %+v %v", got, err)
		}
		if _, err := s.Lookup(ctx, tok+"x"); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("wrong token: %v", err)
		}
		// Activity pushes the idle limit; silence past it ends the session.
		now = now.Add(s.Idle - time.Minute)
		if _, err := s.Lookup(ctx, tok); err != nil {
			t.Fatalf("before idle timeout: %v", err)
		}
		now = now.Add(s.Idle)
		if _, err := s.Lookup(ctx, tok); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("after idle timeout: %v", err)
		}
		if _, err := db.SessionByTokenHash(ctx, auth.HashToken(tok)); !errors.Is(err, store.ErrNotFound) {
			t.Fatal("an expired session must be deleted")
		}

		tok, _, _ = s.Create(ctx, u.ID, ws.ID)
		for i := 0; i < 40; i++ {
			now = now.Add(s.Idle / 2)
			_, err = s.Lookup(ctx, tok)
			if err != nil {
				break
			}
		}
		if !errors.Is(err, auth.ErrNoSession) {
			t.Fatal("an active session outlived the absolute timeout")
		}

		tok, _, _ = s.Create(ctx, u.ID, ws.ID)
		if err := db.SetUserDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Lookup(ctx, tok); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("disabled user's session: %v", err)
		}
		if err := db.SetUserDisabled(ctx, u.ID, false); err != nil {
			t.Fatal(err)
		}
		tok, _, _ = s.Create(ctx, u.ID, ws.ID)
		if err := s.End(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Lookup(ctx, tok); !errors.Is(err, auth.ErrNoSession) {
			t.Fatalf("ended session: %v", err)
		}
	})
}
