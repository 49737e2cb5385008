package store

import (
	"context"
	"strings"
	"testing"
)

// RerunCurrencyBackfill forgets every workspace's reporting currency and
// runs again the part of migration 021 that chose one for workspaces that
// already held transactions.
func RerunCurrencyBackfill(t testing.TB, db *DB) {
	t.Helper()
	ctx := context.Background()
	body, err := migrationFiles.ReadFile("migrations/021_currencies.sql")
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(body), "INSERT INTO currency_settings")
	if i < 0 {
		t.Fatal("021 has no backfill")
	}
	if _, err := db.exec(ctx, `DELETE FROM currency_settings`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.exec(ctx, string(body[i:])); err != nil {
		t.Fatal(err)
	}
}
