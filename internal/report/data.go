// Package report builds the management report of a workspace over a period
// — KPIs with confidence intervals and change, trend, response rates, pain
// points and drivers, the journey heat map, revenue at risk, cases within
// SLA and praised employees — and renders it as CSV, XLSX or PDF in Russian,
// Chinese or English.
//
// Numbers come from the metrics layer (internal/insights, which reads
// rollups) and from internal/business; this package only gathers and lays
// them out, so the report always agrees with the dashboards and the API.
package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"vox/internal/business"
	"vox/internal/insights"
	"vox/internal/metrics"
	"vox/internal/store"
)

// Formats and languages a report can be rendered in.
var (
	Formats   = []string{"csv", "xlsx", "pdf"}
	Languages = []string{"en", "ru", "zh"}
)

// Limits of the report's lists, so a page stays readable.
const (
	topDrivers    = 5
	topPainPoints = 5
	topEmployees  = 5
	maxRangeDays  = 3660
)

// Request asks for one report: the workspace's local days [From, To].
type Request struct {
	WorkspaceID int64
	From, To    store.Day
	Format      string
	Lang        string
	// MinEmployeeSample is the answers an employee needs to be ranked; 0
	// means metrics.DefaultMinEmployeeSample.
	MinEmployeeSample int
	// Filters keep only feedback whose dimension values are listed (keys
	// from FilterDims), as the metrics API's filter[…]. They narrow the
	// KPIs, trend, drivers, pain points, journey map and employees;
	// response rates, business figures, revenue at risk and cases stay
	// workspace-wide (the cover page says so).
	Filters map[string][]string
}

// FilterDims are the dimensions a report can be filtered by.
var FilterDims = []string{"channel", "region", "segment"}

// InvalidError names the request field at fault.
type InvalidError struct{ Field, Message string }

func (e *InvalidError) Error() string { return e.Field + ": " + e.Message }

// Validate checks the request.
func (r Request) Validate() error {
	switch {
	case !slices.Contains(Formats, r.Format):
		return &InvalidError{"format", fmt.Sprintf("unknown format %q; one of csv, xlsx, pdf", r.Format)}
	case !slices.Contains(Languages, r.Lang):
		return &InvalidError{"lang", fmt.Sprintf("unknown language %q; one of en, ru, zh", r.Lang)}
	case r.To < r.From:
		return &InvalidError{"to", "is before from"}
	case int(r.To-r.From)+1 > maxRangeDays:
		return &InvalidError{"from", fmt.Sprintf("the range is longer than %d days", maxRangeDays)}
	}
	for d, vals := range r.Filters {
		if !slices.Contains(FilterDims, d) {
			return &InvalidError{"filter[" + d + "]", fmt.Sprintf("unknown filter %q; one of channel, region, segment", d)}
		}
		if len(vals) > 50 {
			return &InvalidError{"filter[" + d + "]", "at most 50 values"}
		}
	}
	return nil
}

// KPI is one headline metric over the period with its change against the
// period of equal length before it.
type KPI struct {
	Metric string           `json:"metric"` // nps, csat, ces, sentiment
	Value  metrics.Estimate `json:"value"`
	Prev   *float64         `json:"prev"` // nil when the previous period had no sample
	Change *metrics.Change  `json:"change"`
}

// TrendPoint is one week of a metric.
type TrendPoint struct {
	Week string           `json:"week"`
	NPS  metrics.Estimate `json:"nps"`
}

// ResponseRate is the invitation funnel of one channel.
type ResponseRate struct {
	Channel   string           `json:"channel"`
	Sent      int              `json:"sent"`
	Delivered int              `json:"delivered"`
	Answered  int              `json:"answered"`
	Rate      metrics.Estimate `json:"rate"`
}

// Employee is a praised employee: ranked by the lower bound of their NPS
// interval, so luck does not win.
type Employee struct {
	Name  string                `json:"name"`
	Score metrics.EmployeeScore `json:"score"`
}

// Data is everything a report shows, independent of the format.
type Data struct {
	Workspace     string                        `json:"workspace"`
	From          string                        `json:"from"`
	To            string                        `json:"to"`
	Lang          string                        `json:"lang"`
	Filters       map[string][]string           `json:"filters,omitempty"`
	GeneratedAt   time.Time                     `json:"generated_at"`
	KPIs          []KPI                         `json:"kpis"`
	Trend         []TrendPoint                  `json:"trend"`
	ResponseRates []ResponseRate                `json:"response_rates"`
	Drivers       []metrics.Driver              `json:"drivers"`
	PainPoints    []metrics.PainPoint           `json:"pain_points"`
	Journey       insights.JourneyMap           `json:"journey"`
	Business      *business.PeriodFigures       `json:"business"`
	Currency      string                        `json:"currency"`        // the reporting currency of every amount
	Unconverted   []business.Unconverted        `json:"unconverted"`     // transactions left out for want of a rate
	RevenueAtRisk *business.RevenueAtRiskResult `json:"revenue_at_risk"` // nil without a churn model
	ChurnAUC      *float64                      `json:"churn_auc"`
	Cases         store.CaseSLAStats            `json:"cases"`
	Employees     []Employee                    `json:"employees"`
}

// kpiMetrics are the headline metrics in the order the report shows them.
var kpiMetrics = []string{"nps", "csat", "ces", "sentiment"}

