package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"vox/internal/auth"
	"vox/internal/insights"
	"vox/internal/metrics"
	"vox/internal/store"
)

// overviewDims are the overview's filters: URL parameter → rollup dimension.
// The item language is text_lang because ?lang= switches the UI language.
var overviewDims = []struct{ param, dim string }{
	{"channel", "channel"}, {"region", "region"}, {"segment", "segment"}, {"touchpoint", "touchpoint"},
	{"stage", "stage"}, {"text_lang", "lang"},
}

// overviewMetrics are the cards, in order, with their charts' scale.
var overviewMetrics = []struct {
	name             string
	domainLo, domain float64
	step             float64
}{
	{"nps", -100, 100, 10}, {"csat", 0, 100, 10}, {"ces", 1, 7, 0.5}, {"sentiment", -100, 100, 10},
}

// metricCard is one headline metric: value, 95 % CI, n, change against the
// previous period of equal length and the weekly trend.
type metricCard struct {
	Metric     string
	Has        bool
	Value      float64
	CILow      float64
	CIHigh     float64
	N          int
	Change     *metrics.Change
	Trend      lineChart
	Definition string // catalog key
	PrevDays   int
	ExactValue string // full precision, for tests and integrators comparing with the API
}

// overviewData is the overview's content.
type overviewData struct {
	Filter        url.Values
	From, To      string
	Days          int
	Cards         []metricCard
	Channels      []string
	Stages        []string
	Langs         []string
	Regions       []string
	Segments      []string
	Touchpoints   []string
	Customers     int
	ShowCustomers bool
	Recent        []feedbackRow
	OwnOnly       bool
	NoEmployee    bool
	APIQuery      string // the same question as GET /api/v1/metrics/nps?…
}

func (s *Server) insights() *insights.Service { return &insights.Service{DB: s.db, Now: s.now} }

// dayRange reads from/to (local dates of the workspace, inclusive) like the
// metrics API does: missing ones give the last 30 days up to today.
func (s *Server) dayRange(q url.Values, rc *reqCtx) (from, to store.Day, err error) {
	from, to = insights.DefaultRange(s.insights().Today(workspaceLocation(rc.Workspace)))
	if v := q.Get("to"); v != "" {
		if to, err = store.ParseDay(v); err != nil {
			return 0, 0, errBadRequest
		}
		if q.Get("from") == "" {
			from, _ = insights.DefaultRange(to)
		}
	}
	if v := q.Get("from"); v != "" {
		if from, err = store.ParseDay(v); err != nil {
			return 0, 0, errBadRequest
		}
	}
	if to < from || to-from+1 > insights.MaxRangeDays {
		return 0, 0, errBadRequest
	}
	return from, to, nil
}

// metricFilters turns the overview's URL filters into rollup filters.
func metricFilters(q url.Values) (map[string][]string, url.Values) {
	filters := map[string][]string{}
	kept := url.Values{}
	for _, d := range overviewDims {
		if v := q.Get(d.param); v != "" {
			filters[d.dim] = []string{v}
			kept.Set(d.param, v)
		}
	}
	return filters, kept
}

