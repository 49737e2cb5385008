package business

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"vox/internal/metrics"
	"vox/internal/store"
)

// Bounds of the risk list.
const (
	DefaultRiskLimit = 50
	MaxRiskLimit     = 1000
	maxSegmentLen    = 200
)

// CustomerRisk is one customer on the risk list. AnnualRevenue and
// RevenueAtRisk are in the reporting currency, nil when the customer's
// revenue currency has no rate; the original figure is beside them.
type CustomerRisk struct {
	CustomerID            int64    `json:"customer_id"`
	Name                  string   `json:"name"`
	Segment               string   `json:"segment"`
	Region                string   `json:"region"`
	AnnualRevenue         *float64 `json:"annual_revenue"`
	Risk                  float64  `json:"risk"`
	RevenueAtRisk         *float64 `json:"revenue_at_risk"`
	RevenueCurrency       string   `json:"revenue_currency"`
	OriginalAnnualRevenue float64  `json:"original_annual_revenue"`
	Factors               []string `json:"factors"`
}

// RiskList is the customers ranked by churn risk.
type RiskList struct {
	TrainedAt   string         `json:"trained_at"`
	HorizonDays int            `json:"horizon_days"`
	Currency    string         `json:"currency"`
	Customers   []CustomerRisk `json:"customers"`
}

// Risk lists scored customers by descending risk, of one segment when
// segment is not nil. It answers ErrNoModel before the first training.
func (s *Service) Risk(ctx context.Context, ws int64, segment *string, limit int) (RiskList, error) {
	if limit == 0 {
		limit = DefaultRiskLimit
	}
	if limit < 1 || limit > MaxRiskLimit {
		return RiskList{}, &InvalidError{Field: "limit", Message: fmt.Sprintf("must be between 1 and %d", MaxRiskLimit)}
	}
	if segment != nil && len(*segment) > maxSegmentLen {
		return RiskList{}, &InvalidError{Field: "segment", Message: fmt.Sprintf("longer than %d bytes", maxSegmentLen)}
	}
	m, err := s.Model(ctx, ws)
	if err != nil {
		return RiskList{}, err
	}
	cs, err := s.DB.CurrencySettingsOf(ctx, ws)
	if err != nil {
		return RiskList{}, err
	}
	rows, err := s.DB.ChurnRiskList(ctx, ws, segment, limit, s.now())
	if err != nil {
		return RiskList{}, err
	}
	out := RiskList{TrainedAt: m.TrainedAt.Format("2006-01-02T15:04:05Z07:00"), HorizonDays: m.HorizonDays,
		Currency: cs.ReportingCurrency, Customers: []CustomerRisk{}}
	for _, r := range rows {
		f := r.Factors
		if f == nil {
			f = []string{}
		}
		c := CustomerRisk{CustomerID: r.CustomerID, Name: r.Name, Segment: r.Segment, Region: r.Region,
			AnnualRevenue: r.Converted, Risk: r.Risk, RevenueCurrency: r.RevenueCurrency, OriginalAnnualRevenue: r.AnnualRevenue, Factors: f}
		if r.Converted != nil {
			atRisk := metrics.RevenueAtRisk([]float64{r.Risk}, []float64{*r.Converted})
			c.RevenueAtRisk = &atRisk
		}
		out.Customers = append(out.Customers, c)
	}
	return out, nil
}

// RiskGroupings are the values of the revenue-at-risk "by" parameter; ""
// gives the total only.
var RiskGroupings = []string{"segment", "region", ""}

// RevenueGroup is revenue at risk of one group of customers.
type RevenueGroup struct {
	Key           string  `json:"key"`
	Customers     int     `json:"customers"`
	AnnualRevenue float64 `json:"annual_revenue"`
	RevenueAtRisk float64 `json:"revenue_at_risk"`
	MeanRisk      float64 `json:"mean_risk"`
	// ShareAtRisk is revenue at risk / annual revenue in percent (0 when the
	// group has no revenue).
	ShareAtRisk float64 `json:"share_at_risk"`
}

// RevenueAtRiskResult is revenue at risk in total and per group.
type RevenueAtRiskResult struct {
	Definition  string `json:"definition"`
	By          string `json:"by"`
	TrainedAt   string `json:"trained_at"`
	HorizonDays int    `json:"horizon_days"`
	// Currency is the reporting currency of every amount.
	Currency string         `json:"currency"`
	Total    RevenueGroup   `json:"total"`
	Groups   []RevenueGroup `json:"groups"`
	// Unconverted lists the scored customers left out because their annual
	// revenue is in a currency without a rate.
	Unconverted []UnconvertedCustomers `json:"unconverted"`
}

