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

// journeyRoutes lists the journey map.
func (s *Server) journeyRoutes() []route {
	return []route{
		{method: "GET", path: "/journey", perms: []auth.Permission{auth.ViewJourney}, handle: s.journeyPage},
	}
}

// journeyMetrics are what the heat map can be coloured by (?metric=).
var journeyMetrics = []string{"nps", "csat", "sentiment", "volume"}

// journeyFilters are the map's filters: URL parameter = rollup dimension.
var journeyFilters = []string{"channel", "region", "segment"}

// journeyMinSample is the sample below which a cell's colour is muted and
// marked: its value is shown but too uncertain to compare at a glance.
const journeyMinSample = 10

// journeyCell is one stage × touchpoint of the heat map, for the chosen metric.
type journeyCell struct {
	Has      bool // the metric has a sample here
	Volume   int
	Value    float64
	CILow    float64
	CIHigh   float64
	N        int
	Heat     string // colour band class; "" without data
	LowN     bool
	Expected bool // the touchpoint is configured for this stage
	Topics   []insights.TopicCount
	Exact    string // full precision, for tests and integrators comparing with the API
}

// journeyColumn is a stage of the map (a column).
type journeyColumn struct {
	Key, Name  string
	Configured bool
}

// journeyRow is a touchpoint of the map with a cell per stage.
type journeyRow struct {
	Key, Name, Type string
	Configured      bool
	Cells           []journeyCell
}

// driverRow is a key driver drawn with its interval.
type driverRow struct {
	metrics.Driver
	Bar ciBar
}

// painGroup is the pain points of one stage or touchpoint.
type painGroup struct {
	Name   string
	NPS    metrics.NPSResult
	Points []metrics.PainPoint
}

// journeyData is the journey page's content.
type journeyData struct {
	Filter           url.Values
	From, To         string
	Days             int
	Metric           string
	Metrics          []string
	MetricLinks      map[string]string // metric → this page's URL showing it
	Channels         []string
	Regions          []string
	Segments         []string
	Stages           []journeyColumn
	Rows             []journeyRow
	Filled           int // cells with any feedback
	MinSample        int
	ShowCI           bool
	Legend           []heatLegend
	Drivers          []driverRow
	DriverAnswers    int
	DriversTruncated bool
	PainBy           string
	PainLinks        map[string]string
	Pain             []painGroup
	Filtered         bool   // channel/region/segment set: the API line names the metrics query
	APIQuery         string // the same map as GET /api/v1/journey/map?… (without filters) …
	MetricsAPIQuery  string // … or GET /api/v1/metrics/{metric}?by=stage,touchpoint&… (with them)
}

