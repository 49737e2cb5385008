package metrics

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestVolumeZ(t *testing.T) {
	tests := []struct {
		name        string
		current     int
		baseline    []int
		z, expected float64
	}{
		// mean 10, sample variance 2.67 < mean → Poisson 10, × 1.25 → normal
		// z = 20/√12.5 = 5.66; exact: P(Bin(70, 1/5) ≥ 30) = 1.1529e-5 → z 4.233.
		{"poisson floor", 30, []int{10, 12, 8, 10}, 4.233014, 10},
		// sample variance 133.3 > mean 20 → × 1.25 → normal z = 20/√166.7 =
		// 1.549; exact: P(Bin(120, 1/5) ≥ 40) = 4.2255e-4 → z 3.338.
		{"overdispersed", 40, []int{10, 30, 10, 30}, 1.549193, 20},
		// silent baseline: variance floor 1, × 1.5 → normal z = 3/√1.5 = 2.449;
		// exact: P(Bin(3, 1/3) ≥ 3) = 1/27 → z 1.786.
		{"silent baseline", 3, []int{0, 0}, 1.786156, 0},
		{"no baseline", 5, nil, 0, 0},
		{"drop", 0, []int{10}, -10 / math.Sqrt(20), 10},
	}
	for _, tt := range tests {
		z, e := VolumeZ(tt.current, tt.baseline)
		if !near(z, tt.z, 1e-5) || !near(e, tt.expected, 1e-9) {
			t.Errorf("%s: z %.6f expected %v, want %.6f %v", tt.name, z, e, tt.z, tt.expected)
		}
	}
}

func TestShareJumpZ(t *testing.T) {
	// 6/10 vs 20/100: pooled 26/110, se = √(p(1−p)(1/10 + 1/100)).
	if z := ShareJumpZ(6, 10, 20, 100); !near(z, 2.838769, 1e-5) {
		t.Errorf("z = %v", z)
	}
	// Exact: P(Bin(10, 0.2) ≥ 6) = 0.0063694 → z 2.491, below the normal z.
	if z := shareSpikeZ(6, 10, 20, 100); !near(z, 2.490990, 1e-5) {
		t.Errorf("exact-capped z = %v", z)
	}
	if z := ShareJumpZ(0, 0, 20, 100); z != 0 {
		t.Errorf("empty window: %v", z)
	}
	if z := ShareJumpZ(10, 10, 100, 100); z != 0 {
		t.Errorf("all negative in both: %v", z)
	}
}

func TestSpikeChecks(t *testing.T) {
	counts := make([]int, 3*HoursPerWeek)
	neg := make([]int, len(counts))
	for i := range counts {
		counts[i] = 20
		neg[i] = 4
	}
	at := 2*HoursPerWeek + 5
	counts[at] = 60 // baseline 20, 20: normal z = 40/√30 = 7.30; exact P(Bin(100, 1/3) ≥ 60) → 5.353
	s, ok := VolumeSpike(counts, at, SpikeConfig{})
	if !ok || s.Kind != SpikeVolume || s.Count != 60 || s.Expected != 20 || !near(s.Z, 5.353057, 1e-5) {
		t.Errorf("volume spike = %+v %v", s, ok)
	}
	if _, ok := VolumeSpike(counts, at, SpikeConfig{Threshold: 6}); ok {
		t.Error("a higher threshold must silence it")
	}
	if _, ok := VolumeSpike(counts, at, SpikeConfig{MinWeeks: 3}); ok {
		t.Error("alerted without enough baseline weeks")
	}
	if _, ok := VolumeSpike(counts, 5, SpikeConfig{}); ok {
		t.Error("alerted in the first week")
	}
	quiet := make([]int, 2*HoursPerWeek)
	quiet[HoursPerWeek+3] = 6 // z = 6/√2 = 4.2 but under MinCount
	if _, ok := VolumeSpike(quiet, HoursPerWeek+3, SpikeConfig{}); ok {
		t.Error("alerted below the minimum count")
	}

	neg[at] = 30 // 30/60 vs 4/20
	s, ok = NegativeShareSpike(counts, neg, at, SpikeConfig{})
	if !ok || s.Kind != SpikeNegativeShare || !near(s.Share, 0.5, 1e-12) || !near(s.BaselineShare, 0.2, 1e-12) || s.Z < 3 {
		t.Errorf("share spike = %+v %v", s, ok)
	}
	if _, ok := NegativeShareSpike(counts, neg, at, SpikeConfig{MinShareJump: 0.35}); ok {
		t.Error("a larger minimum jump must silence it")
	}
	got := DetectSpikes(counts, neg, SpikeConfig{})
	if len(got) != 2 || got[0].Kind != SpikeVolume || got[1].Kind != SpikeNegativeShare || got[0].Hour != at {
		t.Errorf("DetectSpikes = %+v", got)
	}
	if got := DetectSpikes(counts, nil, SpikeConfig{}); len(got) != 1 {
		t.Errorf("DetectSpikes without negatives = %+v", got)
	}
}

