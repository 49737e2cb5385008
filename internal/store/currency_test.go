package store_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

func TestCurrencySettingsValidate(t *testing.T) {
	day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name  string
		cs    store.CurrencySettings
		field string
	}{
		{"ok", store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{{Currency: "USD", Rate: 90}, {Currency: "USD", Rate: 100, ValidFrom: day}}}, ""},
		{"no rates", store.CurrencySettings{ReportingCurrency: "USD"}, ""},
		{"empty reporting", store.CurrencySettings{}, "reporting_currency"},
		{"lower case", store.CurrencySettings{ReportingCurrency: "rub"}, "reporting_currency"},
		{"four letters", store.CurrencySettings{ReportingCurrency: "RUBL"}, "reporting_currency"},
		{"digits", store.CurrencySettings{ReportingCurrency: "R2B"}, "reporting_currency"},
		{"bad rate currency", store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{{Currency: "USD", Rate: 1}, {Currency: "$", Rate: 1}}}, "rates[1].currency"},
		{"rate of the reporting currency", store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{{Currency: "RUB", Rate: 1}}}, "rates[0].currency"},
		{"zero rate", store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{{Currency: "USD", Rate: 0}}}, "rates[0].rate"},
		{"negative rate", store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{{Currency: "USD", Rate: -2}}}, "rates[0].rate"},
		{"NaN rate", store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{{Currency: "USD", Rate: math.NaN()}}}, "rates[0].rate"},
		{"infinite rate", store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{{Currency: "USD", Rate: math.Inf(1)}}}, "rates[0].rate"},
		{"two undated", store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{{Currency: "USD", Rate: 1}, {Currency: "USD", Rate: 2}}}, "rates[1].valid_from"},
		{"same start", store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{{Currency: "USD", Rate: 1, ValidFrom: day}, {Currency: "USD", Rate: 2, ValidFrom: day}}}, "rates[1].valid_from"},
		{"too many", store.CurrencySettings{ReportingCurrency: "RUB", Rates: make([]store.ExchangeRate, store.MaxExchangeRates+1)}, "rates"},
	} {
		err := c.cs.Validate()
		var ce *store.CurrencyError
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (!errors.As(err, &ce) || ce.Field != c.field || !errors.Is(err, store.ErrBadCurrency)):
			t.Errorf("%s: %v, want field %s", c.name, err, c.field)
		}
	}
}

// The reporting currency defaults to USD, then to the currency most of the
// first transactions are in; an explicit choice replaces it and every rate,
// is audited, and never touches another workspace.
func TestCurrencySettingsDefaultAndReplace(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, other := mustWorkspace(t, db, "acme"), mustWorkspace(t, db, "globex")
		cs, err := db.CurrencySettingsOf(ctx, ws.ID)
		if err != nil || cs.ReportingCurrency != "USD" || len(cs.Rates) != 0 {
			t.Fatalf("fresh workspace: %+v %v", cs, err)
		}
		cust, err := db.UpsertCustomer(ctx, ws.ID, store.CustomerInput{Identities: []store.Identity{{Kind: "email", Value: "a@x.test"}}})
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2025, 1, 10, 0, 0, 0, 0, time.UTC)
		insert := func(currencies ...string) {
			t.Helper()
			var txs []store.Transaction
			for _, c := range currencies {
				txs = append(txs, store.Transaction{CustomerID: cust, Amount: 1, Currency: c, OccurredAt: at})
			}
			if _, err := db.InsertTransactions(ctx, ws.ID, txs); err != nil {
				t.Fatal(err)
			}
		}
		insert("EUR", "CNY", "CNY")
		insert("EUR", "EUR", "EUR")
		if cs, _ := db.CurrencySettingsOf(ctx, ws.ID); cs.ReportingCurrency != "CNY" {
			t.Fatalf("the first transactions chose %q, want CNY", cs.ReportingCurrency)
		}

		day := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		want := store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{
			{Currency: "CNY", Rate: 12.25}, {Currency: "USD", Rate: 90}, {Currency: "USD", Rate: 100, ValidFrom: day}}}
		// Saved in another order, read back by currency and start.
		in := want
		in.Rates = []store.ExchangeRate{want.Rates[2], want.Rates[0], want.Rates[1]}
		if err := db.SetCurrencySettings(ctx, ws.ID, in, store.AuditActor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		got, err := db.CurrencySettingsOf(ctx, ws.ID)
		if err != nil || got.ReportingCurrency != want.ReportingCurrency || !slices.EqualFunc(got.Rates, want.Rates, func(a, b store.ExchangeRate) bool {
			return a.Currency == b.Currency && a.Rate == b.Rate && a.ValidFrom.Equal(b.ValidFrom)
		}) {
			t.Fatalf("read back %+v, %v; want %+v", got, err, want)
		}
		if r, ok := got.RateAt("USD", day.Add(-time.Millisecond)); !ok || r != 90 {
			t.Errorf("USD the instant before the change: %v %v", r, ok)
		}
		if r, ok := got.RateAt("USD", day); !ok || r != 100 {
			t.Errorf("USD at the change: %v %v", r, ok)
		}
		if _, ok := got.RateAt("KZT", day); ok {
			t.Error("KZT has a rate")
		}
		if !slices.Contains(auditActions(t, db, ws.ID), "currency.update") {
			t.Errorf("no audit entry: %v", auditActions(t, db, ws.ID))
		}
		// Later transactions never override an explicit choice.
		insert("EUR", "EUR")
		if err := db.SetCurrencySettings(ctx, ws.ID, store.CurrencySettings{ReportingCurrency: "EUR"}, store.AuditActor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		if cs, _ := db.CurrencySettingsOf(ctx, ws.ID); cs.ReportingCurrency != "EUR" || len(cs.Rates) != 0 {
			t.Fatalf("after replacing: %+v", cs)
		}
		if err := db.SetCurrencySettings(ctx, ws.ID, store.CurrencySettings{ReportingCurrency: "eur"}, store.AuditActor{}); !errors.Is(err, store.ErrBadCurrency) {
			t.Fatalf("lower-case reporting currency: %v", err)
		}
		if cs, _ := db.CurrencySettingsOf(ctx, other.ID); cs.ReportingCurrency != "USD" || len(cs.Rates) != 0 {
			t.Fatalf("the other workspace changed: %+v", cs)
		}
	})
}

