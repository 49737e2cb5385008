package importer

import (
	"context"
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		code string
		ok   bool
	}{
		{"1200000", 1200000, "", true},
		{"1 200 000,50", 1200000.5, "", true},
		{"1\u00a0200\u00a0000", 1200000, "", true},
		{"1,200,000.50", 1200000.5, "", true},
		{"1.200.000,50", 1200000.5, "", true},
		{"1'200'000", 1200000, "", true},
		{"1,200", 1200, "", true},
		{"1200,5", 1200.5, "", true},
		{"0,75", 0.75, "", true},
		{"1.200.000", 1200000, "", true},
		{"1 200 000 ₽", 1200000, "RUB", true},
		{"1200 руб.", 1200, "RUB", true},
		{"€ 99.90", 99.9, "EUR", true},
		{"USD 1,200,000.50", 1200000.5, "USD", true},
		{"5000 usd", 5000, "USD", true},
		{"US$ 5,000", 5000, "USD", true},
		{"5000 RMB", 5000, "CNY", true},
		{"¥5000", 0, "", false}, // yen or yuan: the currency column must say
		{"$5000", 0, "", false},
		{"about 5000", 0, "", false},
		{"0x1p3", 0, "", false},
		{"NaN", 0, "", false},
		{"Inf", 0, "", false},
		{"", 0, "", false},
	}
	for _, tt := range tests {
		v, code, ok := parseAmount(tt.in)
		if ok != tt.ok || ok && (v != tt.want || code != tt.code) {
			t.Errorf("parseAmount(%q) = %v %q %v, want %v %q %v", tt.in, v, code, ok, tt.want, tt.code, tt.ok)
		}
	}
}

// A CRM export carries each customer's annual revenue and its currency: the
// importer fills the customer profile with both, keeps the revenue of rows
// that identify nobody in the item's metadata, and rejects a row whose
// amount or currency it cannot read with the field at fault while the
// other rows go in.
func TestImportAnnualRevenue(t *testing.T) {
	db, svc, ws := newWorkspace(t)
	ctx := context.Background()
	data := "Email;Comment;NPS;Годовая выручка;Валюта\n" +
		"a@x.test;Отлично;10;1 200 000,50;rub\n" +
		"b@x.test;Fine;8;USD 15,000;\n" +
		"e@x.test;Dollars;9;$5,000;cad\n" +
		";Nobody;7;5000;EUR\n" +
		"c@x.test;Bad amount;3;lots;RUB\n" +
		"d@x.test;Bad currency;3;100;rubles\n"
	sum, err := Import(ctx, svc, ws, strings.NewReader(data), Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	checkSummary(t, sum, 6, 4, 0, []RowError{
		{Line: 6, Field: "customer.annual_revenue", Reason: `"lots" is not an amount`},
		{Line: 7, Field: "customer.annual_revenue_currency", Reason: "ISO 4217"},
	})
	items := stored(t, db, ws)
	for text, want := range map[string]struct {
		revenue  float64
		currency string
	}{"Отлично": {1200000.5, "RUB"}, "Fine": {15000, "USD"}, "Dollars": {5000, "CAD"}} {
		it, ok := byText(items, text)
		if !ok || it.CustomerID == nil {
			t.Fatalf("%s: item %+v", text, it)
		}
		c, err := db.Customer(ctx, ws, *it.CustomerID)
		if err != nil || c.AnnualRevenue != want.revenue || c.RevenueCurrency != want.currency {
			t.Errorf("%s: customer revenue %v %q (%v), want %v %q", text, c.AnnualRevenue, c.RevenueCurrency, err, want.revenue, want.currency)
		}
	}
	nobody, _ := byText(items, "Nobody")
	if nobody.CustomerID != nil || nobody.Metadata["customer.annual_revenue"] != "5000" || nobody.Metadata["customer.annual_revenue_currency"] != "EUR" {
		t.Errorf("row without a customer: %+v", nobody)
	}
	if n, err := db.CountCustomers(ctx, ws); err != nil || n != 3 {
		t.Errorf("%v customers (%v), want 3: rejected rows create nobody", n, err)
	}
}
