package report

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"vox/internal/business"
)

// Kind says how a column's values are typed and formatted: CSV prints them,
// XLSX stores numbers as numbers with a native format.
type Kind int

// Column kinds.
const (
	Text    Kind = iota
	Integer      // whole count
	Decimal      // one decimal (NPS points, indexes)
	Percent      // already in percent (0..100), one decimal
	Money        // two decimals with thousands separator
	Ratio        // 0..1 shown with three decimals (AUC, p-values)
)

// Column is one column of a table.
type Column struct {
	Key  string // label key
	Kind Kind
	Unit string // shown after the label (the currency of a Money column)
}

// title is the column's header in lang: "Revenue, RUB".
func (c Column) title(lang string) string {
	if c.Unit == "" {
		return label(lang, c.Key)
	}
	return label(lang, c.Key) + ", " + c.Unit
}

// inCurrency marks the table's Money columns as amounts in currency.
func (t Table) inCurrency(currency string) Table {
	for i := range t.Columns {
		if t.Columns[i].Kind == Money {
			t.Columns[i].Unit = currency
		}
	}
	return t
}

// Table is one section of the report as rows; CSV and XLSX render every
// table, the PDF lays the same data out for reading.
type Table struct {
	Key     string // label key of the title, also the sheet name source
	Columns []Column
	Rows    [][]any // string for Text, int for Integer, float64 otherwise; nil for empty
}

func cols(spec ...any) []Column {
	var out []Column
	for i := 0; i+1 < len(spec); i += 2 {
		out = append(out, Column{Key: spec[i].(string), Kind: spec[i+1].(Kind)})
	}
	return out
}

func optFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// Tables turns the data into the report's tables, in reading order.
func (d *Data) Tables() []Table {
	var ts []Table
	if len(d.Filters) > 0 {
		ts = append(ts, d.filterTable())
	}
	kpi := Table{Key: "kpis", Columns: cols("metric", Text, "value", Decimal, "ci_low", Decimal, "ci_high", Decimal, "n", Integer,
		"prev", Decimal, "change", Decimal, "p_value", Ratio)}
	for _, k := range d.KPIs {
		row := []any{label(d.Lang, k.Metric), k.Value.Value, k.Value.CILow, k.Value.CIHigh, k.Value.N, optFloat(k.Prev), nil, nil}
		if k.Value.N == 0 {
			row[1], row[2], row[3] = nil, nil, nil
		}
		if k.Change != nil {
			row[6], row[7] = k.Change.Value, k.Change.PValue
		}
		kpi.Rows = append(kpi.Rows, row)
	}
	ts = append(ts, kpi)

	trend := Table{Key: "trend", Columns: cols("week", Text, "nps", Decimal, "ci_low", Decimal, "ci_high", Decimal, "n", Integer)}
	for _, p := range d.Trend {
		trend.Rows = append(trend.Rows, []any{p.Week, p.NPS.Value, p.NPS.CILow, p.NPS.CIHigh, p.NPS.N})
	}
	ts = append(ts, trend)

	rr := Table{Key: "response_rates", Columns: cols("channel", Text, "sent", Integer, "delivered", Integer, "answered", Integer,
		"rate", Percent, "ci_low", Percent, "ci_high", Percent)}
	for _, r := range d.ResponseRates {
		rr.Rows = append(rr.Rows, []any{r.Channel, r.Sent, r.Delivered, r.Answered, r.Rate.Value, r.Rate.CILow, r.Rate.CIHigh})
	}
	ts = append(ts, rr)

	pp := Table{Key: "pain_points", Columns: cols("topic", Text, "effect", Decimal, "impact", Decimal, "n", Integer, "p_value", Ratio)}
	for _, p := range d.PainPoints {
		pp.Rows = append(pp.Rows, []any{p.Topic, p.Effect, p.Impact, p.N, p.PValue})
	}
	ts = append(ts, pp)

	dr := Table{Key: "drivers", Columns: cols("topic", Text, "effect", Decimal, "ci_low", Decimal, "ci_high", Decimal, "n", Integer, "p_value", Ratio)}
	for _, x := range d.Drivers {
		dr.Rows = append(dr.Rows, []any{x.Topic, x.Effect, x.CILow, x.CIHigh, x.N, x.PValue})
	}
	ts = append(ts, dr)

	jm := Table{Key: "journey", Columns: cols("stage", Text, "touchpoint", Text, "volume", Integer, "nps", Decimal, "n", Integer,
		"sentiment", Decimal)}
	for _, c := range d.Journey.Cells {
		var nps any
		if c.NPS.N > 0 {
			nps = c.NPS.Value
		}
		jm.Rows = append(jm.Rows, []any{c.Stage, c.Touchpoint, c.Volume, nps, c.NPS.N, c.Sentiment.Value})
	}
	ts = append(ts, jm)

	if b := d.Business; b != nil {
		bt := Table{Key: "business", Columns: cols("customers_at_start", Integer, "churned", Integer, "churn_rate", Percent,
			"retention_rate", Percent, "revenue", Money, "arpu", Money, "historical_ltv", Money, "predicted_ltv", Money)}
		bt.Rows = append(bt.Rows, []any{b.CustomersAtStart, b.Churned, b.ChurnRate.Value, b.RetentionRate.Value, b.Revenue, b.ARPU,
			b.HistoricalLTV, optFloat(b.PredictedLTV)})
		ts = append(ts, bt.inCurrency(d.Currency))
	}

	risk := Table{Key: "revenue_at_risk", Columns: cols("segment", Text, "customers", Integer, "annual_revenue", Money,
		"at_risk", Money, "share_at_risk", Percent, "mean_risk", Percent)}
	if r := d.RevenueAtRisk; r != nil {
		for _, g := range append(append([]business.RevenueGroup{}, r.Groups...), r.Total) {
			key := g.Key
			if key == "total" {
				key = label(d.Lang, "total")
			}
			risk.Rows = append(risk.Rows, []any{key, g.Customers, g.AnnualRevenue, g.RevenueAtRisk, g.ShareAtRisk, 100 * g.MeanRisk})
		}
	}
	ts = append(ts, risk.inCurrency(d.Currency))
	if u := d.unconvertedTable(); len(u.Rows) > 0 {
		ts = append(ts, u)
	}

	cs := Table{Key: "cases", Columns: cols("opened", Integer, "resolved", Integer, "resolved_in_sla", Integer, "acted_in_sla", Integer,
		"acted_24h", Integer, "overdue", Integer)}
	c := d.Cases
	cs.Rows = append(cs.Rows, []any{c.Opened, c.Resolved, c.ResolvedInSLA, c.ActedInSLA, c.ActedWithin24h, c.OpenOverdue})
	ts = append(ts, cs)

	em := Table{Key: "employees", Columns: cols("rank", Integer, "employee", Text, "nps", Decimal, "ci_low", Decimal, "ci_high", Decimal, "n", Integer)}
	for _, e := range d.Employees {
		em.Rows = append(em.Rows, []any{e.Score.Rank, e.Name, e.Score.Score, e.Score.CILow, e.Score.CIHigh, e.Score.N})
	}
	ts = append(ts, em)
	return ts
}

