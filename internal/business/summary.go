package business

import (
	"context"
	"fmt"
	"slices"
	"time"

	"vox/internal/metrics"
	"vox/internal/store"
)

// Bounds of a summary request.
const (
	MaxSummaryDays    = 3660
	MaxSummaryPeriods = 120
)

// SummaryGrains are the period grains a summary can be split by.
var SummaryGrains = []string{"", metrics.GrainWeek, metrics.GrainMonth}

// SummaryQuery asks for churn, retention and LTV over the workspace's local
// days [From, To], optionally split into weeks or months.
type SummaryQuery struct {
	From, To    store.Day
	Grain       string
	GrossMargin float64 // fraction; 0 means 1 (revenue-based LTV)
}

// Validate returns an *InvalidError naming the bad field.
func (q SummaryQuery) Validate() error {
	switch {
	case q.To < q.From:
		return &InvalidError{Field: "to", Message: "is before from"}
	case int(q.To-q.From)+1 > MaxSummaryDays:
		return &InvalidError{Field: "from", Message: fmt.Sprintf("the range is longer than %d days", MaxSummaryDays)}
	case !slices.Contains(SummaryGrains, q.Grain):
		return &InvalidError{Field: "grain", Message: fmt.Sprintf("unknown grain %q; one of week, month", q.Grain)}
	case q.GrossMargin < 0 || q.GrossMargin > 1:
		return &InvalidError{Field: "gross_margin", Message: "must be a fraction in (0, 1]"}
	}
	return nil
}

// PeriodFigures are the business numbers of one period and customer group.
type PeriodFigures struct {
	Segment          string           `json:"segment,omitempty"`
	From             string           `json:"from"`
	To               string           `json:"to"`
	CustomersAtStart int              `json:"customers_at_start"`
	CustomersAtEnd   int              `json:"customers_at_end"`
	NewCustomers     int              `json:"new_customers"`
	Churned          int              `json:"churned"`
	ChurnRate        metrics.Estimate `json:"churn_rate"`
	RetentionRate    metrics.Estimate `json:"retention_rate"`
	Revenue          float64          `json:"revenue"`
	ARPU             float64          `json:"arpu"`
	// HistoricalLTV is the mean lifetime revenue to the period's end of the
	// customers who had started by then.
	HistoricalLTV float64 `json:"historical_ltv"`
	// PredictedLTV is ARPU × gross margin / churn rate of the period; nil
	// when no churn was observed (the expected lifetime is then unbounded).
	PredictedLTV *float64 `json:"predicted_ltv"`
}

// Summary is churn, retention and LTV over a range, overall, per segment and
// per period.
type Summary struct {
	Definitions map[string]string `json:"definitions"`
	From        string            `json:"from"`
	To          string            `json:"to"`
	GrossMargin float64           `json:"gross_margin"`
	Currencies  []string          `json:"currencies"`
	// Currency is the reporting currency every amount is in.
	Currency string `json:"currency"`
	// Unconverted lists, per currency without a rate, the transactions
	// left out of the revenue (in the range) and of historical LTV
	// (before its end).
	Unconverted []Unconverted   `json:"unconverted"`
	Overall     PeriodFigures   `json:"overall"`
	Segments    []PeriodFigures `json:"segments"`
	Periods     []PeriodFigures `json:"periods"`
}

var summaryDefinitions = map[string]string{
	"churn_rate":     "customers lost in the period / customers at its start, with a Wilson 95 % CI",
	"retention_rate": "(customers at end − new customers) / customers at start, with a Wilson 95 % CI",
	"historical_ltv": "mean of customers' summed revenue up to the period's end",
	"predicted_ltv":  "ARPU × gross margin / churn rate, both per the period; null when no churn was observed",
	"arpu":           "revenue in the period / customers active in it (at start + new)",
	"first_seen":     "a customer starts at the earliest of their creation, first transaction and first feedback",
	"currency":       "amounts are in the reporting currency: each transaction converted at the newest rate that started by its date; transactions in a currency without a rate are left out and listed in unconverted",
}

// Unconverted is what a total left out because its currency has no rate
// into the reporting currency.
type Unconverted struct {
	Currency string `json:"currency"`
	// Transactions in the range, and their sum in Currency.
	Transactions int     `json:"transactions"`
	Amount       float64 `json:"amount"`
	// LifetimeTransactions before the range's end (historical LTV).
	LifetimeTransactions int `json:"lifetime_transactions"`
}