// poisson draws from a Poisson distribution by Knuth's method (fine for the
// small rates of the synthetic stream).
func poisson(rng *rand.Rand, lambda float64) int {
	l := math.Exp(-lambda)
	k, p := 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func binomial(rng *rand.Rand, n int, p float64) int {
	k := 0
	for range n {
		if rng.Float64() < p {
			k++
		}
	}
	return k
}

type injected struct {
	kind       string
	start, end int // hours, inclusive
}

// syntheticStream builds weeks of hourly mentions with daily and weekly
// seasonality (rates from 3 at night to 45 at a weekday noon) and a 20 %
// negative share, then injects volume spikes (rate × 2.5-4) and negative-share
// spikes (share 55-70 %, volume unchanged) of 1-3 hours at random places in the
// last four weeks, at least 12 hours apart.
func syntheticStream(seed uint64, weeks, spikes int) (total, negative []int, truth []injected) {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b9))
	hours := weeks * HoursPerWeek
	total = make([]int, hours)
	negative = make([]int, hours)
	rate := func(h int) float64 {
		hourOfDay := h % 24
		day := (h / 24) % 7
		daily := 0.15 + 0.85*math.Exp(-math.Pow(float64(hourOfDay-13)/4.5, 2))
		weekly := 1.0
		if day >= 5 {
			weekly = 0.6
		}
		return 3 + 42*daily*weekly
	}
	first := (weeks - 4) * HoursPerWeek
	var starts []int
	for len(truth) < spikes {
		s := first + rng.IntN(hours-first-3)
		clash := false
		for _, o := range starts {
			if s > o-12 && s < o+12 {
				clash = true
			}
		}
		if clash {
			continue
		}
		starts = append(starts, s)
		kind := SpikeVolume
		if len(truth)%2 == 1 {
			kind = SpikeNegativeShare
		}
		truth = append(truth, injected{kind: kind, start: s, end: s + rng.IntN(3)})
	}
	for h := range hours {
		lambda, share := rate(h), 0.2
		for i, in := range truth {
			if h < in.start || h > in.end {
				continue
			}
			if in.kind == SpikeVolume {
				lambda *= 2.5 + 1.5*float64(i%4)/3
			} else {
				share = 0.55 + 0.15*float64(i%4)/3
			}
		}
		total[h] = poisson(rng, lambda)
		negative[h] = binomial(rng, total[h], share)
	}
	return total, negative, truth
}

// detectionScore counts, for one spike kind, alert events (consecutive
// alerting hours merged), those overlapping an injected spike of that kind,
// injected spikes, those overlapped by an event, and the same for the injected
// spikes that are detectable at all: at least MinCount items in some hour.
type detectionScore struct {
	events, truePositive    int
	injected, found         int
	eligible, eligibleFound int
}