// cleanText removes control characters (which could break a PDF line or a
// CSV reader's layout) from customer-supplied text.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// filterTable lists the report's filters, in FilterDims order.
func (d *Data) filterTable() Table {
	t := Table{Key: "filters", Columns: cols("dimension", Text, "values", Text)}
	for _, dim := range FilterDims {
		if vals := d.Filters[dim]; len(vals) > 0 {
			t.Rows = append(t.Rows, []any{label(d.Lang, dim), strings.Join(vals, ", ")})
		}
	}
	return t
}

// filterLine is the cover page's statement of the filters and of what
// they do not narrow; empty without filters.
func (d *Data) filterLine() string {
	if len(d.Filters) == 0 {
		return ""
	}
	var parts []string
	for _, row := range d.filterTable().Rows {
		parts = append(parts, fmt.Sprintf("%s = %s", row[0], cleanText(row[1].(string))))
	}
	return label(d.Lang, "filters") + ": " + strings.Join(parts, "; ")
}

// unconvertedTable lists per currency without an exchange rate what the
// money figures left out: transactions of the period (revenue, ARPU) and
// before its end (historical LTV), and scored customers (revenue at risk).
func (d *Data) unconvertedTable() Table {
	t := Table{Key: "unconverted", Columns: cols("currency", Text, "tx_left_out", Integer, "tx_left_out_ltv", Integer,
		"customers_left_out", Integer)}
	rows := map[string][]any{}
	var order []string
	row := func(currency string) []any {
		if rows[currency] == nil {
			rows[currency] = []any{currency, 0, 0, 0}
			order = append(order, currency)
		}
		return rows[currency]
	}
	for _, u := range d.Unconverted {
		r := row(u.Currency)
		r[1], r[2] = u.Transactions, u.LifetimeTransactions
	}
	if d.RevenueAtRisk != nil {
		for _, u := range d.RevenueAtRisk.Unconverted {
			row(u.Currency)[3] = u.Customers
		}
	}
	slices.Sort(order)
	for _, c := range order {
		t.Rows = append(t.Rows, rows[c])
	}
	return t
}
