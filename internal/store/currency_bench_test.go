package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// BenchmarkRevenueConversion times the revenue queries that convert into
// the reporting currency against the same queries summing raw amounts (the
// baseline, as before currencies), on one workspace of 6,000 customers and
// 70,000 transactions in rubles, yuan and dollars with a dated rate change.
// VOX_BENCH_POSTGRES=1 runs it on PostgreSQL.
func BenchmarkRevenueConversion(b *testing.B) {
	db := testutil.SQLite(b)
	if os.Getenv("VOX_BENCH_POSTGRES") != "" {
		db = testutil.Postgres(b)
	}
	ctx := context.Background()
	ws := mustWorkspace(&testing.T{}, db, "bench")
	r := rand.New(rand.NewPCG(1, 2))
	end := time.Date(2025, 6, 15, 0, 0, 0, 0, time.UTC)
	segments := []string{"vip", "smb", "consumer", "new"}
	currencies := []string{"RUB", "RUB", "CNY", "USD"}
	var txs []store.Transaction
	for i := range 6000 {
		id, err := db.UpsertCustomer(ctx, ws.ID, store.CustomerInput{Segment: segments[i%4],
			Identities: []store.Identity{{Kind: "email", Value: fmt.Sprintf("c%d@x.test", i)}}})
		if err != nil {
			b.Fatal(err)
		}
		cur := currencies[r.IntN(len(currencies))]
		for range r.IntN(23) {
			txs = append(txs, store.Transaction{CustomerID: id, Amount: float64(100 + r.IntN(5000)), Currency: cur,
				OccurredAt: end.Add(-time.Duration(r.Int64N(int64(365 * 24 * time.Hour))))})
		}
	}
	for start := 0; start < len(txs); start += 5000 {
		if _, err := db.InsertTransactions(ctx, ws.ID, txs[start:min(start+5000, len(txs))]); err != nil {
			b.Fatal(err)
		}
	}
	if err := db.SetCurrencySettings(ctx, ws.ID, store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{
		{Currency: "CNY", Rate: 12.4}, {Currency: "USD", Rate: 92}, {Currency: "USD", Rate: 84, ValidFrom: end.AddDate(0, -3, 0)}}},
		store.AuditActor{Name: "bench"}); err != nil {
		b.Fatal(err)
	}
	b.Logf("%d transactions", len(txs))
	from := end.AddDate(0, 0, -30)
	b.Run("revenue_by_segment/baseline", func(b *testing.B) {
		for b.Loop() {
			if _, err := store.RevenueBySegmentUnconverted(ctx, db, ws.ID, from, end); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("revenue_by_segment/converted", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.RevenueBySegment(ctx, ws.ID, from, end); err != nil {
				b.Fatal(err)
			}
		}
	})
	const day = 24 * time.Hour
	b.Run("purchase_stats/baseline", func(b *testing.B) {
		for b.Loop() {
			if _, err := store.PurchaseStatsUnconverted(ctx, db, ws.ID, end, 90*day, 365*day); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("purchase_stats/converted", func(b *testing.B) {
		for b.Loop() {
			if _, err := db.PurchaseStatsAsOf(ctx, ws.ID, end, 90*day, 365*day); err != nil {
				b.Fatal(err)
			}
		}
	})
}