func (a *detectionScore) add(b detectionScore) {
	a.events += b.events
	a.truePositive += b.truePositive
	a.injected += b.injected
	a.found += b.found
	a.eligible += b.eligible
	a.eligibleFound += b.eligibleFound
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

func (a detectionScore) precision() float64      { return ratio(a.truePositive, a.events) }
func (a detectionScore) recall() float64         { return ratio(a.found, a.injected) }
func (a detectionScore) eligibleRecall() float64 { return ratio(a.eligibleFound, a.eligible) }

func scoreDetections(spikes []Spike, truth []injected, total []int, minCount int, kind string) detectionScore {
	type event struct{ start, end int }
	var evs []event
	for _, s := range spikes {
		if s.Kind != kind {
			continue
		}
		if len(evs) > 0 && s.Hour == evs[len(evs)-1].end+1 {
			evs[len(evs)-1].end = s.Hour
		} else {
			evs = append(evs, event{s.Hour, s.Hour})
		}
	}
	overlaps := func(e event, in injected) bool { return e.start <= in.end && in.start <= e.end }
	sc := detectionScore{events: len(evs)}
	for _, e := range evs {
		for _, in := range truth {
			if in.kind == kind && overlaps(e, in) {
				sc.truePositive++
				break
			}
		}
	}
	for _, in := range truth {
		if in.kind != kind {
			continue
		}
		eligible := false
		for h := in.start; h <= in.end; h++ {
			eligible = eligible || total[h] >= minCount
		}
		found := false
		for _, e := range evs {
			found = found || overlaps(e, in)
		}
		sc.injected++
		if found {
			sc.found++
		}
		if eligible {
			sc.eligible++
			if found {
				sc.eligibleFound++
			}
		}
	}
	return sc
}

// TestSpikePrecisionRecall measures the detector on synthetic streams with
// injected spikes: 10 streams of 8 weeks, 30 spikes each in the last 4 weeks,
// at thresholds 2.5, 3 (default) and 4. Run with -v to see the numbers; the
// assertions guard the default against regressions. Misses are mostly spikes
// in quiet night hours, where ×2.5 of a few items or a 55 % negative share of
// ten items is within what chance produces.
func TestSpikePrecisionRecall(t *testing.T) {
	const streams, weeks, spikesPer = 10, 8, 30
	for _, threshold := range []float64{2.5, 3, 4} {
		cfg := SpikeConfig{Threshold: threshold, ShareThreshold: threshold}
		var vol, share detectionScore
		for seed := range uint64(streams) {
			total, negative, truth := syntheticStream(seed+1, weeks, spikesPer)
			spikes := DetectSpikes(total, negative, cfg)
			minCount := cfg.withDefaults().MinCount
			vol.add(scoreDetections(spikes, truth, total, minCount, SpikeVolume))
			share.add(scoreDetections(spikes, truth, total, minCount, SpikeNegativeShare))
		}
		t.Logf("z ≥ %.1f volume:         precision %.3f (%d/%d events) recall %.3f (%d/%d), with ≥ MinCount items %.3f (%d/%d)",
			threshold, vol.precision(), vol.truePositive, vol.events, vol.recall(), vol.found, vol.injected, vol.eligibleRecall(), vol.eligibleFound, vol.eligible)
		t.Logf("z ≥ %.1f negative share: precision %.3f (%d/%d events) recall %.3f (%d/%d), with ≥ MinCount items %.3f (%d/%d)",
			threshold, share.precision(), share.truePositive, share.events, share.recall(), share.found, share.injected, share.eligibleRecall(), share.eligibleFound, share.eligible)
		if threshold == 3 && (vol.precision() < 0.9 || share.precision() < 0.9 || vol.recall() < 0.8 || share.eligibleRecall() < 0.75) {
			t.Errorf("default detector below target")
		}
	}
}
