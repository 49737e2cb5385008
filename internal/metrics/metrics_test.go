package metrics

import (
	"math"
	"testing"
	"time"
)

// Expected values below were computed by hand (with a calculator) from the
// formulas in DESIGN.md, independently of this package's code.

func near(got, want, tol float64) bool {
	return math.Abs(got-want) <= tol
}

func TestNPS(t *testing.T) {
	tests := []struct {
		name          string
		p, pa, d      int
		score, lo, hi float64
	}{
		{"empty", 0, 0, 0, 0, -100, 100},
		{"one promoter", 1, 0, 0, 100, 100, 100},
		{"one detractor", 0, 0, 1, -100, -100, -100},
		{"all promoters", 10, 0, 0, 100, 100, 100},
		{"all detractors", 0, 0, 10, -100, -100, -100},
		{"all passives", 0, 7, 0, 0, 0, 0},
		{"balanced", 3, 4, 3, 0, -48.009117, 48.009117},
		{"50/30/20", 50, 30, 20, 30, 14.692192, 45.307808},
		{"60/20/20", 60, 20, 20, 40, 24.320288, 55.679712},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NPS(tt.p, tt.pa, tt.d)
			if r.N != tt.p+tt.pa+tt.d || r.Promoters != tt.p || r.Passives != tt.pa || r.Detractors != tt.d {
				t.Errorf("counts = %+v", r)
			}
			if !near(r.Score, tt.score, 1e-9) || !near(r.CILow, tt.lo, 1e-5) || !near(r.CIHigh, tt.hi, 1e-5) {
				t.Errorf("NPS = %.6f [%.6f, %.6f], want %.6f [%.6f, %.6f]", r.Score, r.CILow, r.CIHigh, tt.score, tt.lo, tt.hi)
			}
		})
	}
}

func TestNPSFromScores(t *testing.T) {
	r := NPSFromScores([]int{0, 6, 7, 8, 9, 10, 10})
	if r.Promoters != 3 || r.Passives != 2 || r.Detractors != 2 || !near(r.Score, 100.0/7, 1e-9) {
		t.Errorf("got %+v", r)
	}
}

func TestNPSAdjusted(t *testing.T) {
	tests := []struct {
		name     string
		p, pa, d int
		lo, hi   float64
	}{
		{"ten of ten promoters", 10, 0, 0, 47.503552, 100},
		{"95 promoters 5 passives", 95, 5, 0, 86.562996, 97.903023},
		{"one promoter", 1, 0, 0, -48.498649, 98.498649},
		{"one detractor", 0, 0, 1, -98.498649, 48.498649},
	}
	for _, tt := range tests {
		r := NPSAdjusted(tt.p, tt.pa, tt.d)
		if !near(r.CILow, tt.lo, 1e-5) || !near(r.CIHigh, tt.hi, 1e-5) {
			t.Errorf("%s: [%.6f, %.6f], want [%.6f, %.6f]", tt.name, r.CILow, r.CIHigh, tt.lo, tt.hi)
		}
	}
}

func TestNPSChange(t *testing.T) {
	tests := []struct {
		name        string
		prev, cur   NPSResult
		value, p    float64
		significant bool
	}{
		{"+10 on 100 each", NPS(50, 30, 20), NPS(60, 20, 20), 10, 0.378112, false},
		{"one promoter then one detractor", NPS(1, 0, 0), NPS(0, 0, 1), -200, 0.345779, false},
		{"no change all promoters", NPS(10, 0, 0), NPS(10, 0, 0), 0, 1, false},
		{"+10 on 400 and 500", NPS(200, 100, 100), NPS(300, 100, 100), 15, 0.006146, true},
		{"empty previous", NPS(0, 0, 0), NPS(5, 0, 0), 0, 1, false},
	}
	for _, tt := range tests {
		c := NPSChange(tt.prev, tt.cur)
		if !near(c.Value, tt.value, 1e-9) || !near(c.PValue, tt.p, 1e-6) || c.Significant != tt.significant {
			t.Errorf("%s: %+v, want value %v p %v sig %v", tt.name, c, tt.value, tt.p, tt.significant)
		}
	}
}

