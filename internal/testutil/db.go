// Package testutil gives tests real databases: a fresh SQLite file always
// and, when VOX_TEST_POSTGRES_URL is set, a fresh PostgreSQL database that is
// created for the test and dropped after it.
package testutil

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"vox/internal/store"
)

// PostgresURLEnv names the variable that enables PostgreSQL tests.
const PostgresURLEnv = "VOX_TEST_POSTGRES_URL"

// EachDB runs fn as a subtest on a fresh, migrated SQLite database and, when
// VOX_TEST_POSTGRES_URL is set, on a fresh PostgreSQL database too. In CI
// (CI=true) a missing PostgreSQL URL fails the test rather than skipping it.
func EachDB(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	if os.Getenv(PostgresURLEnv) == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set in CI: store tests must run on PostgreSQL too", PostgresURLEnv)
		}
		return
	}
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a fresh migrated SQLite database in the test's temp dir.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, filepath.Join(t.TempDir(), "vox.db"))
}

// Postgres creates a fresh database on the server at VOX_TEST_POSTGRES_URL,
// migrates it and drops it when the test ends. It skips without the URL.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		t.Skipf("%s not set", PostgresURLEnv)
	}
	dsn, drop := CreatePostgresDB(t, base)
	t.Cleanup(drop)
	return open(t, dsn)
}

// CreatePostgresDB creates an empty database and returns its URL and a
// function that drops it.
func CreatePostgresDB(t testing.TB, base string) (string, func()) {
	t.Helper()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("postgres admin: %v", err)
	}
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	name := "vox_test_" + hex.EncodeToString(buf)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		admin.Close()
		t.Fatalf("create database: %v", err)
	}
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", PostgresURLEnv, err)
	}
	u.Path = "/" + name
	return u.String(), func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
		admin.Close()
	}
}

func open(t testing.TB, dsn string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	// Cleanups run last-in first-out: the pool closes before the drop.
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}
