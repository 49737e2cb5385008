package metrics

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestTrendSlope(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	// y = 1, 3, 5 at days 0, 1, 2 → slope 2 per day.
	if got := TrendSlope([]time.Time{t0, t0.Add(day), t0.Add(2 * day)}, []float64{1, 3, 5}); !near(got, 2, 1e-12) {
		t.Errorf("slope = %v", got)
	}
	// Days 0, 0, 2 with 0, 2, 4: x̄ = 2/3, ȳ = 2, Sxy = 4, Sxx = 8/3 → 1.5.
	if got := TrendSlope([]time.Time{t0, t0, t0.Add(2 * day)}, []float64{0, 2, 4}); !near(got, 1.5, 1e-12) {
		t.Errorf("slope with tie = %v", got)
	}
	if got := TrendSlope([]time.Time{t0, t0}, []float64{1, 5}); got != 0 {
		t.Errorf("one instant: %v", got)
	}
	if got := TrendSlope(nil, nil); got != 0 {
		t.Errorf("empty: %v", got)
	}
}

func TestSplitByTime(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(h int) time.Time { return t0.Add(time.Duration(h) * time.Hour) }
	times := []time.Time{at(5), at(1), at(9), at(3), at(7), at(2), at(8), at(4), at(6), at(0)}
	train, test := SplitByTime(times, 0.2)
	if !slices.Equal(train, []int{9, 1, 5, 3, 7, 0, 8, 4}) || !slices.Equal(test, []int{6, 2}) {
		t.Errorf("train %v test %v", train, test)
	}
	// A tie at the cut goes to the test side.
	tied := []time.Time{at(0), at(1), at(2), at(2)}
	train, test = SplitByTime(tied, 0.25)
	if !slices.Equal(train, []int{0, 1}) || !slices.Equal(test, []int{2, 3}) {
		t.Errorf("tied: train %v test %v", train, test)
	}
	if train, test := SplitByTime([]time.Time{t0}, 0.5); len(train) != 1 || test != nil {
		t.Errorf("single row: %v %v", train, test)
	}
}

// TestIntervalsContainEstimates checks on random counts that every interval
// holds its estimate, stays in range, and narrows as the sample grows.
func TestIntervalsContainEstimates(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	for range 2000 {
		p, pa, d := rng.IntN(50), rng.IntN(50), rng.IntN(50)
		if r := NPS(p, pa, d); r.CILow > r.Score || r.CIHigh < r.Score || r.CILow < -100 || r.CIHigh > 100 {
			t.Fatalf("NPS(%d, %d, %d) = %+v", p, pa, d, r)
		}
		// The adjusted interval is centred on the adjusted score, so only its
		// range and order are checked here.
		if r := NPSAdjusted(p, pa, d); r.CILow > r.CIHigh || r.CILow < -100 || r.CIHigh > 100 || r.CIHigh-r.CILow <= 0 {
			t.Fatalf("NPSAdjusted(%d, %d, %d) = %+v", p, pa, d, r)
		}
		n := rng.IntN(200)
		k := 0
		if n > 0 {
			k = rng.IntN(n + 1)
		}
		e := ResponseRate(k, n)
		if e.CILow > e.Value+1e-9 || e.CIHigh < e.Value-1e-9 || e.CILow < 0 || e.CIHigh > 100 {
			t.Fatalf("Wilson(%d, %d) = %+v", k, n, e)
		}
		big := ResponseRate(10*k, 10*n)
		if n > 0 && k > 0 && k < n && big.CIHigh-big.CILow >= e.CIHigh-e.CILow {
			t.Fatalf("interval did not narrow: %+v vs %+v", e, big)
		}
	}
}

// TestAUCMatchesPairCount compares the rank formula with counting every
// positive-negative pair, on random scores with many ties.
func TestAUCMatchesPairCount(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 300 {
		n := 2 + rng.IntN(60)
		scores := make([]float64, n)
		labels := make([]bool, n)
		for i := range n {
			scores[i] = float64(rng.IntN(8))
			labels[i] = rng.IntN(3) == 0
		}
		var wins float64
		var pairs int
		for i := range n {
			for j := range n {
				if labels[i] && !labels[j] {
					pairs++
					switch {
					case scores[i] > scores[j]:
						wins++
					case scores[i] == scores[j]:
						wins += 0.5
					}
				}
			}
		}
		got := AUC(scores, labels)
		if pairs == 0 {
			if !math.IsNaN(got) {
				t.Fatalf("AUC without pairs = %v", got)
			}
			continue
		}
		if want := wins / float64(pairs); !near(got, want, 1e-12) {
			t.Fatalf("AUC = %v, pair count %v", got, want)
		}
	}
}

// TestPercentileMatchesDefinition checks the type-7 percentile against its
// definition on random samples and its monotonicity in q.
func TestPercentileMatchesDefinition(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 9))
	for range 500 {
		n := 1 + rng.IntN(40)
		ds := make([]time.Duration, n)
		for i := range ds {
			ds[i] = time.Duration(rng.IntN(1e6))
		}
		slices.Sort(ds)
		prev := time.Duration(-1)
		for _, q := range []float64{0, 0.1, 0.5, 0.9, 1} {
			h := float64(n-1) * q
			lo, hi := int(math.Floor(h)), int(math.Ceil(h))
			want := float64(ds[lo]) + (h-float64(lo))*float64(ds[hi]-ds[lo])
			got := Percentile(ds, q)
			if math.Abs(float64(got)-want) > 1 || got < prev {
				t.Fatalf("q %v of %v = %v, want %v", q, ds, got, want)
			}
			prev = got
		}
	}
}

// TestRollupsEqualRaw checks that metrics from score distributions (what
// rollups store) equal metrics from raw answers, including after merging two
// periods' distributions by addition.
func TestRollupsEqualRaw(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	var a, b []int
	for range 300 {
		a = append(a, 1+rng.IntN(5))
		b = append(b, 1+rng.IntN(5))
	}
	ca, cb := CountScores(a, 5), CountScores(b, 5)
	merged := make([]int, 6)
	for i := range merged {
		merged[i] = ca[i] + cb[i]
	}
	if got, want := CSAT(merged), CSAT(CountScores(append(slices.Clone(a), b...), 5)); got != want {
		t.Errorf("merged rollup %+v != raw %+v", got, want)
	}
}