func TestWilson(t *testing.T) {
	tests := []struct {
		k, n   int
		lo, hi float64
	}{
		{0, 0, 0, 100},
		{1, 1, 20.654931, 100},
		{0, 1, 0, 79.345069},
		{0, 10, 0, 27.753280},
		{10, 10, 72.246720, 100},
		{80, 100, 71.117083, 86.663307},
		{30, 200, 10.713594, 20.605579},
	}
	for _, tt := range tests {
		e := ResponseRate(tt.k, tt.n)
		if !near(e.CILow, tt.lo, 1e-5) || !near(e.CIHigh, tt.hi, 1e-5) || e.N != tt.n {
			t.Errorf("Wilson(%d, %d) = %+v, want [%.6f, %.6f]", tt.k, tt.n, e, tt.lo, tt.hi)
		}
	}
	if e := ResponseRate(12, 10); e.Value != 100 || e.CIHigh != 100 {
		t.Errorf("responses above delivered must cap at 100 %%: %+v", e)
	}
}

func TestCSAT(t *testing.T) {
	tests := []struct {
		name          string
		counts        []int
		n, satisfied  int
		score, lo, hi float64
		mean          float64
	}{
		{"empty 5-point", make([]int, 6), 0, 0, 0, 0, 100, 0},
		// 5,4,3 → 2 of 3 satisfied, mean 4.
		{"three answers", CountScores([]int{5, 4, 3}, 5), 3, 2, 200.0 / 3, 20.765960, 93.850806, 4},
		{"one answer", CountScores([]int{5}, 5), 1, 1, 100, 20.654931, 100, 5},
		{"all dissatisfied", CountScores([]int{1, 1, 2, 3, 1, 2, 3, 1, 2, 1}, 5), 10, 0, 0, 0, 27.753280, 1.7},
		// 10-point scale: 9 and 10 are satisfied, 8 is not.
		{"10-point", CountScores([]int{10, 9, 8, 1}, 10), 4, 2, 50, 15.003899, 84.996101, 7},
		{"80 of 100", []int{0, 5, 5, 10, 30, 50}, 100, 80, 80, 71.117083, 86.663307, 4.15},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := CSAT(tt.counts)
			if r.N != tt.n || r.Satisfied != tt.satisfied || !near(r.Score, tt.score, 1e-9) ||
				!near(r.CILow, tt.lo, 1e-5) || !near(r.CIHigh, tt.hi, 1e-5) || !near(r.Mean, tt.mean, 1e-9) {
				t.Errorf("CSAT = %+v, want n %d sat %d score %.6f [%.6f, %.6f] mean %v", r, tt.n, tt.satisfied, tt.score, tt.lo, tt.hi, tt.mean)
			}
		})
	}
}

func TestCSATChange(t *testing.T) {
	c := CSATChange(CSAT([]int{0, 5, 5, 10, 30, 50}), CSAT([]int{0, 0, 5, 5, 40, 50}))
	// pooled p = 170/200, se = √(.85·.15·.02), z = .1/se = 1.980295, p = .047670
	if !near(c.Value, 10, 1e-9) || !near(c.PValue, 0.047670, 1e-6) || !c.Significant {
		t.Errorf("got %+v", c)
	}
	if c := CSATChange(CSAT(make([]int, 6)), CSAT([]int{0, 0, 0, 0, 0, 1})); c != noChange {
		t.Errorf("empty period: %+v", c)
	}
	if c := CSATChange(CSAT([]int{0, 0, 0, 0, 0, 3}), CSAT([]int{0, 0, 0, 0, 0, 3})); c.PValue != 1 || c.Significant {
		t.Errorf("all satisfied twice: %+v", c)
	}
}

func TestCES(t *testing.T) {
	// counts for 1..7: 1,1,2,2,3,3,2 → n 14, mean 64/14 = 4.571429,
	// sd 1.827747, se 0.488486, t(.975, 13) = 2.160369 → half 1.055311.
	r := CES([]int{0, 1, 1, 2, 2, 3, 3, 2})
	if r.N != 14 || !near(r.Mean, 4.571429, 1e-6) || !near(r.CILow, 3.516118, 1e-5) || !near(r.CIHigh, 5.626738, 1e-5) {
		t.Errorf("CES = %+v", r)
	}
	if r.EasyCount != 8 || !near(r.Easy, 800.0/14, 1e-9) {
		t.Errorf("easy = %v (%d)", r.Easy, r.EasyCount)
	}
	one := CES(CountScores([]int{6}, 7))
	if one.N != 1 || one.Mean != 6 || one.CILow != 1 || one.CIHigh != 7 || one.Easy != 100 {
		t.Errorf("one answer = %+v", one)
	}
	empty := CES(nil)
	if empty.N != 0 || empty.Mean != 0 || empty.CILow != 1 || empty.CIHigh != 7 || empty.EasyCIHigh != 100 {
		t.Errorf("empty = %+v", empty)
	}
	same := CES(CountScores([]int{7, 7, 7}, 7))
	if same.Mean != 7 || same.CILow != 7 || same.CIHigh != 7 {
		t.Errorf("no spread = %+v", same)
	}
}

