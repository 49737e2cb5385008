package metrics

import "math"

// HoursPerWeek is the seasonal period of the spike baseline: the same hour of
// the week in earlier weeks.
const HoursPerWeek = 7 * 24

// Spike kinds.
const (
	SpikeVolume        = "volume"
	SpikeNegativeShare = "negative_share"
)

// SpikeConfig tunes spike detection; zero values pick the defaults.
type SpikeConfig struct {
	// Threshold is the volume z-score at or above which a window is a spike;
	// default 3.
	Threshold float64
	// MinCount is the fewest items in the window for any alert, so a handful
	// of mentions in a quiet hour never pages anyone; default 10.
	MinCount int
	// Window is the window length in hours; default 1.
	Window int
	// Weeks is how many previous weeks form the seasonal baseline; default 4.
	Weeks int
	// MinWeeks is how many baseline weeks must exist before volume alerts;
	// default 1.
	MinWeeks int
	// ShareThreshold is the one-sided two-proportion z at or above which a rise
	// of the negative share is a spike; default 3.
	ShareThreshold float64
	// MinShareJump is the smallest rise of the negative share (a fraction)
	// worth an alert, however significant; default 0.15.
	MinShareJump float64
	// ShareBaselineHours is the trailing span, just before the window, whose
	// negative share is the baseline; default one week.
	ShareBaselineHours int
}

func (c SpikeConfig) withDefaults() SpikeConfig {
	if c.Threshold <= 0 {
		c.Threshold = 3
	}
	if c.MinCount <= 0 {
		c.MinCount = 10
	}
	if c.Window <= 0 {
		c.Window = 1
	}
	if c.Weeks <= 0 {
		c.Weeks = 4
	}
	if c.MinWeeks <= 0 {
		c.MinWeeks = 1
	}
	if c.ShareThreshold <= 0 {
		c.ShareThreshold = 3
	}
	if c.MinShareJump <= 0 {
		c.MinShareJump = 0.15
	}
	if c.ShareBaselineHours <= 0 {
		c.ShareBaselineHours = HoursPerWeek
	}
	return c
}

// Spike is one alerting window. Hour is the index of the window's last hour in
// the series. For volume spikes Expected is the seasonal mean; for negative-
// share spikes Share and BaselineShare are the window's and the baseline's
// negative shares (fractions).
type Spike struct {
	Hour          int     `json:"hour"`
	Kind          string  `json:"kind"`
	Count         int     `json:"count"`
	Expected      float64 `json:"expected"`
	Z             float64 `json:"z"`
	Share         float64 `json:"share,omitempty"`
	BaselineShare float64 `json:"baseline_share,omitempty"`
}

// VolumeZ scores a window count against the counts of the same window in
// previous weeks and returns z and the expected count (the baseline mean);
// with an empty baseline z is 0. A rise must pass two tests, and z is the
// smaller of the two:
//
//   - a normal z whose variance is the larger of the baseline's sample variance
//     and its mean (counts are at least Poisson-noisy, and a few quiet weeks
//     must not make any blip look extreme), at least 1, inflated by 1 + 1/k for
//     estimating the mean from k weeks — this covers extra-Poisson variation;
//   - the exact conditional test of equal Poisson rates (given the total, the
//     current count is Binomial(total, 1/(k+1))), its p-value expressed as the
//     normal z with the same upper tail — this keeps small counts, whose
//     Poisson tails are heavier than the normal's, from false alarms.
func VolumeZ(current int, baseline []int) (z, expected float64) {
	k := float64(len(baseline))
	if k == 0 {
		return 0, 0
	}
	sum := 0
	for _, b := range baseline {
		sum += b
	}
	mean := float64(sum) / k
	variance := mean
	if k > 1 {
		var ss float64
		for _, b := range baseline {
			ss += (float64(b) - mean) * (float64(b) - mean)
		}
		variance = math.Max(variance, ss/(k-1))
	}
	variance = math.Max(variance, 1) * (1 + 1/k)
	z = (float64(current) - mean) / math.Sqrt(variance)
	if z > 0 {
		exact := upperTailZ(binomialUpperTail(current, current+sum, 1/(k+1)))
		z = math.Min(z, exact)
	}
	return z, mean
}