func (s *Server) journeyPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	ctx := r.Context()
	q := r.URL.Query()
	from, to, err := s.dayRange(q, rc)
	if err != nil {
		return err
	}
	metric := q.Get("metric")
	if metric == "" {
		metric = "nps"
	}
	painBy := q.Get("pain")
	if painBy == "" {
		painBy = "stage"
	}
	if !slices.Contains(journeyMetrics, metric) || (painBy != "stage" && painBy != "touchpoint") {
		return errBadRequest
	}
	kept := url.Values{}
	filters := map[string][]string{}
	for _, d := range journeyFilters {
		if v := q.Get(d); v != "" {
			filters[d] = []string{v}
			kept.Set(d, v)
		}
	}
	for _, p := range []string{"from", "to"} {
		if v := q.Get(p); v != "" {
			kept.Set(p, v)
		}
	}
	data := journeyData{Filter: kept, From: from.String(), To: to.String(), Days: int(to - from + 1), Metric: metric,
		Metrics: journeyMetrics, Channels: store.Channels, MinSample: journeyMinSample, PainBy: painBy,
		ShowCI: metric != "volume", Filtered: len(filters) > 0}
	data.MetricLinks = map[string]string{}
	for _, m := range journeyMetrics {
		data.MetricLinks[m] = journeyURL(kept, m, painBy)
	}
	data.PainLinks = map[string]string{"stage": journeyURL(kept, metric, "stage"), "touchpoint": journeyURL(kept, metric, "touchpoint")}

	svc := s.insights()
	ws := rc.Workspace.ID
	m, err := svc.FilteredJourneyMap(ctx, ws, from, to, filters)
	if err != nil {
		return err
	}
	data.Stages, data.Rows, data.Filled = journeyGrid(rc.L, m, metric)
	data.Legend = heatLegendFor(rc.L, metric)
	if data.Regions, err = s.dimValues(ctx, ws, "region", from, to, q.Get("region")); err != nil {
		return err
	}
	if data.Segments, err = s.dimValues(ctx, ws, "segment", from, to, q.Get("segment")); err != nil {
		return err
	}

	drv, err := svc.FilteredDrivers(ctx, ws, from, to, filters)
	if err != nil {
		return err
	}
	data.DriverAnswers, data.DriversTruncated = drv.Answers, drv.Truncated
	for _, d := range drv.Drivers {
		data.Drivers = append(data.Drivers, driverRow{Driver: d, Bar: newCIBar(d.Effect, d.CILow, d.CIHigh, -100, 100)})
	}
	pp, err := svc.FilteredPainPoints(ctx, ws, from, to, painBy, filters)
	if err != nil {
		return err
	}
	names := journeyNames(rc.L, m)
	for _, g := range pp.Groups {
		key := g.Key[painBy]
		name := names[painBy+"\x00"+key]
		if name == "" {
			name = journeyName(rc.L, painBy, key, "")
		}
		data.Pain = append(data.Pain, painGroup{Name: name, NPS: g.NPS, Points: g.PainPoints})
	}

	api := url.Values{"from": {data.From}, "to": {data.To}}
	data.APIQuery = api.Encode()
	api.Set("by", "stage,touchpoint")
	for d, vs := range filters {
		api.Set("filter["+d+"]", vs[0])
	}
	data.MetricsAPIQuery = api.Encode()
	s.render(w, r, rc, http.StatusOK, "journey", "journey", rc.L.T("journey.title"), data)
	return nil
}

// journeyURL is the journey page with the kept filters and the given switches.
func journeyURL(kept url.Values, metric, painBy string) string {
	v := cloneValues(kept)
	if metric != "nps" {
		v.Set("metric", metric)
	}
	if painBy != "stage" {
		v.Set("pain", painBy)
	}
	if len(v) == 0 {
		return "/journey"
	}
	return "/journey?" + v.Encode()
}

// dimValues lists a dimension's values seen in the period, busiest first;
// the value chosen in the URL stays selectable even when the period lacks it.
func (s *Server) dimValues(ctx context.Context, ws int64, dim string, from, to store.Day, chosen string) ([]string, error) {
	res, err := s.insights().Metric(ctx, ws, insights.Query{Metric: "volume", By: []string{dim}, From: from, To: to})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, g := range res.Groups {
		if v := g.Key[dim]; v != "" {
			out = append(out, v)
		}
	}
	if chosen != "" && !slices.Contains(out, chosen) {
		out = append(out, chosen)
	}
	return out, nil
}

// journeyName is what the page calls a stage or touchpoint: the name the
// workspace configured, else the catalog's label for a known key, else the
// key itself; feedback without one is "not assigned".
func journeyName(l *Localizer, kind, key, configured string) string {
	switch {
	case configured != "":
		return configured
	case key == "":
		return l.T("journey.unassigned")
	case kind == "stage":
		return l.Label("stage", key)
	}
	return l.Label("journey.tp", key)
}

// journeyNames maps "stage\x00key" and "touchpoint\x00key" to display names.
func journeyNames(l *Localizer, m insights.JourneyMap) map[string]string {
	out := map[string]string{}
	for _, st := range m.Stages {
		out["stage\x00"+st.Key] = journeyName(l, "stage", st.Key, st.Name)
	}
	for _, tp := range m.Touchpoints {
		out["touchpoint\x00"+tp.Key] = journeyName(l, "touchpoint", tp.Key, tp.Name)
	}
	return out
}

