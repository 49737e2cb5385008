package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Queries of business linkage (churn model, revenue at risk, LTV) and of the
// management report. Each returns at most one row per customer, segment or
// channel of a workspace: the per-item work happens in GROUP BY inside the
// database, so the callers' memory is bounded by the number of customers,
// never by the number of feedback items or transactions.

// BusinessCustomer is a customer as business linkage sees them: when they
// started and when (if ever) they left. Customers' created_at is when Vox
// learned about them, often an import long after they started buying, so
// FirstSeen is the earliest of created_at, their first transaction and their
// first feedback.
type BusinessCustomer struct {
	ID            int64
	Name          string
	Segment       string
	Region        string
	Status        string
	AnnualRevenue float64
	FirstSeen     time.Time
	ChurnedAt     *time.Time // the first churn event; nil if none
}

// BusinessCustomers lists the workspace's customers that are not merged into
// another profile.
//
// Each first time is one index seek per customer. The churn event's is
// MIN(occurred_at + 0): with a bare MIN(occurred_at) SQLite, which has no
// statistics, walks churn_events_time (workspace, time) in time order until
// it meets the customer — every churn event of the workspace for each
// customer without one (1.1 s of a 6,000-customer report) — instead of
// seeking churn_events_customer.
func (db *DB) BusinessCustomers(ctx context.Context, workspaceID int64) ([]BusinessCustomer, error) {
	rows, err := db.query(ctx, `SELECT c.id, c.name, c.segment, c.region, c.status, c.annual_revenue, c.created_at,
		(SELECT MIN(t.occurred_at) FROM transactions t WHERE t.workspace_id = c.workspace_id AND t.customer_id = c.id),
		(SELECT MIN(f.occurred_at) FROM feedback_items f WHERE f.workspace_id = c.workspace_id AND f.customer_id = c.id),
		(SELECT MIN(e.occurred_at + 0) FROM churn_events e WHERE e.workspace_id = c.workspace_id AND e.customer_id = c.id)
		FROM customers c WHERE c.workspace_id = ? AND c.merged_into_id IS NULL ORDER BY c.id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("business customers: %w", err)
	}
	defer rows.Close()
	var out []BusinessCustomer
	for rows.Next() {
		var c BusinessCustomer
		var created int64
		var firstTx, firstItem, churned sql.NullInt64
		if err := rows.Scan(&c.ID, &c.Name, &c.Segment, &c.Region, &c.Status, &c.AnnualRevenue, &created,
			&firstTx, &firstItem, &churned); err != nil {
			return nil, fmt.Errorf("business customers: %w", err)
		}
		first := created
		for _, v := range []sql.NullInt64{firstTx, firstItem} {
			if v.Valid && v.Int64 < first {
				first = v.Int64
			}
		}
		c.FirstSeen = fromMillis(first)
		c.ChurnedAt = optMillis(churned)
		out = append(out, c)
	}
	return out, rows.Err()
}

// FeedbackSignals sum up one customer's feedback before a cutoff: the inputs
// of the churn model's experience features. Sentiment sums use x = days
// relative to the cutoff (negative), so the trend is a least-squares slope
// computed from them without reading the items.
type FeedbackSignals struct {
	LastNPS        *int      // the last answer ever given before the cutoff
	Items          int       // in the recent window
	Negative       int       // negative items in the recent window
	SentimentN     int       // scored items in the trend window
	SumSentiment   float64   // over the trend window
	SumX, SumXX    float64   // over the trend window
	SumXY          float64   // over the trend window
	NPSCount       int       // NPS answers in the history window
	NPSSum         int       // their sum
	Detractors     int       // answers 0-6 in the history window
	LastNegativeAt time.Time // last bad experience in the history window; zero if none
}

// SignalWindows are how far back each kind of feedback signal looks.
type SignalWindows struct {
	Recent, Trend, History time.Duration
}

// FeedbackSignalsAsOf returns each customer's feedback signals from items
// that occurred before asOf: counts over the recent window, sentiment sums
// over the trend window, NPS answers and the last negative item over the
// history window, and the last NPS answer ever given before asOf. Customers
// without feedback are absent from the map.
func (db *DB) FeedbackSignalsAsOf(ctx context.Context, workspaceID int64, asOf time.Time, w SignalWindows) (map[int64]*FeedbackSignals, error) {
	at := asOf.UnixMilli()
	recentFrom := asOf.Add(-w.Recent).UnixMilli()
	trendFrom := asOf.Add(-w.Trend).UnixMilli()
	historyFrom := asOf.Add(-max(w.History, w.Recent, w.Trend)).UnixMilli()
	const day = "(CAST(occurred_at - ? AS DOUBLE PRECISION) / 86400000.0)"
	// A bad experience is a negative text, a detractor answer, a CSAT in the
	// bottom two points of its scale (≤ 40 %) or a CES of 3 or less.
	const badExperience = "(sentiment_label = 'negative' OR nps <= 6 OR csat * 10 <= COALESCE(csat_scale, 5) * 4 OR ces <= 3)"
	scored := "occurred_at >= ? AND sentiment_score IS NOT NULL"
	rows, err := db.query(ctx, `SELECT customer_id,
		SUM(CASE WHEN occurred_at >= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN occurred_at >= ? AND sentiment_label = 'negative' THEN 1 ELSE 0 END),
		SUM(CASE WHEN `+scored+` THEN 1 ELSE 0 END),
		COALESCE(SUM(CASE WHEN `+scored+` THEN sentiment_score ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN `+scored+` THEN `+day+` ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN `+scored+` THEN `+day+` * `+day+` ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN `+scored+` THEN `+day+` * sentiment_score ELSE 0 END), 0),
		COUNT(nps), COALESCE(SUM(nps), 0), SUM(CASE WHEN nps <= 6 THEN 1 ELSE 0 END),
		COALESCE(MAX(CASE WHEN `+badExperience+` THEN occurred_at END), 0)
		FROM feedback_items WHERE workspace_id = ? AND customer_id IS NOT NULL AND occurred_at >= ? AND occurred_at < ?
		GROUP BY customer_id`,
		recentFrom, recentFrom,
		trendFrom,
		trendFrom,
		trendFrom, at,
		trendFrom, at, at,
		trendFrom, at,
		workspaceID, historyFrom, at)
	if err != nil {
		return nil, fmt.Errorf("feedback signals: %w", err)
	}
	defer rows.Close()
	out := map[int64]*FeedbackSignals{}
	for rows.Next() {
		var id, lastNeg int64
		s := &FeedbackSignals{}
		if err := rows.Scan(&id, &s.Items, &s.Negative, &s.SentimentN, &s.SumSentiment, &s.SumX, &s.SumXX, &s.SumXY,
			&s.NPSCount, &s.NPSSum, &s.Detractors, &lastNeg); err != nil {
			return nil, fmt.Errorf("feedback signals: %w", err)
		}
		if lastNeg > 0 {
			s.LastNegativeAt = fromMillis(lastNeg)
		}
		out[id] = s
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feedback signals: %w", err)
	}
	rows.Close()

	// The last NPS answer may be older than the windows: a customer who said
	// "2" a year ago and nothing since is still a detractor.
	npsRows, err := db.query(ctx, `SELECT customer_id, nps FROM (
			SELECT customer_id, nps, ROW_NUMBER() OVER (PARTITION BY customer_id ORDER BY occurred_at DESC, id DESC) AS rn
			FROM feedback_items WHERE workspace_id = ? AND customer_id IS NOT NULL AND nps IS NOT NULL AND occurred_at < ?
		) last WHERE rn = 1`, workspaceID, at)
	if err != nil {
		return nil, fmt.Errorf("last nps: %w", err)
	}
	defer npsRows.Close()
	for npsRows.Next() {
		var id int64
		var nps int
		if err := npsRows.Scan(&id, &nps); err != nil {
			return nil, fmt.Errorf("last nps: %w", err)
		}
		s := out[id]
		if s == nil {
			s = &FeedbackSignals{}
			out[id] = s
		}
		s.LastNPS = &nps
	}
	return out, npsRows.Err()
}

// PurchaseStats are one customer's transactions before a cutoff: recency,
// frequency and monetary value.
type PurchaseStats struct {
	LastAt       time.Time
	Count        int     // all before the cutoff
	RecentCount  int     // in the frequency window
	RecentAmount float64 // in the monetary window, in the reporting currency
}

// PurchaseStatsAsOf returns each customer's purchase statistics from
// transactions before asOf; frequency counts [asOf−frequency, asOf) and
// monetary value sums [asOf−monetary, asOf) converted into the reporting
// currency. A transaction in a currency without a rate counts for recency
// and frequency, but adds nothing to the monetary value.
func (db *DB) PurchaseStatsAsOf(ctx context.Context, workspaceID int64, asOf time.Time, frequency, monetary time.Duration) (map[int64]PurchaseStats, error) {
	rows, err := db.query(ctx, ratePeriods+` SELECT t.customer_id, MAX(t.occurred_at), COUNT(*),
		SUM(CASE WHEN t.occurred_at >= ? THEN 1 ELSE 0 END),
		COALESCE(SUM(CASE WHEN t.occurred_at >= ? THEN t.amount * r.rate END), 0)
		FROM transactions t LEFT JOIN rate_periods r ON `+rateAt+`
		WHERE t.workspace_id = ? AND t.occurred_at < ? GROUP BY t.customer_id`,
		workspaceID, workspaceID,
		asOf.Add(-frequency).UnixMilli(), asOf.Add(-monetary).UnixMilli(), workspaceID, asOf.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("purchase stats: %w", err)
	}
	defer rows.Close()
	out := map[int64]PurchaseStats{}
	for rows.Next() {
		var id, last int64
		var p PurchaseStats
		if err := rows.Scan(&id, &last, &p.Count, &p.RecentCount, &p.RecentAmount); err != nil {
			return nil, fmt.Errorf("purchase stats: %w", err)
		}
		p.LastAt = fromMillis(last)
		out[id] = p
	}
	return out, rows.Err()
}

// OpenCasesAsOf counts each customer's cases that were open at asOf:
// created before it and not resolved by then.
func (db *DB) OpenCasesAsOf(ctx context.Context, workspaceID int64, asOf time.Time) (map[int64]int, error) {
	at := asOf.UnixMilli()
	rows, err := db.query(ctx, `SELECT customer_id, COUNT(*) FROM cases
		WHERE workspace_id = ? AND customer_id IS NOT NULL AND created_at < ? AND (resolved_at IS NULL OR resolved_at >= ?)
		GROUP BY customer_id`, workspaceID, at, at)
	if err != nil {
		return nil, fmt.Errorf("open cases: %w", err)
	}
	defer rows.Close()
	out := map[int64]int{}
	for rows.Next() {
		var id int64
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, fmt.Errorf("open cases: %w", err)
		}
		out[id] = n
	}
	return out, rows.Err()
}

// SegmentRevenue is the revenue of one customer segment in a period and
// over its lifetime up to the period's end, in the reporting currency.
type SegmentRevenue struct {
	Segment  string
	Amount   float64 // transactions in [from, to)
	Lifetime float64 // transactions before to
}

// UnconvertedRevenue is what a workspace holds in one currency without a
// rate into the reporting currency, and so leaves out of its totals.
type UnconvertedRevenue struct {
	Currency             string
	Transactions         int     // in [from, to)
	Amount               float64 // their sum, in Currency
	LifetimeTransactions int     // before to
}

// Revenue is the workspace's revenue per segment and what it left out.
type Revenue struct {
	Segments    []SegmentRevenue
	Unconverted []UnconvertedRevenue // by currency
}

// RevenueBySegment sums transactions per customer segment, converted into
// the reporting currency at each one's date: those in [from, to) and all
// those before to. Transactions in a currency without a rate at their date
// are left out and counted per currency. Both sums come from one pass over
// the transactions before to (a second pass for the lifetime sum was half
// of a report's time).
func (db *DB) RevenueBySegment(ctx context.Context, workspaceID int64, from, to time.Time) (Revenue, error) {
	// Rows without a rate group apart, under their currency, so that one
	// pass gives the converted sums and what they left out.
	rows, err := db.query(ctx, ratePeriods+` SELECT c.segment, CASE WHEN r.rate IS NULL THEN t.currency ELSE '' END,
		COALESCE(SUM(CASE WHEN t.occurred_at >= ? THEN t.amount * r.rate END), 0),
		COALESCE(SUM(t.amount * r.rate), 0),
		SUM(CASE WHEN t.occurred_at >= ? THEN 1 ELSE 0 END), COUNT(*),
		COALESCE(SUM(CASE WHEN t.occurred_at >= ? THEN t.amount END), 0)
		FROM transactions t JOIN customers c ON c.id = t.customer_id AND c.workspace_id = t.workspace_id
		LEFT JOIN rate_periods r ON `+rateAt+`
		WHERE t.workspace_id = ? AND t.occurred_at < ?
		GROUP BY 1, 2 ORDER BY 1, 2`, workspaceID, workspaceID,
		from.UnixMilli(), from.UnixMilli(), from.UnixMilli(), workspaceID, to.UnixMilli())
	if err != nil {
		return Revenue{}, fmt.Errorf("revenue by segment: %w", err)
	}
	defer rows.Close()
	var out Revenue
	missing := map[string]*UnconvertedRevenue{}
	for rows.Next() {
		var r SegmentRevenue
		var currency string
		var inPeriod, lifetime int
		var raw float64
		if err := rows.Scan(&r.Segment, &currency, &r.Amount, &r.Lifetime, &inPeriod, &lifetime, &raw); err != nil {
			return Revenue{}, fmt.Errorf("revenue by segment: %w", err)
		}
		if n := len(out.Segments); n == 0 || out.Segments[n-1].Segment != r.Segment {
			out.Segments = append(out.Segments, SegmentRevenue{Segment: r.Segment})
		}
		if currency == "" {
			s := &out.Segments[len(out.Segments)-1]
			s.Amount, s.Lifetime = r.Amount, r.Lifetime
			continue
		}
		m := missing[currency]
		if m == nil {
			m = &UnconvertedRevenue{Currency: currency}
			missing[currency] = m
		}
		m.Transactions += inPeriod
		m.LifetimeTransactions += lifetime
		m.Amount += raw
	}
	if err := rows.Err(); err != nil {
		return Revenue{}, fmt.Errorf("revenue by segment: %w", err)
	}
	for _, m := range missing {
		out.Unconverted = append(out.Unconverted, *m)
	}
	slices.SortFunc(out.Unconverted, func(a, b UnconvertedRevenue) int { return strings.Compare(a.Currency, b.Currency) })
	return out, nil
}

// TransactionCurrencies lists the currencies of transactions in [from, to),
// so that a sum over several can be flagged rather than silently mixed.
func (db *DB) TransactionCurrencies(ctx context.Context, workspaceID int64, from, to time.Time) ([]string, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT currency FROM transactions
		WHERE workspace_id = ? AND occurred_at >= ? AND occurred_at < ? ORDER BY currency`,
		workspaceID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("transaction currencies: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ChurnScore is one customer's modelled churn risk and the features that
// raised it most.
type ChurnScore struct {
	CustomerID int64
	Risk       float64
	Factors    []string
}

// SaveChurnModel replaces the workspace's churn model and all its scores in
// one transaction, so readers never see a model with another model's scores.
func (db *DB) SaveChurnModel(ctx context.Context, workspaceID int64, trainedAt time.Time, model []byte, scores []ChurnScore) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		if _, err := tx.exec(ctx, `DELETE FROM churn_models WHERE workspace_id = ?`, workspaceID); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `INSERT INTO churn_models (workspace_id, trained_at, model) VALUES (?, ?, ?)`,
			workspaceID, trainedAt.UnixMilli(), string(model)); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `DELETE FROM churn_scores WHERE workspace_id = ?`, workspaceID); err != nil {
			return err
		}
		for start := 0; start < len(scores); start += rowsPerInsert {
			end := min(start+rowsPerInsert, len(scores))
			rows := make([]string, 0, end-start)
			args := make([]any, 0, (end-start)*5)
			for _, s := range scores[start:end] {
				rows = append(rows, "(?, ?, ?, ?, ?)")
				args = append(args, workspaceID, s.CustomerID, s.Risk, jsonText(s.Factors, "[]"), trainedAt.UnixMilli())
			}
			if _, err := tx.exec(ctx, `INSERT INTO churn_scores (workspace_id, customer_id, risk, factors, scored_at) VALUES `+
				strings.Join(rows, ","), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("save churn model: %w", err)
	}
	return nil
}

// ChurnModel returns the stored model JSON and when it was trained, or
// ErrNotFound if the workspace has none.
func (db *DB) ChurnModel(ctx context.Context, workspaceID int64) ([]byte, time.Time, error) {
	var model string
	var at int64
	err := db.queryRow(ctx, `SELECT model, trained_at FROM churn_models WHERE workspace_id = ?`, workspaceID).Scan(&model, &at)
	if err != nil {
		return nil, time.Time{}, notFound(err, "churn model")
	}
	return []byte(model), fromMillis(at), nil
}

// CustomerRisk is a scored customer with what the risk list shows.
type CustomerRisk struct {
	CustomerID      int64
	Name            string
	Segment         string
	Region          string
	AnnualRevenue   float64  // in RevenueCurrency
	RevenueCurrency string   // the customer's, or the reporting currency
	Converted       *float64 // annual revenue in the reporting currency; nil without a rate
	Risk            float64
	Factors         []string
}

// ChurnRiskList returns scored customers, highest risk first, optionally of
// one segment; at most limit rows. Annual revenues are converted at the
// rates of at.
func (db *DB) ChurnRiskList(ctx context.Context, workspaceID int64, segment *string, limit int, at time.Time) ([]CustomerRisk, error) {
	q := ratePeriods + ` SELECT s.customer_id, c.name, c.segment, c.region, c.annual_revenue, ` + revenueCurrency + `,
		c.annual_revenue * r.rate, s.risk, s.factors
		FROM churn_scores s JOIN customers c ON c.id = s.customer_id AND c.workspace_id = s.workspace_id
		LEFT JOIN rate_periods r ON ` + revenueRateAt + `
		WHERE s.workspace_id = ?`
	args := []any{workspaceID, workspaceID, at.UnixMilli(), at.UnixMilli(), workspaceID}
	if segment != nil {
		q += ` AND c.segment = ?`
		args = append(args, *segment)
	}
	q += ` ORDER BY s.risk DESC, COALESCE(c.annual_revenue * r.rate, 0) DESC, s.customer_id LIMIT ?`
	args = append(args, limit)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("churn risk list: %w", err)
	}
	defer rows.Close()
	out := []CustomerRisk{}
	for rows.Next() {
		var r CustomerRisk
		var factors string
		if err := rows.Scan(&r.CustomerID, &r.Name, &r.Segment, &r.Region, &r.AnnualRevenue, &r.RevenueCurrency,
			&r.Converted, &r.Risk, &factors); err != nil {
			return nil, fmt.Errorf("churn risk list: %w", err)
		}
		if r.Converted == nil && r.AnnualRevenue == 0 {
			r.Converted = new(float64) // nothing in any currency is nothing
		}
		_ = json.Unmarshal([]byte(factors), &r.Factors)
		out = append(out, r)
	}
	return out, rows.Err()
}

