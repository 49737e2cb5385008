package business

import (
	"math"
	"testing"

	"vox/internal/store"
)

// Revenue at risk = Σ risk × annual revenue, checked by hand:
// smb: 0.5×1000 + 0.1×2000 = 700 of 3000; vip: 0.2×10000 = 2000 of 10000;
// out-of-range risks are clamped to [0, 1].
func TestGroupRevenueArithmetic(t *testing.T) {
	rows := []store.RiskRevenue{
		{Group: "smb", Risk: 0.5, AnnualRevenue: 1000},
		{Group: "smb", Risk: 0.1, AnnualRevenue: 2000},
		{Group: "vip", Risk: 0.2, AnnualRevenue: 10000},
		{Group: "zero", Risk: 1.5, AnnualRevenue: 0},
		{Group: "zz", Risk: -0.3, AnnualRevenue: 500},
	}
	total, groups := groupRevenue(rows)
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }
	if !near(total.RevenueAtRisk, 2700) || !near(total.AnnualRevenue, 13500) || total.Customers != 5 ||
		!near(total.ShareAtRisk, 100*2700/13500.0) {
		t.Fatalf("total %+v", total)
	}
	if len(groups) != 4 || groups[0].Key != "vip" || !near(groups[0].RevenueAtRisk, 2000) || !near(groups[0].ShareAtRisk, 20) {
		t.Fatalf("groups %+v", groups)
	}
	if g := groups[1]; g.Key != "smb" || !near(g.RevenueAtRisk, 700) || !near(g.MeanRisk, 0.3) || g.Customers != 2 {
		t.Fatalf("smb %+v", g)
	}
	for _, g := range groups[2:] {
		if g.RevenueAtRisk != 0 || g.ShareAtRisk != 0 {
			t.Fatalf("clamped group %+v", g)
		}
	}
	if total, groups := groupRevenue(nil); total.Customers != 0 || len(groups) != 0 {
		t.Fatalf("empty: %+v %+v", total, groups)
	}
}

// Customers whose annual revenue has no rate leave every group and are
// summed per currency in their own currency; the others keep their order.
func TestSplitUnconverted(t *testing.T) {
	rows := []store.RiskRevenue{
		{Group: "smb", Risk: 0.5, AnnualRevenue: 1000, Original: 1000, RevenueCurrency: "RUB", Converted: true},
		{Group: "smb", Risk: 0.9, Original: 700, RevenueCurrency: "KZT"},
		{Group: "vip", Risk: 0.2, AnnualRevenue: 9200, Original: 100, RevenueCurrency: "USD", Converted: true},
		{Group: "vip", Risk: 0.3, Original: 50, RevenueCurrency: "AMD"},
		{Group: "vip", Risk: 0.4, Original: 300, RevenueCurrency: "KZT"},
	}
	kept, left := splitUnconverted(rows)
	if len(kept) != 2 || kept[0].RevenueCurrency != "RUB" || kept[1].RevenueCurrency != "USD" {
		t.Fatalf("kept %+v", kept)
	}
	want := []UnconvertedCustomers{{Currency: "AMD", Customers: 1, AnnualRevenue: 50}, {Currency: "KZT", Customers: 2, AnnualRevenue: 1000}}
	if len(left) != 2 || left[0] != want[0] || left[1] != want[1] {
		t.Fatalf("left out %+v, want %+v", left, want)
	}
	total, _ := groupRevenue(kept)
	if total.Customers != 2 || math.Abs(total.RevenueAtRisk-(500+1840)) > 1e-9 {
		t.Fatalf("total %+v", total)
	}
	if kept, left := splitUnconverted(nil); len(kept) != 0 || left == nil || len(left) != 0 {
		t.Fatalf("no rows: %v %v", kept, left)
	}
}