// ShareJumpZ is the pooled two-proportion z of a rise of the share k1/n1 (the
// window) over k0/n0 (the baseline); positive when the share rose. It is 0 when
// either sample is empty or the pooled share is 0 or 1.
func ShareJumpZ(k1, n1, k0, n0 int) float64 {
	if n1 <= 0 || n0 <= 0 {
		return 0
	}
	p1, p0 := float64(k1)/float64(n1), float64(k0)/float64(n0)
	pool := float64(k1+k0) / float64(n1+n0)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n0)))
	if se == 0 {
		return 0
	}
	return (p1 - p0) / se
}

// shareSpikeZ is the smaller of ShareJumpZ and the z-equivalent of the exact
// binomial tail P(X ≥ k1 | n1, k0/n0): with the few items of a quiet hour the
// binomial tail is much heavier than the normal approximation assumes.
func shareSpikeZ(k1, n1, k0, n0 int) float64 {
	z := ShareJumpZ(k1, n1, k0, n0)
	if z <= 0 {
		return z
	}
	return math.Min(z, upperTailZ(binomialUpperTail(k1, n1, float64(k0)/float64(n0))))
}

// windowSum sums counts over the window of length w ending at end; ok is false
// when the window starts before the series.
func windowSum(counts []int, end, w int) (sum int, ok bool) {
	if end >= len(counts) || end-w+1 < 0 {
		return 0, false
	}
	for i := end - w + 1; i <= end; i++ {
		sum += counts[i]
	}
	return sum, true
}

// VolumeSpike checks the window ending at hour at of an hourly series (index 0
// is any hour; only differences of HoursPerWeek matter) against the same window
// in up to cfg.Weeks previous weeks. It alerts when the window holds at least
// MinCount items and z ≥ Threshold.
func VolumeSpike(counts []int, at int, cfg SpikeConfig) (Spike, bool) {
	cfg = cfg.withDefaults()
	current, ok := windowSum(counts, at, cfg.Window)
	if !ok {
		return Spike{}, false
	}
	var baseline []int
	for k := 1; k <= cfg.Weeks; k++ {
		if b, ok := windowSum(counts, at-k*HoursPerWeek, cfg.Window); ok {
			baseline = append(baseline, b)
		}
	}
	if len(baseline) < cfg.MinWeeks {
		return Spike{}, false
	}
	z, expected := VolumeZ(current, baseline)
	s := Spike{Hour: at, Kind: SpikeVolume, Count: current, Expected: expected, Z: z}
	return s, current >= cfg.MinCount && z >= cfg.Threshold
}

// NegativeShareSpike checks whether the share of negative items in the window
// ending at hour at jumped above their share over the preceding
// ShareBaselineHours: it alerts when the window holds at least MinCount items,
// the share rose by at least MinShareJump and the one-sided two-proportion
// z — capped by the exact binomial test, see ShareJumpZ — is ≥ ShareThreshold. negative[i] counts the negative items among total[i].
func NegativeShareSpike(total, negative []int, at int, cfg SpikeConfig) (Spike, bool) {
	cfg = cfg.withDefaults()
	n1, ok1 := windowSum(total, at, cfg.Window)
	k1, ok2 := windowSum(negative, at, cfg.Window)
	if !ok1 || !ok2 {
		return Spike{}, false
	}
	baseEnd := at - cfg.Window
	span := min(cfg.ShareBaselineHours, baseEnd+1)
	n0, ok3 := windowSum(total, baseEnd, span)
	k0, ok4 := windowSum(negative, baseEnd, span)
	if !ok3 || !ok4 || n0 < cfg.MinCount || n1 <= 0 {
		return Spike{}, false
	}
	p1, p0 := float64(k1)/float64(n1), float64(k0)/float64(n0)
	z := shareSpikeZ(k1, n1, k0, n0)
	s := Spike{Hour: at, Kind: SpikeNegativeShare, Count: n1, Expected: p0 * float64(n1), Z: z, Share: p1, BaselineShare: p0}
	return s, n1 >= cfg.MinCount && p1-p0 >= cfg.MinShareJump && z >= cfg.ShareThreshold
}

// DetectSpikes runs both checks on every hour of the series and returns the
// alerting windows in time order (volume before share within an hour). A
// nil negative series skips the share check. Consecutive alerting hours are
// all returned; the alerting service decides how to group them.
func DetectSpikes(total, negative []int, cfg SpikeConfig) []Spike {
	var spikes []Spike
	for at := range total {
		if s, ok := VolumeSpike(total, at, cfg); ok {
			spikes = append(spikes, s)
		}
		if negative != nil {
			if s, ok := NegativeShareSpike(total, negative, at, cfg); ok {
				spikes = append(spikes, s)
			}
		}
	}
	return spikes
}