// RiskRevenue is one scored customer's risk and annual revenue with the
// group it falls in.
type RiskRevenue struct {
	Group           string
	Risk            float64
	AnnualRevenue   float64 // in the reporting currency; 0 when not Converted
	RevenueCurrency string  // the currency the customer's annual revenue is in
	Original        float64 // the annual revenue in RevenueCurrency
	Converted       bool    // false: RevenueCurrency has no rate at the time asked
}

// riskGroupColumns are the customer columns revenue at risk can be grouped by.
var riskGroupColumns = map[string]string{"segment": "c.segment", "region": "c.region", "": "''"}

// RiskRevenues returns every scored customer's risk and annual revenue,
// converted into the reporting currency at the rates of at, with their
// value of the customer column by ("segment", "region" or "" for one
// group). The arithmetic (Σ risk × revenue) stays in internal/metrics so
// that the definition lives in one place.
func (db *DB) RiskRevenues(ctx context.Context, workspaceID int64, by string, at time.Time) ([]RiskRevenue, error) {
	col, ok := riskGroupColumns[by]
	if !ok {
		return nil, fmt.Errorf("risk revenues: unknown grouping %q", by)
	}
	rows, err := db.query(ctx, ratePeriods+` SELECT `+col+`, s.risk, c.annual_revenue, `+revenueCurrency+`, r.rate
		FROM churn_scores s JOIN customers c ON c.id = s.customer_id AND c.workspace_id = s.workspace_id
		LEFT JOIN rate_periods r ON `+revenueRateAt+`
		WHERE s.workspace_id = ? ORDER BY 1`, workspaceID, workspaceID, at.UnixMilli(), at.UnixMilli(), workspaceID)
	if err != nil {
		return nil, fmt.Errorf("risk revenues: %w", err)
	}
	defer rows.Close()
	var out []RiskRevenue
	for rows.Next() {
		var r RiskRevenue
		var rate sql.NullFloat64
		if err := rows.Scan(&r.Group, &r.Risk, &r.Original, &r.RevenueCurrency, &rate); err != nil {
			return nil, fmt.Errorf("risk revenues: %w", err)
		}
		switch {
		case rate.Valid:
			r.AnnualRevenue, r.Converted = r.Original*rate.Float64, true
		case r.Original == 0: // nothing in any currency is nothing
			r.Converted = true
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ChannelFunnel is the invitation funnel of one channel over a period.
type ChannelFunnel struct {
	Channel   string
	Sent      int
	Delivered int
	Answered  int
}

// InvitationFunnelByChannel counts invitations sent in [from, to) per
// channel, with how many were delivered and answered: the report's response
// rates.
func (db *DB) InvitationFunnelByChannel(ctx context.Context, workspaceID int64, from, to time.Time) ([]ChannelFunnel, error) {
	rows, err := db.query(ctx, `SELECT channel, COUNT(*), COUNT(delivered_at), COUNT(answered_at)
		FROM survey_invitations WHERE workspace_id = ? AND sent_at >= ? AND sent_at < ?
		GROUP BY channel ORDER BY channel`, workspaceID, from.UnixMilli(), to.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("invitation funnel: %w", err)
	}
	defer rows.Close()
	var out []ChannelFunnel
	for rows.Next() {
		var f ChannelFunnel
		if err := rows.Scan(&f.Channel, &f.Sent, &f.Delivered, &f.Answered); err != nil {
			return nil, fmt.Errorf("invitation funnel: %w", err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// CaseSLAStats summarise the cases opened in a period against their SLA.
type CaseSLAStats struct {
	Opened         int
	Resolved       int
	ResolvedInSLA  int // resolved_at ≤ due_at
	ActedInSLA     int // first action ≤ due_at
	OpenOverdue    int // still unresolved and past due at the period's end
	ActedWithin24h int
}

// CaseSLA counts cases created in [from, to) and how many met their SLA.
func (db *DB) CaseSLA(ctx context.Context, workspaceID int64, from, to time.Time) (CaseSLAStats, error) {
	var s CaseSLAStats
	end := to.UnixMilli()
	err := db.queryRow(ctx, `SELECT COUNT(*),
		COALESCE(SUM(CASE WHEN resolved_at IS NOT NULL THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN resolved_at IS NOT NULL AND resolved_at <= due_at THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN first_action_at IS NOT NULL AND first_action_at <= due_at THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN resolved_at IS NULL AND due_at < ? THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN first_action_at IS NOT NULL AND first_action_at - created_at <= 86400000 THEN 1 ELSE 0 END), 0)
		FROM cases WHERE workspace_id = ? AND created_at >= ? AND created_at < ?`,
		end, workspaceID, from.UnixMilli(), end).
		Scan(&s.Opened, &s.Resolved, &s.ResolvedInSLA, &s.ActedInSLA, &s.OpenOverdue, &s.ActedWithin24h)
	if err != nil {
		return s, fmt.Errorf("case sla: %w", err)
	}
	return s, nil
}
