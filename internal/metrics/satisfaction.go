package metrics

import "math"

// CSATResult is the share of satisfied answers (top two points of the scale)
// in percent with its Wilson 95 % interval, plus the mean answer.
type CSATResult struct {
	Score     float64 `json:"value"`
	CILow     float64 `json:"ci_low"`
	CIHigh    float64 `json:"ci_high"`
	Mean      float64 `json:"mean"`
	N         int     `json:"n"`
	Satisfied int     `json:"satisfied"`
}

// CountScores turns answers into a distribution: counts[s] is the number of
// answers equal to s, for s in 0..top. Answers outside 0..top are dropped.
func CountScores(scores []int, top int) []int {
	counts := make([]int, top+1)
	for _, s := range scores {
		if s >= 0 && s <= top {
			counts[s]++
		}
	}
	return counts
}

// CSAT is the top-two-box score of a distribution where counts[s] is the number
// of answers equal to s and len(counts)−1 is the top of the scale: answers of 4-5
// on a 1-5 scale (len 6), 9-10 on a 10-point scale (len 11). Distributions come
// from rollups as well as raw answers, so both give the same number.
func CSAT(counts []int) CSATResult {
	top := len(counts) - 1
	var r CSATResult
	var sum float64
	for s, c := range counts {
		if c <= 0 {
			continue
		}
		r.N += c
		sum += float64(s * c)
		if s >= top-1 {
			r.Satisfied += c
		}
	}
	e := proportionEstimate(r.Satisfied, r.N)
	r.Score, r.CILow, r.CIHigh = e.Value, e.CILow, e.CIHigh
	if r.N > 0 {
		r.Mean = sum / float64(r.N)
	}
	return r
}

// CSATChange tests the change in the share of satisfied answers between two
// periods with the pooled two-proportion z-test; Value is in percentage points.
func CSATChange(prev, cur CSATResult) Change {
	return TwoProportionChange(prev.Satisfied, prev.N, cur.Satisfied, cur.N)
}

// CESResult is the Customer Effort Score on a 1-7 scale (1 very difficult …
// 7 very easy): the mean with its 95 % t interval, and the share of easy
// answers (5-7) in percent with its Wilson interval.
type CESResult struct {
	Mean       float64 `json:"value"`
	CILow      float64 `json:"ci_low"`
	CIHigh     float64 `json:"ci_high"`
	Easy       float64 `json:"easy"`
	EasyCILow  float64 `json:"easy_ci_low"`
	EasyCIHigh float64 `json:"easy_ci_high"`
	N          int     `json:"n"`
	EasyCount  int     `json:"easy_count"`
}

// CES computes the effort score from counts[s], the number of answers equal to
// s for s in 1..7 (index 0 and anything past 7 are ignored). The mean interval is
// mean ± t(0.975, n−1)·sd/√n clamped to [1, 7]; with fewer than two answers the
// spread is unknown and the interval is the whole scale.
func CES(counts []int) CESResult {
	const lowest, highest, easyFrom = 1, 7, 5
	r := CESResult{CILow: lowest, CIHigh: highest}
	var sum, sumSq float64
	for s := lowest; s <= highest && s < len(counts); s++ {
		c := counts[s]
		if c <= 0 {
			continue
		}
		r.N += c
		sum += float64(s * c)
		sumSq += float64(s * s * c)
		if s >= easyFrom {
			r.EasyCount += c
		}
	}
	e := proportionEstimate(r.EasyCount, r.N)
	r.Easy, r.EasyCILow, r.EasyCIHigh = e.Value, e.CILow, e.CIHigh
	if r.N == 0 {
		r.Mean = 0
		return r
	}
	n := float64(r.N)
	r.Mean = sum / n
	if r.N < 2 {
		return r
	}
	variance := math.Max(0, (sumSq-n*r.Mean*r.Mean)/(n-1))
	half := StudentTQuantile(0.975, n-1) * math.Sqrt(variance/n)
	r.CILow = clamp(r.Mean-half, lowest, highest)
	r.CIHigh = clamp(r.Mean+half, lowest, highest)
	return r
}

// ResponseRate is responses / delivered invitations in percent with a Wilson
// 95 % interval. Responses above deliveries (late-counted deliveries) are capped
// at the number delivered.
func ResponseRate(responses, delivered int) Estimate {
	return proportionEstimate(responses, delivered)
}
