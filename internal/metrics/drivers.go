package metrics

import (
	"cmp"
	"math"
	"slices"
)

// DriverRidge is the ridge penalty added to each topic effect in KeyDrivers. It
// equals one pseudo-observation, negligible next to topics with tens of mentions,
// but it keeps the regression solvable when topics always co-occur or appear in
// every response, and then widens their intervals instead of failing.
const DriverRidge = 1.0

// DriverRow is one response for key-driver analysis: its outcome and the topics
// (or aspects) it mentions. Use NPSOutcome to code a 0-10 answer so that effects
// come out in NPS points. Weight is how many identical responses the row
// stands for (0 counts as 1): responses with the same outcome and topics are
// interchangeable in the regression, so a grouped count (a rollup) gives the
// same estimates as the responses one by one.
type DriverRow struct {
	Outcome float64
	Topics  []string
	Weight  int
}

// weight is how many responses r stands for.
func (r *DriverRow) weight() int {
	if r.Weight <= 0 {
		return 1
	}
	return r.Weight
}

// Driver is the estimated effect of mentioning a topic on the outcome, holding
// the other topics fixed, with its standard error, 95 % interval and two-sided
// p-value. N is the number of responses that mention the topic and Share their
// fraction of all responses.
type Driver struct {
	Topic       string  `json:"topic"`
	Effect      float64 `json:"effect"`
	SE          float64 `json:"se"`
	CILow       float64 `json:"ci_low"`
	CIHigh      float64 `json:"ci_high"`
	PValue      float64 `json:"p_value"`
	Significant bool    `json:"significant"`
	N           int     `json:"n"`
	Share       float64 `json:"share"`
}

// NPSOutcome codes a 0-10 answer as +100 (promoter), 0 (passive) or −100
// (detractor). The mean of this coding is the NPS, so a regression on it gives
// topic effects in NPS points.
func NPSOutcome(score int) float64 {
	return 100 * float64(NPSCategory(score))
}

// KeyDrivers estimates each topic's effect on the outcome by a linear regression
// of the outcome on an intercept and one 0/1 indicator per topic, with a small
// ridge (DriverRidge) on the topic coefficients. Read as a Bayesian regression
// with a weak Gaussian prior, the standard errors are the square roots of the
// posterior variances σ²·(XᵀX + λI)⁻¹ with σ² = RSS/(n − p); intervals and
// p-values use Student's t with n − p degrees of freedom, so collinear or rare
// topics get wide intervals rather than spurious precision.
//
// Topics in rows but not in topics are ignored; topics never mentioned are left
// out of the result. Drivers are returned in the order of topics. With no more
// responses than coefficients there is nothing to estimate and it returns nil.
func KeyDrivers(rows []DriverRow, topics []string) []Driver {
	index := make(map[string]int, len(topics)) // first position of each topic
	for i, tp := range topics {
		if _, dup := index[tp]; !dup {
			index[tp] = i
		}
	}
	mentions := make([]int, len(topics))
	n := 0
	for _, r := range rows {
		n += r.weight()
		seen := make(map[string]bool, len(r.Topics))
		for _, tp := range r.Topics {
			if i, ok := index[tp]; ok && !seen[tp] {
				seen[tp] = true
				mentions[i] += r.weight()
			}
		}
	}
	col := make(map[string]int, len(topics)) // design-matrix column of each modelled topic
	var used []int                           // positions in topics of the modelled topics
	for i, tp := range topics {
		if mentions[i] == 0 {
			continue
		}
		col[tp] = len(used) + 1 // column 0 is the intercept
		used = append(used, i)
	}
	p := len(used) + 1
	if n <= p {
		return nil
	}

	// Rows mention few topics, so work with the list of active columns (the
	// intercept and each mentioned, modelled topic once) rather than dense rows.
	active := make([][]int, len(rows))
	for i, r := range rows {
		cols := []int{0}
		for _, tp := range r.Topics {
			if c, ok := col[tp]; ok && !slices.Contains(cols, c) {
				cols = append(cols, c)
			}
		}
		active[i] = cols
	}
	xtx := newMatrix(p)
	xty := make([]float64, p)
	for i, r := range rows {
		w := float64(r.weight())
		for _, a := range active[i] {
			xty[a] += w * r.Outcome
			for _, b := range active[i] {
				xtx[a][b] += w
			}
		}
	}
	for i := 1; i < p; i++ {
		xtx[i][i] += DriverRidge
	}
	l, err := cholesky(xtx)
	if err != nil {
		return nil
	}
	beta := choleskySolve(l, xty)
	var rss float64
	for i, r := range rows {
		fit := 0.0
		for _, a := range active[i] {
			fit += beta[a]
		}
		rss += float64(r.weight()) * (r.Outcome - fit) * (r.Outcome - fit)
	}
	df := float64(n - p)
	sigma2 := rss / df
	inv := choleskyInverseDiag(l)
	tq := StudentTQuantile(0.975, df)

	drivers := make([]Driver, 0, len(used))
	for k, ti := range used {
		c := k + 1
		d := Driver{Topic: topics[ti], Effect: beta[c], N: mentions[ti], Share: float64(mentions[ti]) / float64(n)}
		d.SE = math.Sqrt(sigma2 * inv[c])
		d.CILow, d.CIHigh = d.Effect-tq*d.SE, d.Effect+tq*d.SE
		d.PValue = 1
		if d.SE > 0 {
			d.PValue = tTwoSidedP(d.Effect/d.SE, df)
		} else if d.Effect != 0 {
			d.PValue = 0
		}
		d.Significant = d.PValue < Alpha
		drivers = append(drivers, d)
	}
	return drivers
}

// PainPoint is a topic that pulls the outcome down, with its impact: the points
// of the overall outcome (NPS points with NPSOutcome) lost because of it,
// −effect × share of responses mentioning it — negative impact × volume.
type PainPoint struct {
	Topic       string  `json:"topic"`
	Effect      float64 `json:"effect"`
	N           int     `json:"n"`
	Impact      float64 `json:"impact"`
	PValue      float64 `json:"p_value"`
	Significant bool    `json:"significant"`
}

// PainPoints ranks the topics with a negative effect by impact, largest first
// (ties by topic name). Run it per journey stage and touchpoint by passing the
// drivers estimated on that slice.
func PainPoints(drivers []Driver) []PainPoint {
	var pps []PainPoint
	for _, d := range drivers {
		if d.Effect >= 0 {
			continue
		}
		pps = append(pps, PainPoint{Topic: d.Topic, Effect: d.Effect, N: d.N, Impact: -d.Effect * d.Share, PValue: d.PValue, Significant: d.Significant})
	}
	slices.SortFunc(pps, func(a, b PainPoint) int {
		return cmp.Or(cmp.Compare(b.Impact, a.Impact), cmp.Compare(a.Topic, b.Topic))
	})
	return pps
}