func TestStudentT(t *testing.T) {
	// Table values of t(0.975, df).
	for df, want := range map[float64]float64{1: 12.706205, 2: 4.302653, 5: 2.570582, 10: 2.228139, 13: 2.160369, 30: 2.042272, 1000: 1.962339} {
		if got := StudentTQuantile(0.975, df); !near(got, want, 1e-5) {
			t.Errorf("t(.975, %v) = %.6f, want %.6f", df, got, want)
		}
	}
	if got := StudentTCDF(0, 7); !near(got, 0.5, 1e-12) {
		t.Errorf("CDF(0) = %v", got)
	}
	if got := tTwoSidedP(2.228139, 10); !near(got, 0.05, 1e-6) {
		t.Errorf("two-sided p = %v", got)
	}
}

func TestNormalQuantile(t *testing.T) {
	for p, want := range map[float64]float64{0.5: 0, 0.975: 1.959963984540054, 0.0013498980316301: -3, 1e-10: -6.361340902404056, 0.999: 3.090232306167813} {
		if got := NormalQuantile(p); !near(got, want, 1e-9) {
			t.Errorf("NormalQuantile(%v) = %.12f, want %.12f", p, got, want)
		}
	}
	if !math.IsInf(NormalQuantile(0), -1) || !math.IsInf(NormalQuantile(1), 1) {
		t.Error("NormalQuantile bounds")
	}
	if z := upperTailZ(0); z != maxZ {
		t.Errorf("upperTailZ(0) = %v", z)
	}
}

func TestSentimentIndex(t *testing.T) {
	e := SentimentIndex(50, 30, 20)
	if e.Value != 30 || !near(e.CILow, 14.692192, 1e-5) || !near(e.CIHigh, 45.307808, 1e-5) || e.N != 100 {
		t.Errorf("got %+v", e)
	}
	if e := SentimentIndex(0, 0, 0); e.N != 0 || e.CILow != -100 || e.CIHigh != 100 {
		t.Errorf("empty: %+v", e)
	}
}

func TestChurnRetentionLTV(t *testing.T) {
	if e := ChurnRate(5, 100); e.Value != 5 || e.N != 100 || e.CILow <= 0 || e.CIHigh <= 5 {
		t.Errorf("churn: %+v", e)
	}
	if e := ChurnRate(0, 0); e.Value != 0 || e.CIHigh != 100 {
		t.Errorf("churn on empty base: %+v", e)
	}
	// start 100, end 110, 20 new → 90 of the 100 retained.
	if e := RetentionRate(100, 110, 20); e.Value != 90 {
		t.Errorf("retention: %+v", e)
	}
	if e := RetentionRate(10, 5, 8); e.Value != 0 {
		t.Errorf("retention with more new than end must clamp to 0: %+v", e)
	}
	if got := HistoricalLTV([]float64{0.1, 0.2, 0.3, -0.1}); !near(got, 0.5, 1e-15) {
		t.Errorf("historical LTV = %v", got)
	}
	if got := HistoricalLTV(nil); got != 0 {
		t.Errorf("historical LTV of nothing = %v", got)
	}
	if got := ARPU(1000, 40); got != 25 {
		t.Errorf("ARPU = %v", got)
	}
	if got, ok := PredictedLTV(25, 0.8, 0.05); !ok || !near(got, 400, 1e-9) {
		t.Errorf("predicted LTV = %v %v", got, ok)
	}
	if _, ok := PredictedLTV(25, 0.8, 0); ok {
		t.Error("predicted LTV with no churn must not be ok")
	}
	if got := PredictedLTVCapped(25, 0.8, 0, 36); !near(got, 720, 1e-9) {
		t.Errorf("capped LTV with no churn = %v", got)
	}
	if got := PredictedLTVCapped(25, 0.8, 0.05, 36); !near(got, 400, 1e-9) {
		t.Errorf("capped LTV below cap = %v", got)
	}
	if got := RevenueAtRisk([]float64{0.5, 0.1, 1.2}, []float64{1000, 2000, 10}); !near(got, 710, 1e-9) {
		t.Errorf("revenue at risk = %v", got)
	}
}

