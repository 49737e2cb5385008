package metrics

import (
	"slices"
	"time"
)

// DurationStats summarises a set of durations such as first response times
// (FRT) or resolution times (ART).
type DurationStats struct {
	N      int           `json:"n"`
	Mean   time.Duration `json:"mean"`
	Median time.Duration `json:"median"`
	P90    time.Duration `json:"p90"`
}

// Durations returns the mean, median and 90th percentile of ds. Percentiles use
// linear interpolation between the closest ranks (Hyndman-Fan type 7, the
// default of Excel PERCENTILE.INC, NumPy and R): for sorted x₀…xₙ₋₁ the q-th
// percentile is at rank h = (n−1)q, interpolated between x⌊h⌋ and x⌈h⌉. ds is
// not modified. An empty input gives all zeros with N = 0.
func Durations(ds []time.Duration) DurationStats {
	st := DurationStats{N: len(ds)}
	if len(ds) == 0 {
		return st
	}
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	var sum float64
	for _, d := range sorted {
		sum += float64(d)
	}
	st.Mean = time.Duration(sum/float64(len(sorted)) + 0.5)
	st.Median = Percentile(sorted, 0.5)
	st.P90 = Percentile(sorted, 0.9)
	return st
}

// Percentile returns the q-th quantile (0 ≤ q ≤ 1) of durations already sorted
// ascending, with the type-7 interpolation described on Durations. It returns 0
// for an empty slice.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	q = clamp(q, 0, 1)
	h := float64(len(sorted)-1) * q
	lo := int(h)
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	frac := h - float64(lo)
	a, b := float64(sorted[lo]), float64(sorted[lo+1])
	return time.Duration(a + frac*(b-a) + 0.5)
}

// CaseTimes is when a case was created and when someone first acted on it; a
// zero FirstAction means nobody has acted yet.
type CaseTimes struct {
	Created     time.Time
	FirstAction time.Time
}

// ActionStats describes how fast cases were acted on: timings of the cases
// acted on, and the share acted on within the target (24 h by default).
type ActionStats struct {
	TimeToAction DurationStats `json:"time_to_action"`
	// Within is the % of decided cases acted on within the target, with its
	// Wilson interval; N counts decided cases.
	Within Estimate `json:"within"`
	// Pending counts cases not yet acted on whose target has not passed: they
	// are not decided yet, so they are left out of Within.
	Pending int `json:"pending"`
}

// DefaultActionTarget is the close-the-loop target: act within 24 hours.
const DefaultActionTarget = 24 * time.Hour

// TimeToAction computes time to action (first action − creation) over the cases
// acted on, and the % acted within target (≤ 0 means DefaultActionTarget) over
// decided cases: those acted on, plus those not acted on whose target passed by
// now (these count as missed). Cases not acted on and still inside their target
// are pending and excluded, so the share does not drift as cases age.
func TimeToAction(cases []CaseTimes, target time.Duration, now time.Time) ActionStats {
	if target <= 0 {
		target = DefaultActionTarget
	}
	var st ActionStats
	var durations []time.Duration
	within, decided := 0, 0
	for _, c := range cases {
		if c.FirstAction.IsZero() {
			if now.Sub(c.Created) > target {
				decided++
			} else {
				st.Pending++
			}
			continue
		}
		d := max(c.FirstAction.Sub(c.Created), 0)
		durations = append(durations, d)
		decided++
		if d <= target {
			within++
		}
	}
	st.TimeToAction = Durations(durations)
	st.Within = proportionEstimate(within, decided)
	return st
}