// Revenue converts at each transaction's date with the newest rate that
// started by then; what has no rate is left out and counted; a workspace's
// rates never apply to another's transactions.
func TestRevenueConversion(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := mustWorkspace(t, db, "acme"), mustWorkspace(t, db, "globex")
		customer := func(ws int64, email, segment string, revenue float64, currency string) int64 {
			t.Helper()
			id, err := db.UpsertCustomer(ctx, ws, store.CustomerInput{Segment: segment, AnnualRevenue: &revenue, RevenueCurrency: currency,
				Identities: []store.Identity{{Kind: "email", Value: email}}})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		a1 := customer(a.ID, "a1@x.test", "vip", 0, "")
		a2 := customer(a.ID, "a2@x.test", "smb", 1000, "USD")
		a3 := customer(a.ID, "a3@x.test", "smb", 500, "KZT")
		a4 := customer(a.ID, "a4@x.test", "smb", 2000, "") // the reporting currency
		b1 := customer(b.ID, "b1@x.test", "vip", 500, "KZT")
		if c, err := db.Customer(ctx, a.ID, a2); err != nil || c.RevenueCurrency != "USD" || c.AnnualRevenue != 1000 {
			t.Fatalf("customer %+v %v", c, err)
		}

		d := func(month time.Month, day int) time.Time { return time.Date(2025, month, day, 0, 0, 0, 0, time.UTC) }
		change := d(3, 1) // USD 90 → 100
		if err := db.SetCurrencySettings(ctx, a.ID, store.CurrencySettings{ReportingCurrency: "RUB", Rates: []store.ExchangeRate{
			{Currency: "USD", Rate: 90}, {Currency: "USD", Rate: 100, ValidFrom: change},
			{Currency: "CNY", Rate: 12, ValidFrom: d(2, 1)}, // dated only: nothing before it
		}}, store.AuditActor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		// Workspace B has a tenge rate; A has none.
		if err := db.SetCurrencySettings(ctx, b.ID, store.CurrencySettings{ReportingCurrency: "RUB",
			Rates: []store.ExchangeRate{{Currency: "KZT", Rate: 0.2}}}, store.AuditActor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		tx := func(customer int64, amount float64, currency string, at time.Time) store.Transaction {
			return store.Transaction{CustomerID: customer, Amount: amount, Currency: currency, OccurredAt: at}
		}
		if _, err := db.InsertTransactions(ctx, a.ID, []store.Transaction{
			tx(a1, 1000, "RUB", d(1, 10)),
			tx(a1, 10, "USD", d(1, 20)),  // 900
			tx(a1, 1, "USD", change),     // 100: a rate applies from its first instant
			tx(a1, 10, "USD", d(3, 5)),   // 1000
			tx(a2, 100, "CNY", d(1, 25)), // before CNY's first rate: left out
			tx(a2, 100, "CNY", d(2, 10)), // 1200
			tx(a2, 7, "KZT", d(3, 10)),   // no rate in A: left out
			tx(a2, 3, "KZT", d(1, 3)),    // before the period: left out of lifetime
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.InsertTransactions(ctx, b.ID, []store.Transaction{tx(b1, 7, "KZT", d(3, 10))}); err != nil {
			t.Fatal(err)
		}

		from, to := d(2, 1), d(4, 1)
		rev, err := db.RevenueBySegment(ctx, a.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		wantSegments := []store.SegmentRevenue{{Segment: "smb", Amount: 1200, Lifetime: 1200}, {Segment: "vip", Amount: 1100, Lifetime: 3000}}
		if !slices.Equal(rev.Segments, wantSegments) {
			t.Errorf("segments %+v, want %+v", rev.Segments, wantSegments)
		}
		wantLeft := []store.UnconvertedRevenue{{Currency: "CNY", LifetimeTransactions: 1}, {Currency: "KZT", Transactions: 1, Amount: 7, LifetimeTransactions: 2}}
		if !slices.Equal(rev.Unconverted, wantLeft) {
			t.Errorf("unconverted %+v, want %+v", rev.Unconverted, wantLeft)
		}
		revB, err := db.RevenueBySegment(ctx, b.ID, from, to)
		if err != nil || len(revB.Unconverted) != 0 || len(revB.Segments) != 1 || math.Abs(revB.Segments[0].Amount-1.4) > 1e-9 {
			t.Errorf("workspace B: %+v %v", revB, err)
		}

		stats, err := db.PurchaseStatsAsOf(ctx, a.ID, to, 90*24*time.Hour, 365*24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if s := stats[a1]; s.Count != 4 || s.RecentAmount != 3000 {
			t.Errorf("a1 purchases %+v", s)
		}
		// Transactions without a rate count as purchases, not as money.
		if s := stats[a2]; s.Count != 4 || s.RecentAmount != 1200 {
			t.Errorf("a2 purchases %+v", s)
		}

		// Annual revenue converts at the rate of the instant asked.
		if err := db.SaveChurnModel(ctx, a.ID, to, []byte("{}"), []store.ChurnScore{
			{CustomerID: a1, Risk: 0.5}, {CustomerID: a2, Risk: 0.2}, {CustomerID: a3, Risk: 0.9}, {CustomerID: a4, Risk: 0.1}}); err != nil {
			t.Fatal(err)
		}
		if err := db.SaveChurnModel(ctx, b.ID, to, []byte("{}"), []store.ChurnScore{{CustomerID: b1, Risk: 0.5}}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			at   time.Time
			usd  float64
			name string
		}{{to, 100, "after the change"}, {from, 90, "before the change"}} {
			rows, err := db.RiskRevenues(ctx, a.ID, "", c.at)
			if err != nil {
				t.Fatal(err)
			}
			got := map[float64]store.RiskRevenue{}
			for _, r := range rows {
				got[r.Risk] = r
			}
			if r := got[0.2]; !r.Converted || r.AnnualRevenue != 1000*c.usd || r.RevenueCurrency != "USD" || r.Original != 1000 {
				t.Errorf("%s: USD customer %+v", c.name, r)
			}
			if r := got[0.9]; r.Converted || r.RevenueCurrency != "KZT" || r.Original != 500 {
				t.Errorf("%s: KZT customer %+v", c.name, r)
			}
			if r := got[0.1]; !r.Converted || r.AnnualRevenue != 2000 || r.RevenueCurrency != "RUB" {
				t.Errorf("%s: RUB customer %+v", c.name, r)
			}
			if r := got[0.5]; !r.Converted || r.AnnualRevenue != 0 {
				t.Errorf("%s: customer without revenue %+v", c.name, r)
			}
		}
		list, err := db.ChurnRiskList(ctx, a.ID, nil, 10, to)
		if err != nil || len(list) != 4 {
			t.Fatalf("risk list %+v %v", list, err)
		}
		if list[0].CustomerID != a3 || list[0].Converted != nil || list[0].RevenueCurrency != "KZT" {
			t.Errorf("KZT customer on the list: %+v", list[0])
		}
		if list[2].CustomerID != a2 || list[2].Converted == nil || *list[2].Converted != 100000 {
			t.Errorf("USD customer on the list: %+v", list[2])
		}
		rowsB, err := db.RiskRevenues(ctx, b.ID, "", to)
		if err != nil || len(rowsB) != 1 || !rowsB[0].Converted || rowsB[0].AnnualRevenue != 100 {
			t.Errorf("workspace B's tenge customer: %+v %v", rowsB, err)
		}

		// Rules compare annual revenue in the reporting currency, at today's
		// rate (USD 100 since March 2025); the tenge customer has no rate in A.
		rc, err := db.RuleCustomers(ctx, a.ID, []int64{a1, a2, a3, a4, b1})
		if err != nil {
			t.Fatal(err)
		}
		if len(rc) != 4 {
			t.Errorf("rule customers of A: %d, want 4 (B's customer is not A's)", len(rc))
		}
		for id, want := range map[int64]*float64{a1: new(0.0), a2: new(100000.0), a3: nil, a4: new(2000.0)} {
			got := rc[id].ReportingRevenue
			if (got == nil) != (want == nil) || got != nil && *got != *want {
				t.Errorf("customer %d: reporting revenue %v, want %v", id, got, want)
			}
		}

		usage, err := db.CurrencyUsage(ctx, a.ID, to)
		if err != nil {
			t.Fatal(err)
		}
		wantUsage := []store.CurrencyUse{
			{Currency: "CNY", Transactions: 2, TransactionsWithoutRate: 1},
			{Currency: "KZT", Transactions: 2, TransactionsWithoutRate: 2, Customers: 1, CustomersWithoutRate: 1},
			{Currency: "RUB", Transactions: 1, Customers: 1},
			{Currency: "USD", Transactions: 3, Customers: 1},
		}
		if !slices.Equal(usage, wantUsage) {
			t.Errorf("usage %+v, want %+v", usage, wantUsage)
		}
	})
}

// Migration 021 makes the currency most of a workspace's transactions are
// in its reporting currency, so that upgrading changes no single-currency
// total; workspaces without transactions keep the default.
func TestCurrencyMigrationBackfill(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b, c := mustWorkspace(t, db, "acme"), mustWorkspace(t, db, "globex"), mustWorkspace(t, db, "initech")
		for ws, currencies := range map[int64][]string{a.ID: {"RUB", "USD", "USD"}, b.ID: {"KZT"}} {
			cust, err := db.UpsertCustomer(ctx, ws, store.CustomerInput{Identities: []store.Identity{{Kind: "email", Value: "x@x.test"}}})
			if err != nil {
				t.Fatal(err)
			}
			for _, cur := range currencies {
				if _, err := db.InsertTransactions(ctx, ws, []store.Transaction{{CustomerID: cust, Amount: 1, Currency: cur,
					OccurredAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		store.RerunCurrencyBackfill(t, db)
		for ws, want := range map[int64]string{a.ID: "USD", b.ID: "KZT", c.ID: store.DefaultReportingCurrency} {
			if cs, err := db.CurrencySettingsOf(ctx, ws); err != nil || cs.ReportingCurrency != want {
				t.Errorf("workspace %d: %q %v, want %s", ws, cs.ReportingCurrency, err, want)
			}
		}
	})
}

// Before 021 a currency was any three characters as sent; migration 023
// upper-cases the old lower-case codes, and the reporting currency 021
// chose from them, so that they convert with the rates of their code.
func TestCurrencyCodesUpperCased(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := mustWorkspace(t, db, "acme"), mustWorkspace(t, db, "globex")
		legacy := map[int64][]string{a.ID: {"rub", "rub", "Usd", "USD"}, b.ID: {"EUR", "r$1"}}
		for ws, currencies := range legacy {
			cust, err := db.UpsertCustomer(ctx, ws, store.CustomerInput{Identities: []store.Identity{{Kind: "email", Value: "x@x.test"}}})
			if err != nil {
				t.Fatal(err)
			}
			var txs []store.Transaction
			for _, cur := range currencies {
				txs = append(txs, store.Transaction{CustomerID: cust, Amount: 1, Currency: cur,
					OccurredAt: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)})
			}
			if _, err := db.InsertTransactions(ctx, ws, txs); err != nil {
				t.Fatal(err)
			}
		}
		store.RerunCurrencyBackfill(t, db) // as 021 saw them: acme reports in "rub"
		if cs, _ := db.CurrencySettingsOf(ctx, a.ID); cs.ReportingCurrency != "rub" {
			t.Fatalf("before 023 acme reports in %q, want rub", cs.ReportingCurrency)
		}
		store.RerunMigration(t, db, "023_currency_codes_upper.sql")
		to := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for ws, want := range map[int64][]store.CurrencyUse{
			a.ID: {{Currency: "RUB", Transactions: 2}, {Currency: "USD", Transactions: 2, TransactionsWithoutRate: 2}},
			b.ID: {{Currency: "EUR", Transactions: 1}, {Currency: "R$1", Transactions: 1, TransactionsWithoutRate: 1}},
		} {
			usage, err := db.CurrencyUsage(ctx, ws, to)
			if err != nil || !slices.Equal(usage, want) {
				t.Errorf("workspace %d: usage %+v %v, want %+v", ws, usage, err, want)
			}
		}
		if cs, _ := db.CurrencySettingsOf(ctx, a.ID); cs.ReportingCurrency != "RUB" {
			t.Errorf("after 023 acme reports in %q, want RUB", cs.ReportingCurrency)
		}
	})
}
