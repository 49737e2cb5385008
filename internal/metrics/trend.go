package metrics

import (
	"math"
	"slices"
	"time"
)

// TrendSlope is the least-squares slope of values over times, per day: a
// customer's sentiment trend for the churn-risk model, for instance. It is 0
// with fewer than two distinct times. Extra entries in the longer slice are
// ignored.
func TrendSlope(times []time.Time, values []float64) float64 {
	n := min(len(times), len(values))
	if n < 2 {
		return 0
	}
	// Days relative to the first time keep the sums well conditioned.
	x := make([]float64, n)
	var mx, my float64
	for i := range n {
		x[i] = times[i].Sub(times[0]).Hours() / 24
		mx += x[i]
		my += values[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxy, sxx float64
	for i := range n {
		sxy += (x[i] - mx) * (values[i] - my)
		sxx += (x[i] - mx) * (x[i] - mx)
	}
	if sxx < 1e-18 || math.IsNaN(sxx) {
		return 0
	}
	return sxy / sxx
}

// SplitByTime splits rows for a time-based held-out evaluation: it returns the
// indexes of the earliest rows (train) and of the latest holdout fraction
// (test, at least one row when there are two or more), each in time order, so
// a model is always scored on a period after the one it learned from. Rows at
// the same instant as the cut all go to the test side.
func SplitByTime(times []time.Time, holdout float64) (train, test []int) {
	n := len(times)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return times[a].Compare(times[b]) })
	if n < 2 {
		return idx, nil
	}
	cut := n - max(1, int(math.Round(clamp(holdout, 0, 1)*float64(n))))
	cut = max(cut, 0)
	for cut > 0 && times[idx[cut-1]].Equal(times[idx[cut]]) {
		cut--
	}
	return idx[:cut], idx[cut:]
}
