package web

import (
	"cmp"
	"context"
	"errors"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"

	"vox/internal/auth"
	"vox/internal/insights"
	"vox/internal/metrics"
	"vox/internal/store"
)

// overviewDims are the overview's filters, in the form's order: URL
// parameter → rollup dimension. The item language is text_lang because
// ?lang= switches the UI language; employee and survey are ids.
var overviewDims = []struct{ param, dim string }{
	{"channel", "channel"}, {"region", "region"}, {"segment", "segment"}, {"touchpoint", "touchpoint"},
	{"stage", "stage"}, {"employee", "employee"}, {"survey", "survey"}, {"topic", "topic"}, {"text_lang", "lang"},
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
	Employees     []filterOption // empty for a viewer limited to their own feedback
	Surveys       []filterOption
	Topics        []string
	Customers     int
	ShowCustomers bool
	Recent        []feedbackRow
	OwnOnly       bool
	NoEmployee    bool
	APIQuery      string // the same question as GET /api/v1/metrics/nps?…
	Mentions      mentionsCard
	// The cards below cover the whole workspace: they are left out for a
	// viewer limited to their own customers' feedback.
	Workspace bool
	Rates     ratesCard
	Cases     casesCard
	Pain      painCard
	Revenue   revenueCard
}

// filterOption is a choice of a filter whose value is an id.
type filterOption struct {
	Value, Label string
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

// metricFilters turns the overview's URL filters into rollup filters; an
// employee or survey that is not an id is a bad request.
func metricFilters(q url.Values) (map[string][]string, url.Values, error) {
	filters := map[string][]string{}
	kept := url.Values{}
	for _, d := range overviewDims {
		v := q.Get(d.param)
		if v == "" {
			continue
		}
		if d.dim == "employee" || d.dim == "survey" {
			if id, err := strconv.ParseInt(v, 10, 64); err != nil || id <= 0 || strconv.FormatInt(id, 10) != v {
				return nil, nil, errBadRequest
			}
		}
		filters[d.dim] = []string{v}
		kept.Set(d.param, v)
	}
	return filters, kept, nil
}

// parallel runs fns at once and returns their errors joined. The overview's
// sections read different rollups and tables; on two cores with a pool of
// readers, side by side they keep the page within its time budget.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errors.Join(errs...)
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
	filters, kept, err := metricFilters(q)
	if err != nil {
		return err
	}
	data := overviewData{From: from.String(), To: to.String(), Days: int(to - from + 1),
		Channels: store.Channels, Stages: store.JourneyStages, Langs: languages, ShowCustomers: rc.Can(auth.ViewCustomers)}
	emp, own, ok, err := s.ownEmployee(ctx, rc)
	if err != nil {
		return err
	}
	data.OwnOnly, data.NoEmployee, data.Workspace = own, !ok, !own
	if !ok {
		data.Filter = kept
		s.render(w, r, rc, http.StatusOK, "overview", "overview", rc.L.T("overview.title"), data)
		return nil
	}
	if own {
		// The own employee replaces any employee asked for in the URL.
		kept.Del("employee")
		filters["employee"] = []string{strconv.FormatInt(emp, 10)}
	}
	filterURL := cloneValues(kept)
	for _, p := range []string{"from", "to"} {
		if v := q.Get(p); v != "" {
			filterURL.Set(p, v)
		}
	}
	data.Filter = filterURL
	loc := workspaceLocation(rc.Workspace)
	view := &overviewView{rc: rc, from: from, to: to, start: from.Start(loc), end: (to + 1).Start(loc), kept: kept, filters: filters}
	svc := s.insights()
	var tasks []func() error
	tasks = append(tasks, func() (err error) {
		data.Cards, err = s.metricCards(ctx, rc, svc, from, to, filters)
		return err
	})
	// Filter choices: the values seen in the period, busiest first.
	base := map[string][]string{}
	if own {
		base["employee"] = filters["employee"]
	}
	for _, opt := range []struct {
		param, dim string
		dst        *[]string
	}{{"region", "region", &data.Regions}, {"segment", "segment", &data.Segments},
		{"touchpoint", "touchpoint", &data.Touchpoints}, {"topic", "topic", &data.Topics}} {
		tasks = append(tasks, func() (err error) {
			*opt.dst, err = s.seenValues(ctx, rc.Workspace.ID, opt.dim, from, to, base, q.Get(opt.param))
			return err
		})
	}
	tasks = append(tasks,
		func() (err error) {
			data.Surveys, err = s.surveyOptions(ctx, rc.Workspace.ID, kept.Get("survey"))
			return err
		},
		func() error {
			page, err := s.db.ListFeedback(ctx, rc.Workspace.ID, store.FeedbackFilter{Limit: 5, EmployeeID: emp})
			if err != nil {
				return err
			}
			data.Recent, err = s.feedbackRows(ctx, rc, page.Items)
			return err
		},
		func() (err error) {
			data.Mentions, err = s.mentionVolume(ctx, view)
			return err
		})
	if data.ShowCustomers {
		tasks = append(tasks, func() (err error) {
			data.Customers, err = s.db.CountCustomers(ctx, rc.Workspace.ID)
			return err
		})
	}
	if data.Workspace {
		tasks = append(tasks,
			func() (err error) {
				data.Employees, err = s.employeeOptions(ctx, rc.Workspace.ID)
				return err
			},
			func() (err error) {
				data.Rates, err = s.responseRates(ctx, view)
				return err
			},
			func() (err error) {
				data.Cases, err = s.caseSLA(ctx, view)
				return err
			},
			func() (err error) {
				data.Pain, err = s.painPoints(ctx, view)
				return err
			},
			func() (err error) {
				data.Revenue, err = s.revenueAtRisk(ctx, view)
				return err
			})
	}
	if err := parallel(tasks...); err != nil {
		return err
	}
	api := url.Values{"from": {data.From}, "to": {data.To}}
	for d, vs := range filters {
		api.Set("filter["+d+"]", vs[0])
	}
	data.APIQuery = api.Encode()
	s.render(w, r, rc, http.StatusOK, "overview", "overview", rc.L.T("overview.title"), data)
	return nil
}