func TestDurations(t *testing.T) {
	m := time.Minute
	tests := []struct {
		name              string
		in                []time.Duration
		mean, median, p90 time.Duration
	}{
		{"empty", nil, 0, 0, 0},
		{"one", []time.Duration{5 * m}, 5 * m, 5 * m, 5 * m},
		// sorted 1..10 min: median rank 4.5 → 5.5 min; p90 rank 8.1 → 9.1 min.
		{"ten", []time.Duration{10 * m, 1 * m, 2 * m, 3 * m, 4 * m, 5 * m, 6 * m, 7 * m, 8 * m, 9 * m}, 330 * time.Second, 330 * time.Second, 546 * time.Second},
		// 1, 2, 3, 100 min: mean 26.5, median 2.5, p90 rank 2.7 → 3 + .7·97 = 70.9 min.
		{"skewed", []time.Duration{100 * m, 1 * m, 3 * m, 2 * m}, 1590 * time.Second, 150 * time.Second, 4254 * time.Second},
	}
	for _, tt := range tests {
		st := Durations(tt.in)
		if st.N != len(tt.in) || st.Mean != tt.mean || st.Median != tt.median || st.P90 != tt.p90 {
			t.Errorf("%s: %+v, want mean %v median %v p90 %v", tt.name, st, tt.mean, tt.median, tt.p90)
		}
	}
	in := []time.Duration{3, 1, 2}
	Durations(in)
	if in[0] != 3 {
		t.Error("Durations must not reorder its input")
	}
}

func TestTimeToAction(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := t0.Add(48 * time.Hour)
	cases := []CaseTimes{
		{Created: t0, FirstAction: t0.Add(time.Hour)},      // within
		{Created: t0, FirstAction: t0.Add(24 * time.Hour)}, // exactly 24 h: within
		{Created: t0, FirstAction: t0.Add(30 * time.Hour)}, // late
		{Created: t0},                      // never acted, overdue: missed
		{Created: now.Add(-2 * time.Hour)}, // pending
		{Created: now.Add(-3 * time.Hour), FirstAction: now.Add(-time.Hour)}, // within
	}
	st := TimeToAction(cases, 0, now)
	if st.Pending != 1 || st.Within.N != 5 || !near(st.Within.Value, 60, 1e-9) {
		t.Errorf("within = %+v pending %d", st.Within, st.Pending)
	}
	// acted: 1 h, 24 h, 30 h, 2 h → median 13 h, mean 14.25 h.
	if st.TimeToAction.N != 4 || st.TimeToAction.Median != 13*time.Hour || st.TimeToAction.Mean != 14*time.Hour+15*time.Minute {
		t.Errorf("time to action = %+v", st.TimeToAction)
	}
	if st := TimeToAction(nil, 0, now); st.Within.N != 0 || st.Within.CIHigh != 100 {
		t.Errorf("no cases: %+v", st)
	}
}

func TestRankEmployees(t *testing.T) {
	lb := RankEmployeesNPS([]EmployeeNPSCounts{
		{"lucky", 10, 0, 0},   // 100, adjusted lower bound 47.5
		{"steady", 95, 5, 0},  // 95, lower bound 86.6
		{"mixed", 50, 30, 20}, // 30
		{"new", 3, 0, 0},      // below minimum
		{"absent", 0, 0, 0},   // below minimum
		{"bad", 0, 0, 12},     // −100
	}, 0)
	var order []string
	for i, s := range lb.Ranked {
		order = append(order, s.Employee)
		if s.Rank != i+1 {
			t.Errorf("%s rank %d", s.Employee, s.Rank)
		}
	}
	if got, want := order, []string{"steady", "lucky", "mixed", "bad"}; !equalStrings(got, want) {
		t.Errorf("ranked %v, want %v", got, want)
	}
	if len(lb.Insufficient) != 2 || lb.Insufficient[0].Employee != "absent" || lb.Insufficient[1].Employee != "new" || lb.Insufficient[1].Rank != 0 {
		t.Errorf("insufficient %+v", lb.Insufficient)
	}
	if lb.Ranked[1].Score != 100 {
		t.Errorf("score shown must be the raw NPS: %+v", lb.Ranked[1])
	}

	cs := RankEmployeesCSAT([]EmployeeCSATCounts{
		{"a", 10, 10}, {"b", 45, 50}, {"c", 4, 5}, {"d", 45, 60},
	}, 10)
	if len(cs.Ranked) != 3 || cs.Ranked[0].Employee != "b" || cs.Ranked[1].Employee != "a" || cs.Ranked[2].Employee != "d" {
		t.Errorf("CSAT ranked %+v", cs.Ranked)
	}
	if len(cs.Insufficient) != 1 || cs.Insufficient[0].Employee != "c" {
		t.Errorf("CSAT insufficient %+v", cs.Insufficient)
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
