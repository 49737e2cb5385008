package metrics

import "math"

// NPSResult is a Net Promoter Score with its 95 % confidence interval and the
// counts behind it.
type NPSResult struct {
	Score      float64 `json:"value"`
	CILow      float64 `json:"ci_low"`
	CIHigh     float64 `json:"ci_high"`
	N          int     `json:"n"`
	Promoters  int     `json:"promoters"`
	Passives   int     `json:"passives"`
	Detractors int     `json:"detractors"`
}

// NPSCategory classifies a 0-10 likelihood-to-recommend answer: +1 promoter
// (9-10), 0 passive (7-8), −1 detractor (0-6).
func NPSCategory(score int) int {
	switch {
	case score >= 9:
		return 1
	case score >= 7:
		return 0
	default:
		return -1
	}
}

// NPSFromScores counts 0-10 answers into promoters, passives and detractors and
// returns their NPS.
func NPSFromScores(scores []int) NPSResult {
	var p, pa, d int
	for _, s := range scores {
		switch NPSCategory(s) {
		case 1:
			p++
		case 0:
			pa++
		default:
			d++
		}
	}
	return NPS(p, pa, d)
}

// NPS is % promoters − % detractors, from −100 to 100. The 95 % interval uses
// the trinomial variance var = (pP + pD − (pP − pD)²) / n, in NPS points and
// clamped to [−100, 100]. Note it collapses to a point when every answer falls
// in one category (e.g. all promoters); rankings use NPSAdjusted instead. With
// n = 0 the score is 0 and the interval the whole scale.
func NPS(promoters, passives, detractors int) NPSResult {
	r := NPSResult{Promoters: promoters, Passives: passives, Detractors: detractors}
	r.N = promoters + passives + detractors
	if r.N <= 0 {
		r.CILow, r.CIHigh = -100, 100
		return r
	}
	n := float64(r.N)
	pP, pD := float64(promoters)/n, float64(detractors)/n
	r.Score = 100 * (pP - pD)
	half := 100 * Z95 * math.Sqrt(trinomialVariance(pP, pD)/n)
	r.CILow = clamp(r.Score-half, -100, 100)
	r.CIHigh = clamp(r.Score+half, -100, 100)
	return r
}

// NPSAdjusted returns the adjusted-Wald 95 % interval for the NPS (Rocks 2016):
// ¾ is added to promoters and to detractors and 3 to n before applying the
// trinomial variance, and the interval is centred on that adjusted score. It
// keeps a width with small or one-sided samples (ten promoters out of ten is not
// proof of a perfect score), so leaderboards rank by its lower bound. Score
// stays the raw NPS; with n = 0 the interval is the whole scale, as in NPS.
func NPSAdjusted(promoters, passives, detractors int) NPSResult {
	r := NPS(promoters, passives, detractors)
	if r.N <= 0 {
		return r
	}
	centre, variance := adjustedNPS(r)
	half := Z95 * math.Sqrt(variance)
	r.CILow = clamp(100*(centre-half), -100, 100)
	r.CIHigh = clamp(100*(centre+half), -100, 100)
	return r
}

// trinomialVariance is the per-answer variance of a +1/0/−1 coded answer.
func trinomialVariance(pPos, pNeg float64) float64 {
	d := pPos - pNeg
	return math.Max(0, pPos+pNeg-d*d)
}

// NPSChange tests the change from prev to cur with a two-sided z-test on the
// difference of two independent NPS values. Value is cur − prev in NPS points.
// The z statistic is computed on adjusted-Wald estimates (see NPSAdjusted) so
// that tiny one-sided samples (one promoter vs one detractor) are not declared
// significant; with large samples it matches the plain trinomial z-test. If
// either period has no answers the change is 0 with p = 1.
func NPSChange(prev, cur NPSResult) Change {
	if prev.N <= 0 || cur.N <= 0 {
		return noChange
	}
	d1, v1 := adjustedNPS(prev)
	d2, v2 := adjustedNPS(cur)
	c := changeFromZ(d2-d1, math.Sqrt(v1+v2))
	c.Value = cur.Score - prev.Score
	return c
}

// adjustedNPS returns the adjusted-Wald NPS as a fraction and its variance.
func adjustedNPS(r NPSResult) (score, variance float64) {
	na := float64(r.N) + 3
	pP := (float64(r.Promoters) + 0.75) / na
	pD := (float64(r.Detractors) + 0.75) / na
	return pP - pD, trinomialVariance(pP, pD) / na
}

// SentimentIndex is (positive − negative) / all × 100, from −100 to 100, with
// the same trinomial 95 % interval as NPS (positive ↔ promoter, neutral ↔
// passive, negative ↔ detractor).
func SentimentIndex(positive, neutral, negative int) Estimate {
	r := NPS(positive, neutral, negative)
	return Estimate{Value: r.Score, CILow: r.CILow, CIHigh: r.CIHigh, N: r.N}
}

// SentimentChange tests the change of the sentiment index between two periods
// exactly like NPSChange.
func SentimentChange(prevPos, prevNeu, prevNeg, curPos, curNeu, curNeg int) Change {
	return NPSChange(NPS(prevPos, prevNeu, prevNeg), NPS(curPos, curNeu, curNeg))
}