// Summary computes churn, retention and LTV over q's range.
func (s *Service) Summary(ctx context.Context, ws int64, q SummaryQuery) (Summary, error) {
	if err := q.Validate(); err != nil {
		return Summary{}, err
	}
	if q.GrossMargin == 0 {
		q.GrossMargin = 1
	}
	w, err := s.DB.Workspace(ctx, ws)
	if err != nil {
		return Summary{}, err
	}
	loc := store.LoadLocation(w.Timezone)
	customers, err := s.DB.BusinessCustomers(ctx, ws)
	if err != nil {
		return Summary{}, err
	}
	start, end := q.From.Start(loc), (q.To + 1).Start(loc)
	currencies, err := s.DB.TransactionCurrencies(ctx, ws, start, end)
	if err != nil {
		return Summary{}, err
	}
	cs, err := s.DB.CurrencySettingsOf(ctx, ws)
	if err != nil {
		return Summary{}, err
	}
	out := Summary{Definitions: summaryDefinitions, From: q.From.String(), To: q.To.String(), GrossMargin: q.GrossMargin,
		Currencies: currencies, Currency: cs.ReportingCurrency, Unconverted: []Unconverted{},
		Segments: []PeriodFigures{}, Periods: []PeriodFigures{}}

	segments := map[string]bool{}
	for _, c := range customers {
		segments[c.Segment] = true
	}
	names := make([]string, 0, len(segments))
	for name := range segments {
		names = append(names, name)
	}
	slices.Sort(names)

	overall, bySegment, unconverted, err := s.figures(ctx, ws, customers, start, end, q.GrossMargin)
	if err != nil {
		return Summary{}, err
	}
	for _, u := range unconverted {
		out.Unconverted = append(out.Unconverted, Unconverted{Currency: u.Currency, Transactions: u.Transactions,
			Amount: u.Amount, LifetimeTransactions: u.LifetimeTransactions})
	}
	overall.From, overall.To = q.From.String(), q.To.String()
	out.Overall = overall
	for _, name := range names {
		f := bySegment[name]
		f.Segment, f.From, f.To = name, q.From.String(), q.To.String()
		out.Segments = append(out.Segments, f)
	}
	if q.Grain != "" {
		for from := q.From; from <= q.To; {
			next := store.DayFromDate(metrics.NextBucket(metrics.Bucket(from.Date(), time.UTC, q.Grain), time.UTC, q.Grain).Date())
			to := min(next-1, q.To)
			if len(out.Periods) == MaxSummaryPeriods {
				return Summary{}, &InvalidError{Field: "grain", Message: fmt.Sprintf("more than %d periods; use a coarser grain", MaxSummaryPeriods)}
			}
			f, _, _, err := s.figures(ctx, ws, customers, from.Start(loc), (to + 1).Start(loc), q.GrossMargin)
			if err != nil {
				return Summary{}, err
			}
			f.From, f.To = from.String(), to.String()
			out.Periods = append(out.Periods, f)
			from = to + 1
		}
	}
	return out, nil
}

// figures computes the period [start, end) overall and per segment, and
// returns what the revenue left out for want of a rate.
func (s *Service) figures(ctx context.Context, ws int64, customers []store.BusinessCustomer, start, end time.Time,
	margin float64) (PeriodFigures, map[string]PeriodFigures, []store.UnconvertedRevenue, error) {
	revenue, err := s.DB.RevenueBySegment(ctx, ws, start, end)
	if err != nil {
		return PeriodFigures{}, nil, nil, err
	}
	type acc struct {
		atStart, atEnd, newC, lost, started int
		revenue, lifetime                   float64
	}
	all := &acc{}
	seg := map[string]*acc{}
	get := func(name string) *acc {
		if seg[name] == nil {
			seg[name] = &acc{}
		}
		return seg[name]
	}
	for i := range customers {
		c := &customers[i]
		if c.ChurnedAt == nil && c.Status == "churned" {
			continue // churned on an unknown date: cannot be placed in a period
		}
		startedBefore := c.FirstSeen.Before(start)
		goneBefore := c.ChurnedAt != nil && c.ChurnedAt.Before(start)
		for _, x := range []*acc{all, get(c.Segment)} {
			// At start: started before it and not gone before it, so a churn
			// exactly at the start is a loss of this period.
			if startedBefore && !goneBefore {
				x.atStart++
				if c.ChurnedAt != nil && c.ChurnedAt.Before(end) {
					x.lost++
				}
			}
			if !startedBefore && c.FirstSeen.Before(end) {
				x.newC++
			}
			if c.FirstSeen.Before(end) {
				x.started++
				if c.ChurnedAt == nil || !c.ChurnedAt.Before(end) {
					x.atEnd++
				}
			}
		}
	}
	for _, r := range revenue.Segments {
		all.revenue += r.Amount
		get(r.Segment).revenue += r.Amount
		all.lifetime += r.Lifetime
		get(r.Segment).lifetime += r.Lifetime
	}
	build := func(a *acc) PeriodFigures {
		f := PeriodFigures{CustomersAtStart: a.atStart, CustomersAtEnd: a.atEnd, NewCustomers: a.newC, Churned: a.lost,
			ChurnRate: metrics.ChurnRate(a.lost, a.atStart), RetentionRate: metrics.RetentionRate(a.atStart, a.atEnd, a.newC),
			Revenue: a.revenue, ARPU: metrics.ARPU(a.revenue, a.atStart+a.newC)}
		if a.started > 0 {
			f.HistoricalLTV = a.lifetime / float64(a.started)
		}
		if a.atStart > 0 {
			if ltv, ok := metrics.PredictedLTV(f.ARPU, margin, float64(a.lost)/float64(a.atStart)); ok {
				f.PredictedLTV = &ltv
			}
		}
		return f
	}
	bySegment := map[string]PeriodFigures{}
	for name, a := range seg {
		bySegment[name] = build(a)
	}
	return build(all), bySegment, revenue.Unconverted, nil
}
