package store

import (
	"context"
	"strings"
	"testing"
	"time"
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

// RevenueBySegmentUnconverted is RevenueBySegment as it was before
// currencies: amounts summed whatever their currency. The benchmark's
// baseline.
func RevenueBySegmentUnconverted(ctx context.Context, db *DB, workspaceID int64, from, to time.Time) (int, error) {
	rows, err := db.query(ctx, `SELECT c.segment, COALESCE(SUM(CASE WHEN t.occurred_at >= ? THEN t.amount END), 0),
		COALESCE(SUM(t.amount), 0)
		FROM transactions t JOIN customers c ON c.id = t.customer_id AND c.workspace_id = t.workspace_id
		WHERE t.workspace_id = ? AND t.occurred_at < ?
		GROUP BY c.segment ORDER BY c.segment`, from.UnixMilli(), workspaceID, to.UnixMilli())
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var s string
		var a, l float64
		if err := rows.Scan(&s, &a, &l); err != nil {
			return 0, err
		}
		n++
	}
	return n, rows.Err()
}

// PurchaseStatsUnconverted is PurchaseStatsAsOf as it was before
// currencies, for the benchmark's baseline.
func PurchaseStatsUnconverted(ctx context.Context, db *DB, workspaceID int64, asOf time.Time, frequency, monetary time.Duration) (int, error) {
	rows, err := db.query(ctx, `SELECT customer_id, MAX(occurred_at), COUNT(*),
		SUM(CASE WHEN occurred_at >= ? THEN 1 ELSE 0 END),
		COALESCE(SUM(CASE WHEN occurred_at >= ? THEN amount ELSE 0 END), 0)
		FROM transactions WHERE workspace_id = ? AND occurred_at < ? GROUP BY customer_id`,
		asOf.Add(-frequency).UnixMilli(), asOf.Add(-monetary).UnixMilli(), workspaceID, asOf.UnixMilli())
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var id, last int64
		var c, rc int
		var amount float64
		if err := rows.Scan(&id, &last, &c, &rc, &amount); err != nil {
			return 0, err
		}
		n++
	}
	return n, rows.Err()
}

// RerunMigration runs a migration file's SQL again, for tests of a data
// migration against rows written the way older versions wrote them.
func RerunMigration(t testing.TB, db *DB, name string) {
	t.Helper()
	body, err := migrationFiles.ReadFile("migrations/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.exec(context.Background(), string(body)); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}