// journeyGrid lays the map out as touchpoint rows × stage columns with the
// chosen metric in each cell; filled counts the cells with any feedback.
func journeyGrid(l *Localizer, m insights.JourneyMap, metric string) (cols []journeyColumn, rows []journeyRow, filled int) {
	names := journeyNames(l, m)
	stageIndex := map[string]int{}
	for i, st := range m.Stages {
		stageIndex[st.Key] = i
		cols = append(cols, journeyColumn{Key: st.Key, Name: names["stage\x00"+st.Key], Configured: st.Configured})
	}
	tpIndex := map[string]int{}
	for i, tp := range m.Touchpoints {
		tpIndex[tp.Key] = i
		row := journeyRow{Key: tp.Key, Name: names["touchpoint\x00"+tp.Key], Type: tp.Type, Configured: tp.Configured,
			Cells: make([]journeyCell, len(m.Stages))}
		for _, st := range tp.Stages {
			if j, ok := stageIndex[st]; ok {
				row.Cells[j].Expected = true
			}
		}
		rows = append(rows, row)
	}
	maxVolume := 0
	for _, c := range m.Cells {
		maxVolume = max(maxVolume, c.Volume)
	}
	for _, c := range m.Cells {
		cell := &rows[tpIndex[c.Touchpoint]].Cells[stageIndex[c.Stage]]
		cell.Volume, cell.Topics = c.Volume, c.TopTopics
		filled++
		var e insights.Score
		switch metric {
		case "nps":
			e = c.NPS
		case "csat":
			e = c.CSAT
		case "sentiment":
			e = c.Sentiment
		case "volume":
			e = insights.Score{Value: float64(c.Volume), N: c.Volume}
		}
		if e.N == 0 {
			continue
		}
		cell.Has, cell.Value, cell.CILow, cell.CIHigh, cell.N = true, e.Value, e.CILow, e.CIHigh, e.N
		cell.Exact = strconv.FormatFloat(e.Value, 'g', -1, 64)
		cell.LowN = metric != "volume" && e.N < journeyMinSample
		cell.Heat = heatClass(metric, e.Value, maxVolume)
	}
	return cols, rows, filled
}

// heatBands are each metric's colour band edges: a value below edges[i]
// falls in band i, at or above the last in band len(edges). NPS and the
// sentiment index span −100..100; CSAT is a top-two-box share in percent,
// where the bands follow common benchmarks (under 50 % is poor, 85 %+ good).
var heatBands = map[string][]float64{
	"nps":       {-50, -20, 0, 20, 50},
	"sentiment": {-50, -20, 0, 20, 50},
	"csat":      {50, 65, 75, 85, 92},
	"volume":    {0.2, 0.4, 0.7}, // share of the busiest cell
}

// heatClass returns the CSS class colouring a cell: heat-0 (worst) … heat-5
// (best) for scores, vol-0 … vol-3 for volume.
func heatClass(metric string, v float64, maxVolume int) string {
	prefix := "heat-"
	if metric == "volume" {
		prefix = "vol-"
		if maxVolume > 0 {
			v /= float64(maxVolume)
		}
	}
	edges := heatBands[metric]
	band := len(edges)
	for i, e := range edges {
		if v < e {
			band = i
			break
		}
	}
	return prefix + strconv.Itoa(band)
}

// heatLegend is one colour band with the range it stands for, in words.
type heatLegend struct {
	Class, Label string
}

// heatLegendFor lists the metric's bands, worst first.
func heatLegendFor(l *Localizer, metric string) []heatLegend {
	edges := heatBands[metric]
	prefix, num := "heat-", l.Int
	if metric == "volume" {
		prefix = "vol-"
		num = func(v float64) string { return l.Pct(v) }
	}
	out := make([]heatLegend, 0, len(edges)+1)
	for i := 0; i <= len(edges); i++ {
		var label string
		switch {
		case i == 0:
			label = l.T("journey.legend.below", num(edges[0]))
		case i == len(edges):
			label = l.T("journey.legend.above", num(edges[i-1]))
		default:
			label = l.T("journey.legend.between", num(edges[i-1]), num(edges[i]))
		}
		out = append(out, heatLegend{Class: prefix + strconv.Itoa(i), Label: label})
	}
	return out
}