// UnconvertedCustomers are scored customers whose annual revenue is in a
// currency without a rate, and so left out of revenue at risk.
type UnconvertedCustomers struct {
	Currency      string  `json:"currency"`
	Customers     int     `json:"customers"`
	AnnualRevenue float64 `json:"annual_revenue"` // their sum, in Currency
}

const revenueDefinition = "Revenue at risk = Σ churn risk × annual revenue over active scored customers; churn risk is the " +
	"modelled probability of churning within horizon_days. Annual revenues are converted into the reporting currency at " +
	"today's rate; customers whose revenue currency has no rate are left out and listed in unconverted."

// RevenueAtRisk sums risk × annual revenue over the scored customers, in
// total and per value of by (segment, region, or "" for the total only).
// Groups are ordered by revenue at risk, largest first.
func (s *Service) RevenueAtRisk(ctx context.Context, ws int64, by string) (RevenueAtRiskResult, error) {
	if !slices.Contains(RiskGroupings, by) {
		return RevenueAtRiskResult{}, &InvalidError{Field: "by", Message: fmt.Sprintf("unknown grouping %q; one of segment, region", by)}
	}
	m, err := s.Model(ctx, ws)
	if err != nil {
		return RevenueAtRiskResult{}, err
	}
	cs, err := s.DB.CurrencySettingsOf(ctx, ws)
	if err != nil {
		return RevenueAtRiskResult{}, err
	}
	rows, err := s.DB.RiskRevenues(ctx, ws, by, s.now())
	if err != nil {
		return RevenueAtRiskResult{}, err
	}
	res := RevenueAtRiskResult{Definition: revenueDefinition, By: by, HorizonDays: m.HorizonDays, Currency: cs.ReportingCurrency,
		TrainedAt: m.TrainedAt.Format("2006-01-02T15:04:05Z07:00"), Groups: []RevenueGroup{}}
	converted, unconverted := splitUnconverted(rows)
	res.Total, res.Groups = groupRevenue(converted)
	res.Unconverted = unconverted
	if by == "" {
		res.Groups = []RevenueGroup{}
	}
	return res, nil
}

// splitUnconverted keeps the rows whose annual revenue has a rate, in
// order, and sums up the others per currency.
func splitUnconverted(rows []store.RiskRevenue) ([]store.RiskRevenue, []UnconvertedCustomers) {
	kept := rows[:0:0]
	left := []UnconvertedCustomers{}
	byCurrency := map[string]int{}
	for _, r := range rows {
		if r.Converted {
			kept = append(kept, r)
			continue
		}
		i, ok := byCurrency[r.RevenueCurrency]
		if !ok {
			i = len(left)
			byCurrency[r.RevenueCurrency] = i
			left = append(left, UnconvertedCustomers{Currency: r.RevenueCurrency})
		}
		left[i].Customers++
		left[i].AnnualRevenue += r.Original
	}
	slices.SortFunc(left, func(a, b UnconvertedCustomers) int { return strings.Compare(a.Currency, b.Currency) })
	return kept, left
}

// groupRevenue applies the revenue-at-risk definition to rows sorted by
// group. It is separate from the query so that its arithmetic is tested on
// hand-computed fixtures.
func groupRevenue(rows []store.RiskRevenue) (total RevenueGroup, groups []RevenueGroup) {
	finish := func(g *RevenueGroup, risks, revenues []float64) {
		g.Customers = len(risks)
		g.RevenueAtRisk = metrics.RevenueAtRisk(risks, revenues)
		g.AnnualRevenue = metrics.HistoricalLTV(revenues) // a compensated sum
		var sum float64
		for _, r := range risks {
			sum += r
		}
		if len(risks) > 0 {
			g.MeanRisk = sum / float64(len(risks))
		}
		if g.AnnualRevenue > 0 {
			g.ShareAtRisk = 100 * g.RevenueAtRisk / g.AnnualRevenue
		}
	}
	var allRisk, allRev []float64
	groups = []RevenueGroup{}
	for i := 0; i < len(rows); {
		j := i
		var risks, revenues []float64
		for j < len(rows) && rows[j].Group == rows[i].Group {
			risks = append(risks, rows[j].Risk)
			revenues = append(revenues, rows[j].AnnualRevenue)
			j++
		}
		g := RevenueGroup{Key: rows[i].Group}
		finish(&g, risks, revenues)
		groups = append(groups, g)
		allRisk = append(allRisk, risks...)
		allRev = append(allRev, revenues...)
		i = j
	}
	total.Key = "total"
	finish(&total, allRisk, allRev)
	slices.SortStableFunc(groups, func(a, b RevenueGroup) int {
		switch {
		case a.RevenueAtRisk > b.RevenueAtRisk:
			return -1
		case a.RevenueAtRisk < b.RevenueAtRisk:
			return 1
		}
		return 0
	})
	return total, groups
}
