package business

import (
	"math"
	"testing"

	"vox/internal/store"
)

// signals sums sentiment scores at days (relative to the cutoff) the way
// store.FeedbackSignalsAsOf does.
func signals(days, scores []float64) *store.FeedbackSignals {
	f := &store.FeedbackSignals{SentimentN: len(days)}
	for i, x := range days {
		f.SumX += x
		f.SumXX += x * x
		f.SumXY += x * scores[i]
		f.SumSentiment += scores[i]
	}
	return f
}

// TestSlopeIsBounded checks the sentiment trend feature: no slope from items
// too close in time (an hour apart gave ±1000 per 30 days before), the
// least-squares slope otherwise, and never more than a −1..1 score can
// move in a month.
func TestSlopeIsBounded(t *testing.T) {
	for _, tc := range []struct {
		name         string
		days, scores []float64
		want         float64 // per 30 days
	}{
		{"one item", []float64{-3}, []float64{0.5}, 0},
		{"an hour apart", []float64{-1, -1 + 1.0/24}, []float64{-1, 1}, 0},
		{"steady rise over 90 days", []float64{-90, -60, -30, 0}, []float64{-0.6, -0.2, 0.2, 0.6}, 0.4},
		{"flat", []float64{-80, -40, -10}, []float64{0.3, 0.3, 0.3}, 0},
		{"steep fall, bounded", []float64{-20, -1}, []float64{1, -1}, -2},
	} {
		got := slope(signals(tc.days, tc.scores)) * slopeDaysPerUnit
		if math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("%s: slope %.4f per 30 days, want %.4f", tc.name, got, tc.want)
		}
	}
}