// Collect gathers the report's numbers. now stamps the report (the caller's
// clock, so golden tests are stable).
func Collect(ctx context.Context, db *store.DB, req Request, now time.Time) (*Data, error) {
	if err := req.Validate(); err != nil {
		return nil, err
	}
	ws, err := db.Workspace(ctx, req.WorkspaceID)
	if err != nil {
		return nil, err
	}
	loc := store.LoadLocation(ws.Timezone)
	ins := &insights.Service{DB: db, Now: func() time.Time { return now }}
	biz := &business.Service{DB: db, Now: func() time.Time { return now }}
	filters := map[string][]string{}
	for dim, vals := range req.Filters {
		if len(vals) > 0 {
			filters[dim] = vals
		}
	}
	if len(filters) == 0 {
		filters = nil
	}
	d := &Data{Workspace: ws.Name, From: req.From.String(), To: req.To.String(), Lang: req.Lang, Filters: filters, GeneratedAt: now.UTC()}

	for _, m := range kpiMetrics {
		res, err := ins.Metric(ctx, req.WorkspaceID, insights.Query{Metric: m, From: req.From, To: req.To, Filters: filters})
		if err != nil {
			return nil, fmt.Errorf("report %s: %w", m, err)
		}
		k := KPI{Metric: m}
		if len(res.Groups) > 0 {
			g := res.Groups[0]
			k.Value = metrics.Estimate{Value: g.Value, CILow: g.CILow, CIHigh: g.CIHigh, N: g.N}
			if g.Change != nil {
				prev := g.Value - g.Change.Value
				k.Prev, k.Change = &prev, g.Change
			}
		}
		d.KPIs = append(d.KPIs, k)
	}

	trend, err := ins.Metric(ctx, req.WorkspaceID, insights.Query{Metric: "nps", Grain: metrics.GrainWeek, From: req.From, To: req.To, Filters: filters})
	if err != nil {
		return nil, fmt.Errorf("report trend: %w", err)
	}
	for _, g := range trend.Groups {
		d.Trend = append(d.Trend, TrendPoint{Week: g.Key[metrics.GrainWeek], NPS: metrics.Estimate{Value: g.Value, CILow: g.CILow, CIHigh: g.CIHigh, N: g.N}})
	}

	start, end := req.From.Start(loc), (req.To + 1).Start(loc)
	funnel, err := db.InvitationFunnelByChannel(ctx, req.WorkspaceID, start, end)
	if err != nil {
		return nil, err
	}
	for _, f := range funnel {
		d.ResponseRates = append(d.ResponseRates, ResponseRate{Channel: f.Channel, Sent: f.Sent, Delivered: f.Delivered,
			Answered: f.Answered, Rate: metrics.ResponseRate(f.Answered, f.Delivered)})
	}

	drv, err := ins.FilteredDrivers(ctx, req.WorkspaceID, req.From, req.To, filters)
	if err != nil {
		return nil, fmt.Errorf("report drivers: %w", err)
	}
	d.Drivers = drv.Drivers[:min(len(drv.Drivers), topDrivers)]
	pains := metrics.PainPoints(drv.Drivers)
	d.PainPoints = pains[:min(len(pains), topPainPoints)]

	if d.Journey, err = ins.FilteredJourneyMap(ctx, req.WorkspaceID, req.From, req.To, filters); err != nil {
		return nil, fmt.Errorf("report journey: %w", err)
	}

	sum, err := biz.Summary(ctx, req.WorkspaceID, business.SummaryQuery{From: req.From, To: req.To})
	if err != nil {
		return nil, fmt.Errorf("report business: %w", err)
	}
	d.Business, d.Currency, d.Unconverted = &sum.Overall, sum.Currency, sum.Unconverted
	rar, err := biz.RevenueAtRisk(ctx, req.WorkspaceID, "segment")
	switch {
	case errors.Is(err, business.ErrNoModel):
	case err != nil:
		return nil, fmt.Errorf("report revenue at risk: %w", err)
	default:
		d.RevenueAtRisk = &rar
		if m, err := biz.Model(ctx, req.WorkspaceID); err == nil {
			d.ChurnAUC = m.AUC
		}
	}

	if d.Cases, err = db.CaseSLA(ctx, req.WorkspaceID, start, end); err != nil {
		return nil, err
	}
	if d.Employees, err = praised(ctx, db, ins, req, filters); err != nil {
		return nil, err
	}
	return d, nil
}

// praised ranks employees by the lower bound of their adjusted NPS interval
// and keeps the top ones with a sufficient sample.
func praised(ctx context.Context, db *store.DB, ins *insights.Service, req Request, filters map[string][]string) ([]Employee, error) {
	res, err := ins.Metric(ctx, req.WorkspaceID, insights.Query{Metric: "nps", By: []string{"employee"}, From: req.From, To: req.To, Filters: filters})
	if err != nil {
		return nil, fmt.Errorf("report employees: %w", err)
	}
	emps, err := db.Employees(ctx, req.WorkspaceID)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, e := range emps {
		names[strconv.FormatInt(e.ID, 10)] = e.Name
	}
	var rows []metrics.EmployeeNPSCounts
	for _, g := range res.Groups {
		id := g.Key["employee"]
		if id == "" || names[id] == "" {
			continue
		}
		rows = append(rows, metrics.EmployeeNPSCounts{Employee: id, Promoters: count(g.Detail["promoters"]),
			Passives: count(g.Detail["passives"]), Detractors: count(g.Detail["detractors"])})
	}
	lb := metrics.RankEmployeesNPS(rows, req.MinEmployeeSample)
	var out []Employee
	for _, s := range lb.Ranked[:min(len(lb.Ranked), topEmployees)] {
		out = append(out, Employee{Name: names[s.Employee], Score: s})
	}
	return out, nil
}

func count(v any) int {
	switch n := v.(type) {
	case int:
		return n
	case int64:
		return int(n)
	case float64:
		return int(n)
	}
	return 0
}