// ownEmployee returns the employee the request is limited to: 0 when the
// role sees everything; ok is false when it may see nothing.
func (s *Server) ownEmployee(ctx context.Context, rc *reqCtx) (id int64, own, ok bool, err error) {
	var f store.FeedbackFilter
	own, ok, err = s.scopeToEmployee(ctx, rc, &f)
	return f.EmployeeID, own, ok, err
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	from, to, err := s.dayRange(q, rc)
	if err != nil {
		return err
	}
	filters, kept := metricFilters(q)
	for _, p := range []string{"from", "to"} {
		if v := q.Get(p); v != "" {
			kept.Set(p, v)
		}
	}
	data := overviewData{Filter: kept, From: from.String(), To: to.String(), Days: int(to - from + 1),
		Channels: store.Channels, Stages: store.JourneyStages, Langs: languages, ShowCustomers: rc.Can(auth.ViewCustomers)}
	emp, own, ok, err := s.ownEmployee(ctx, rc)
	if err != nil {
		return err
	}
	data.OwnOnly, data.NoEmployee = own, !ok
	if !ok {
		s.render(w, r, rc, http.StatusOK, "overview", "overview", rc.L.T("overview.title"), data)
		return nil
	}
	if emp > 0 {
		filters["employee"] = []string{strconv.FormatInt(emp, 10)}
	}
	svc := s.insights()
	for _, m := range overviewMetrics {
		card, err := s.metricCard(ctx, rc, svc, m.name, from, to, filters, m.domainLo, m.domain, m.step)
		if err != nil {
			return err
		}
		data.Cards = append(data.Cards, card)
	}
	// Filter choices: the values seen in the period, busiest first.
	for _, opt := range []struct {
		dim string
		dst *[]string
	}{{"region", &data.Regions}, {"segment", &data.Segments}, {"touchpoint", &data.Touchpoints}} {
		base := map[string][]string{}
		if emp > 0 {
			base["employee"] = filters["employee"]
		}
		res, err := svc.Metric(ctx, rc.Workspace.ID, insights.Query{Metric: "volume", By: []string{opt.dim}, From: from, To: to, Filters: base})
		if err != nil {
			return err
		}
		for _, g := range res.Groups {
			if v := g.Key[opt.dim]; v != "" {
				*opt.dst = append(*opt.dst, v)
			}
		}
		// A value chosen in the URL stays selectable even when the period lacks it.
		if v := q.Get(opt.dim); v != "" && !slices.Contains(*opt.dst, v) {
			*opt.dst = append(*opt.dst, v)
		}
	}
	api := url.Values{"from": {data.From}, "to": {data.To}}
	for d, vs := range filters {
		api.Set("filter["+d+"]", vs[0])
	}
	data.APIQuery = api.Encode()
	f := store.FeedbackFilter{Limit: 5, EmployeeID: emp}
	page, err := s.db.ListFeedback(ctx, rc.Workspace.ID, f)
	if err != nil {
		return err
	}
	if data.Recent, err = s.feedbackRows(ctx, rc, page.Items); err != nil {
		return err
	}
	if data.ShowCustomers {
		if data.Customers, err = s.db.CountCustomers(ctx, rc.Workspace.ID); err != nil {
			return err
		}
	}
	s.render(w, r, rc, http.StatusOK, "overview", "overview", rc.L.T("overview.title"), data)
	return nil
}

// metricCard reads one metric for the period (with the change against the
// period before) and its weekly trend, from the rollups.
func (s *Server) metricCard(ctx context.Context, rc *reqCtx, svc *insights.Service, metric string, from, to store.Day,
	filters map[string][]string, lo, hi, step float64) (metricCard, error) {
	card := metricCard{Metric: metric, Definition: "metric." + metric + ".def", PrevDays: int(to - from + 1)}
	res, err := svc.Metric(ctx, rc.Workspace.ID, insights.Query{Metric: metric, From: from, To: to, Filters: filters})
	if err != nil {
		return card, err
	}
	if len(res.Groups) > 0 {
		g := res.Groups[0]
		card.Has, card.Value, card.CILow, card.CIHigh, card.N, card.Change = true, g.Value, g.CILow, g.CIHigh, g.N, g.Change
		card.ExactValue = strconv.FormatFloat(g.Value, 'g', -1, 64)
	}
	weekly, err := svc.Metric(ctx, rc.Workspace.ID, insights.Query{Metric: metric, Grain: metrics.GrainWeek, From: from, To: to, Filters: filters})
	if err != nil {
		return card, err
	}
	pts := make([]chartPoint, 0, len(weekly.Groups))
	for _, g := range weekly.Groups {
		d, err := store.ParseDay(g.Key[metrics.GrainWeek])
		if err != nil {
			return card, err
		}
		pts = append(pts, chartPoint{Label: rc.L.DayMonth(d.Date()), Value: g.Value, Lo: g.CILow, Hi: g.CIHigh, N: g.N})
	}
	card.Trend = newLineChart(pts, 320, 120, lo, hi, step, true, rc.L.T("overview.trend", rc.L.Label("metric", metric)), rc.L.Dec)
	return card, nil
}
