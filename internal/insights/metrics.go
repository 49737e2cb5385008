// Package insights answers the questions dashboards ask — a metric sliced by
// dimensions and time, the journey map, key drivers and pain points — by
// turning the store's rollups into metric groups with the definitions of
// internal/metrics. It sits between the API (and web pages, reports) and the
// store, and never scans feedback_items: key drivers, which need each
// answer's topic set, read the rollup of answers per topic set (see Drivers).
package insights

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"vox/internal/metrics"
	"vox/internal/store"
)

// Service answers metric, journey and driver questions for a workspace.
type Service struct {
	DB  *store.DB
	Now func() time.Time // nil: time.Now
}

// Metric names accepted by Metric.
var MetricNames = []string{"nps", "csat", "ces", "sentiment", "volume"}

// Definitions are shown beside every number (DESIGN.md: definitions are part
// of the product).
var Definitions = map[string]string{
	"nps": "NPS = % promoters (9-10) − % detractors (0-6), from −100 to 100; 95 % CI from the trinomial variance; " +
		"change: z-test against the previous period.",
	"csat": "CSAT = % of answers in the top two points of their scale (4-5 of 5, 9-10 of 10) with a Wilson 95 % CI; " +
		"detail holds the mean per scale; change: two-proportion z-test.",
	"ces": "CES = mean effort on a 1-7 scale (1 very difficult … 7 very easy) with a t 95 % CI; detail holds % easy (5-7); " +
		"change: Welch t-test.",
	"sentiment": "Sentiment index = (positive − negative) / analysed items × 100, from −100 to 100, with a trinomial 95 % CI.",
	"volume": "Volume = number of feedback items; CI from the Poisson approximation; change: test of equal rates " +
		"(exact for periods of equal length).",
}

// Grains are the time grains a metric can be grouped by.
var Grains = []string{metrics.GrainDay, metrics.GrainWeek, metrics.GrainMonth}

// Limits on a query, so one request cannot ask for an unbounded answer.
const (
	MaxDims      = 2
	MaxRangeDays = 3660
	DefaultDays  = 30
)

// Query asks for one metric over the local days [From, To] of the
// workspace, grouped by up to MaxDims dimensions and optionally a time grain,
// keeping items whose dimension values are in Filters.
type Query struct {
	Metric  string
	By      []string
	Grain   string
	From    store.Day
	To      store.Day
	Filters map[string][]string
}

// InvalidError names the query parameter at fault; the API maps it to 400.
type InvalidError struct {
	Field   string
	Message string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Message }