// seenValues lists the values of dim in the period's items (within base),
// busiest first, plus chosen when the period lacks it so that it stays
// selectable. One rollup read: the choices need no change or interval.
func (s *Server) seenValues(ctx context.Context, ws int64, dim string, from, to store.Day, base map[string][]string, chosen string) ([]string, error) {
	rows, err := s.db.RollupCounts(ctx, ws, store.RollupQuery{From: from, To: to, Dims: []string{dim}, Filters: base, Metric: "volume"})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(rows, func(a, b store.RollupRow) int {
		return cmp.Or(cmp.Compare(b.Counts.Items, a.Counts.Items), cmp.Compare(a.Key[0], b.Key[0]))
	})
	var out []string
	for _, r := range rows {
		if v := r.Key[0]; v != "" && r.Counts.Items > 0 {
			out = append(out, v)
		}
	}
	if chosen != "" && !slices.Contains(out, chosen) {
		out = append(out, chosen)
	}
	return out, nil
}

// employeeOptions are the workspace's employees by name.
func (s *Server) employeeOptions(ctx context.Context, ws int64) ([]filterOption, error) {
	emps, err := s.db.Employees(ctx, ws)
	if err != nil {
		return nil, err
	}
	out := make([]filterOption, 0, len(emps))
	for _, e := range emps {
		out = append(out, filterOption{Value: strconv.FormatInt(e.ID, 10), Label: e.Name})
	}
	return out, nil
}

// maxSurveyOptions bounds the survey filter's list (newest first).
const maxSurveyOptions = 100

// surveyOptions are the workspace's surveys, newest first, plus the chosen
// id when it is not among them (it then shows as the id).
func (s *Server) surveyOptions(ctx context.Context, ws int64, chosen string) ([]filterOption, error) {
	surveys, err := s.db.Surveys(ctx, ws, maxSurveyOptions)
	if err != nil {
		return nil, err
	}
	out := make([]filterOption, 0, len(surveys)+1)
	found := chosen == ""
	for _, sv := range surveys {
		id := strconv.FormatInt(sv.ID, 10)
		out = append(out, filterOption{Value: id, Label: sv.Name})
		found = found || id == chosen
	}
	if !found {
		out = append(out, filterOption{Value: chosen, Label: "#" + chosen})
	}
	return out, nil
}

// metricCards reads the headline metrics for the period (with the change
// against the period before) and their weekly trends, in one read of the
// rollups (insights.Metrics).
func (s *Server) metricCards(ctx context.Context, rc *reqCtx, svc *insights.Service, from, to store.Day,
	filters map[string][]string) ([]metricCard, error) {
	var qs []insights.Query
	for _, m := range overviewMetrics {
		qs = append(qs, insights.Query{Metric: m.name, From: from, To: to, Filters: filters},
			insights.Query{Metric: m.name, Grain: metrics.GrainWeek, From: from, To: to, Filters: filters})
	}
	res, err := svc.Metrics(ctx, rc.Workspace.ID, qs)
	if err != nil {
		return nil, err
	}
	cards := make([]metricCard, len(overviewMetrics))
	for i, m := range overviewMetrics {
		if cards[i], err = metricCardOf(rc, m.name, from, to, res[2*i], res[2*i+1], m.domainLo, m.domain, m.step); err != nil {
			return nil, err
		}
	}
	return cards, nil
}

// metricCardOf makes one metric's card from its answer for the period and
// its weekly answer.
func metricCardOf(rc *reqCtx, metric string, from, to store.Day, res, weekly insights.Result, lo, hi, step float64) (metricCard, error) {
	card := metricCard{Metric: metric, Definition: "metric." + metric + ".def", PrevDays: int(to - from + 1)}
	if len(res.Groups) > 0 {
		g := res.Groups[0]
		card.Has, card.Value, card.CILow, card.CIHigh, card.N, card.Change = true, g.Value, g.CILow, g.CIHigh, g.N, g.Change
		card.ExactValue = strconv.FormatFloat(g.Value, 'g', -1, 64)
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

// SignedCount formats a change of a count with its sign (− for negatives).
func (l *Localizer) SignedCount(v float64) string {
	n := int(math.Round(v))
	switch {
	case n == 0:
		return "±0"
	case n < 0:
		return "−" + l.Num(-n)
	}
	return "+" + l.Num(n)
}

// AUC formats a model's area under the ROC curve (0.5 is chance).
func (l *Localizer) AUC(v *float64) string { return l.printer.Sprintf("%.2f", *v) }
