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