func invalid(field, format string, args ...any) *InvalidError {
	return &InvalidError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// Validate checks q and returns an *InvalidError naming the bad field.
func (q Query) Validate() error {
	if !slices.Contains(MetricNames, q.Metric) {
		return invalid("metric", "unknown metric %q; one of %s", q.Metric, strings.Join(MetricNames, ", "))
	}
	if len(q.By) > MaxDims {
		return invalid("by", "at most %d dimensions besides a time grain", MaxDims)
	}
	for i, d := range q.By {
		if !slices.Contains(store.RollupDims, d) {
			return invalid("by", "unknown dimension %q; one of %s, or a grain %s", d,
				strings.Join(store.RollupDims, ", "), strings.Join(Grains, ", "))
		}
		if slices.Contains(q.By[:i], d) {
			return invalid("by", "dimension %q given twice", d)
		}
	}
	if q.Grain != "" && !slices.Contains(Grains, q.Grain) {
		return invalid("by", "unknown time grain %q; one of %s", q.Grain, strings.Join(Grains, ", "))
	}
	if q.To < q.From {
		return invalid("to", "is before from")
	}
	if q.To-q.From+1 > MaxRangeDays {
		return invalid("from", "the range is longer than %d days", MaxRangeDays)
	}
	for d, vals := range q.Filters {
		field := "filter[" + d + "]"
		if !slices.Contains(store.RollupDims, d) {
			return invalid(field, "unknown dimension %q", d)
		}
		if d == "topic" && len(vals) > 1 && !slices.Contains(q.By, "topic") {
			return invalid(field, "several topics can only be filtered together with by=topic (an item may mention both)")
		}
		for _, v := range vals {
			if (d == "employee" || d == "survey") && v != "" && strings.Trim(v, "0123456789") != "" {
				return invalid(field, "%q is not an id", v)
			}
		}
	}
	return nil
}

// Group is one row of a metric answer: the group's key (dimension and grain
// values), the metric with its 95 % interval and sample size, the change
// against the previous period or bucket (nil when that had no sample) and
// metric-specific detail counts.
type Group struct {
	Key    map[string]string `json:"key"`
	Value  float64           `json:"value"`
	N      int               `json:"n"`
	CILow  float64           `json:"ci_low"`
	CIHigh float64           `json:"ci_high"`
	Change *metrics.Change   `json:"change"`
	Detail map[string]any    `json:"detail,omitempty"`
}

// Result is a metric answer. Groups with no sample are left out.
type Result struct {
	Metric     string              `json:"metric"`
	Definition string              `json:"definition"`
	From       string              `json:"from"`
	To         string              `json:"to"`
	By         []string            `json:"by"`
	Filters    map[string][]string `json:"filters,omitempty"`
	Groups     []Group             `json:"groups"`
}

// Location returns the workspace's time zone, in which days are counted.
func (s *Service) Location(ctx context.Context, workspaceID int64) (*time.Location, error) {
	ws, err := s.DB.Workspace(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	return store.LoadLocation(ws.Timezone), nil
}

// Today returns the current local date in loc.
func (s *Service) Today(loc *time.Location) store.Day {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	return store.DayOf(now, loc)
}

// DefaultRange is the range used when a request gives none: the last
// DefaultDays days up to today.
func DefaultRange(today store.Day) (from, to store.Day) { return today - DefaultDays + 1, today }

// bucketOf returns the first day of the grain bucket holding d. Days are
// calendar dates already, so the bucketing runs in UTC.
func bucketOf(d store.Day, grain string) store.Day {
	if grain == metrics.GrainDay {
		return d
	}
	return store.DayFromDate(metrics.Bucket(d.Date(), time.UTC, grain).Date())
}

// Metric answers q. Without a grain the change compares with the period of
// equal length just before From; with a grain, each bucket with the one
// before it (the first with the bucket before From's, read for that purpose).
func (s *Service) Metric(ctx context.Context, workspaceID int64, q Query) (Result, error) {
	if err := q.Validate(); err != nil {
		return Result{}, err
	}
	res := emptyResult(q)
	rq := store.RollupQuery{Dims: q.By, Filters: q.Filters, Metric: q.Metric}
	cur := map[groupKey]*store.RollupCounts{}
	prev := map[groupKey]*store.RollupCounts{}
	keys := map[string][]string{}
	if q.Grain == "" {
		rq.From, rq.To = q.From, q.To
		rows, err := s.DB.RollupCounts(ctx, workspaceID, rq)
		if err != nil {
			return Result{}, err
		}
		length := q.To - q.From + 1
		rq.From, rq.To = q.From-length, q.From-1
		before, err := s.DB.RollupCounts(ctx, workspaceID, rq)
		if err != nil {
			return Result{}, err
		}
		for i := range rows {
			k := groupKey{dims: strings.Join(rows[i].Key, "\x00")}
			keys[k.dims] = rows[i].Key
			add(cur, k, &rows[i].Counts)
		}
		for i := range before {
			add(prev, groupKey{dims: strings.Join(before[i].Key, "\x00")}, &before[i].Counts)
		}
	} else {
		first := bucketOf(q.From, q.Grain)
		rq.From, rq.To, rq.ByDay = bucketOf(first-1, q.Grain), q.To, true
		rows, err := s.DB.RollupCounts(ctx, workspaceID, rq)
		if err != nil {
			return Result{}, err
		}
		for i := range rows {
			r := &rows[i]
			k := groupKey{bucket: bucketOf(r.Day, q.Grain), dims: strings.Join(r.Key, "\x00")}
			keys[k.dims] = r.Key
			if r.Day < q.From {
				add(prev, k, &r.Counts)
			} else {
				add(cur, k, &r.Counts)
			}
		}
	}
	res.Groups = groups(q, cur, prev, keys)
	return res, nil
}

// groupKey identifies a group of a metric answer: its grain bucket (0
// without a grain) and its dimension values joined by NUL.
type groupKey struct {
	bucket store.Day
	dims   string
}

func add(m map[groupKey]*store.RollupCounts, k groupKey, c *store.RollupCounts) {
	if m[k] == nil {
		m[k] = &store.RollupCounts{}
	}
	m[k].Add(c)
}

// groups evaluates q's metric on the counts of the period (cur) and of the
// period or buckets before it (prev), in the answer's order.
func groups(q Query, cur, prev map[groupKey]*store.RollupCounts, keys map[string][]string) []Group {
	type sortable struct {
		bucket store.Day
		dims   string
		g      Group
	}
	var out []sortable
	for k, c := range cur {
		e := evaluate(q.Metric, c)
		if e.n == 0 {
			continue
		}
		g := Group{Key: map[string]string{}, Value: e.value, N: e.n, CILow: e.lo, CIHigh: e.hi, Detail: e.detail}
		for i, d := range q.By {
			g.Key[d] = keys[k.dims][i]
		}
		pk := k
		if q.Grain != "" {
			g.Key[q.Grain] = k.bucket.String()
			pk.bucket = bucketOf(k.bucket-1, q.Grain)
			from := prev // the bucket before the first is read only for this
			if pk.bucket >= bucketOf(q.From, q.Grain) {
				from = cur
			}
			if p, ok := from[pk]; ok {
				g.Change = change(q.Metric, p, c)
			}
		} else if p, ok := prev[pk]; ok {
			g.Change = change(q.Metric, p, c)
		}
		out = append(out, sortable{bucket: k.bucket, dims: k.dims, g: g})
	}
	slices.SortFunc(out, func(a, b sortable) int {
		return cmp.Or(cmp.Compare(a.bucket, b.bucket), cmp.Compare(b.g.N, a.g.N), cmp.Compare(a.dims, b.dims))
	})
	res := make([]Group, 0, len(out))
	for _, o := range out {
		res = append(res, o.g)
	}
	return res
}

// estimate is a metric value computed from counts.
type estimate struct {
	value, lo, hi float64
	n             int
	detail        map[string]any
}

func csatParts(c *store.RollupCounts) (satisfied, n int, five, ten metrics.CSATResult) {
	five = metrics.CSAT(toInts(c.CSAT5[:]))
	ten = metrics.CSAT(toInts(c.CSAT10[:]))
	return five.Satisfied + ten.Satisfied, five.N + ten.N, five, ten
}

func toInts(xs []int64) []int {
	out := make([]int, len(xs))
	for i, x := range xs {
		out[i] = int(x)
	}
	return out
}

// evaluate computes metric from counts with its interval and sample size.
func evaluate(metric string, c *store.RollupCounts) estimate {
	switch metric {
	case "nps":
		r := metrics.NPS(int(c.Promoters), int(c.Passives), int(c.Detractors))
		return estimate{r.Score, r.CILow, r.CIHigh, r.N, map[string]any{
			"promoters": r.Promoters, "passives": r.Passives, "detractors": r.Detractors}}
	case "csat":
		// Answers on 5- and 10-point scales combine through top-2-box, which
		// means the same on both; means are kept per scale.
		k, n, five, ten := csatParts(c)
		lo, hi := metrics.Wilson(k, n)
		e := estimate{lo: 100 * lo, hi: 100 * hi, n: n, detail: map[string]any{"satisfied": k}}
		if n > 0 {
			e.value = 100 * float64(k) / float64(n)
		}
		if five.N > 0 {
			e.detail["mean_5"], e.detail["n_5"] = five.Mean, five.N
		}
		if ten.N > 0 {
			e.detail["mean_10"], e.detail["n_10"] = ten.Mean, ten.N
		}
		return e
	case "ces":
		r := metrics.CES(toInts(c.CES[:]))
		return estimate{r.Mean, r.CILow, r.CIHigh, r.N, map[string]any{
			"easy": r.Easy, "easy_ci_low": r.EasyCILow, "easy_ci_high": r.EasyCIHigh, "easy_count": r.EasyCount}}
	case "sentiment":
		r := metrics.SentimentIndex(int(c.Positive), int(c.Neutral), int(c.Negative))
		return estimate{r.Value, r.CILow, r.CIHigh, r.N, map[string]any{
			"positive": c.Positive, "neutral": c.Neutral, "negative": c.Negative}}
	case "volume":
		n := float64(c.Items)
		half := metrics.Z95 * math.Sqrt(n)
		return estimate{value: n, lo: math.Max(0, n-half), hi: n + half, n: int(c.Items)}
	}
	return estimate{}
}

// change compares cur with prev; nil when prev has no sample to compare.
func change(metric string, prev, cur *store.RollupCounts) *metrics.Change {
	if evaluate(metric, prev).n == 0 {
		return nil
	}
	var ch metrics.Change
	switch metric {
	case "nps":
		ch = metrics.NPSChange(metrics.NPS(int(prev.Promoters), int(prev.Passives), int(prev.Detractors)),
			metrics.NPS(int(cur.Promoters), int(cur.Passives), int(cur.Detractors)))
	case "csat":
		k1, n1, _, _ := csatParts(prev)
		k2, n2, _, _ := csatParts(cur)
		ch = metrics.TwoProportionChange(k1, n1, k2, n2)
	case "ces":
		ch = welchChange(prev.CES[:], cur.CES[:])
	case "sentiment":
		ch = metrics.SentimentChange(int(prev.Positive), int(prev.Neutral), int(prev.Negative),
			int(cur.Positive), int(cur.Neutral), int(cur.Negative))
	case "volume":
		// Given the total, the current count is Binomial(total, ½) when the
		// two periods have equal rates and lengths.
		p, c := float64(prev.Items), float64(cur.Items)
		ch = zChange(c-p, math.Sqrt(p+c))
	}
	return &ch
}

func zChange(diff, se float64) metrics.Change {
	if se <= 0 || math.IsNaN(se) {
		if diff == 0 {
			return metrics.Change{PValue: 1}
		}
		return metrics.Change{Value: diff, PValue: 0, Significant: true}
	}
	p := metrics.TwoSidedP(diff / se)
	return metrics.Change{Value: diff, PValue: p, Significant: p < metrics.Alpha}
}

// welchChange tests the difference of two CES means (distributions over
// 1..7) with Welch's t-test; with fewer than two answers on a side the
// spread is unknown and p = 1.
func welchChange(prev, cur []int64) metrics.Change {
	m1, v1, n1 := meanVar(prev)
	m2, v2, n2 := meanVar(cur)
	if n1 < 2 || n2 < 2 {
		return metrics.Change{Value: m2 - m1, PValue: 1}
	}
	s1, s2 := v1/n1, v2/n2
	se := math.Sqrt(s1 + s2)
	if se == 0 {
		return zChange(m2-m1, 0)
	}
	df := (s1 + s2) * (s1 + s2) / (s1*s1/(n1-1) + s2*s2/(n2-1))
	t := (m2 - m1) / se
	p := 2 * (1 - metrics.StudentTCDF(math.Abs(t), df))
	return metrics.Change{Value: m2 - m1, PValue: p, Significant: p < metrics.Alpha}
}

func meanVar(counts []int64) (mean, variance, n float64) {
	var sum, sumSq float64
	for s, c := range counts {
		n += float64(c)
		sum += float64(s) * float64(c)
		sumSq += float64(s*s) * float64(c)
	}
	if n == 0 {
		return 0, 0, 0
	}
	mean = sum / n
	if n > 1 {
		variance = math.Max(0, (sumSq-n*mean*mean)/(n-1))
	}
	return mean, variance, n
}

// emptyResult is q's result before any group: what was asked, with the
// non-empty filters and the time grain as the last "by".
func emptyResult(q Query) Result {
	res := Result{Metric: q.Metric, Definition: Definitions[q.Metric], From: q.From.String(), To: q.To.String(),
		By: slices.Clone(q.By), Groups: []Group{}}
	for d, vals := range q.Filters {
		if len(vals) > 0 {
			if res.Filters == nil {
				res.Filters = map[string][]string{}
			}
			res.Filters[d] = vals
		}
	}
	if q.Grain != "" {
		res.By = append(res.By, q.Grain)
	}
	return res
}
