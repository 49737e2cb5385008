package metrics

import "math"

// Z95 is the two-sided 95 % standard normal quantile used by every confidence
// interval and significance test in this package.
const Z95 = 1.959963984540054

// Alpha is the significance level matching Z95: a change is reported as
// significant when its two-sided p-value is below it.
const Alpha = 0.05

// Estimate is a metric value with its 95 % confidence interval and the sample
// size behind it, for metrics that need nothing more.
type Estimate struct {
	Value  float64 `json:"value"`
	CILow  float64 `json:"ci_low"`
	CIHigh float64 `json:"ci_high"`
	N      int     `json:"n"`
}

// Change is the difference between two periods (current − previous, in the
// metric's own units) with the two-sided p-value of the test that it is zero.
type Change struct {
	Value       float64 `json:"value"`
	PValue      float64 `json:"p_value"`
	Significant bool    `json:"significant"`
}

// noChange is returned when one of the periods has no data: there is nothing
// to compare, so the change is zero and not significant.
var noChange = Change{Value: 0, PValue: 1}

// changeFromZ builds a Change from a difference and its standard error.
func changeFromZ(diff, se float64) Change {
	if se <= 0 || math.IsNaN(se) {
		if diff == 0 {
			return Change{Value: diff, PValue: 1}
		}
		return Change{Value: diff, PValue: 0, Significant: true}
	}
	p := TwoSidedP(diff / se)
	return Change{Value: diff, PValue: p, Significant: p < Alpha}
}

// NormalCDF is the standard normal cumulative distribution function.
func NormalCDF(x float64) float64 {
	return 0.5 * math.Erfc(-x/math.Sqrt2)
}

// TwoSidedP is the two-sided p-value of a standard normal z statistic.
func TwoSidedP(z float64) float64 {
	return math.Erfc(math.Abs(z) / math.Sqrt2)
}

// Wilson returns the 95 % Wilson score interval for k successes out of n, as
// fractions in [0, 1]. Unlike the Wald interval it stays inside [0, 1] and does
// not collapse to a point when k is 0 or n, which matters for small samples.
// For n = 0 it returns the uninformative interval [0, 1].
func Wilson(k, n int) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	k = clampInt(k, 0, n)
	nf := float64(n)
	p := float64(k) / nf
	z2 := Z95 * Z95
	denom := 1 + z2/nf
	centre := (p + z2/(2*nf)) / denom
	half := Z95 * math.Sqrt(p*(1-p)/nf+z2/(4*nf*nf)) / denom
	return clamp(centre-half, 0, 1), clamp(centre+half, 0, 1)
}

// proportionEstimate is k/n in percent with its Wilson interval.
func proportionEstimate(k, n int) Estimate {
	if n <= 0 {
		return Estimate{Value: 0, CILow: 0, CIHigh: 100, N: 0}
	}
	lo, hi := Wilson(k, n)
	return Estimate{Value: 100 * float64(clampInt(k, 0, n)) / float64(n), CILow: 100 * lo, CIHigh: 100 * hi, N: n}
}

// TwoProportionChange tests whether k2/n2 differs from k1/n1 with the pooled
// two-proportion z-test; Value is (k2/n2 − k1/n1) in percentage points.
func TwoProportionChange(k1, n1, k2, n2 int) Change {
	if n1 <= 0 || n2 <= 0 {
		return noChange
	}
	k1, k2 = clampInt(k1, 0, n1), clampInt(k2, 0, n2)
	p1 := float64(k1) / float64(n1)
	p2 := float64(k2) / float64(n2)
	pool := float64(k1+k2) / float64(n1+n2)
	se := math.Sqrt(pool * (1 - pool) * (1/float64(n1) + 1/float64(n2)))
	c := changeFromZ(p2-p1, se)
	c.Value *= 100
	return c
}

// StudentTCDF is the cumulative distribution function of Student's t with df
// degrees of freedom.
func StudentTCDF(t, df float64) float64 {
	if math.IsInf(df, 1) || df > 1e7 {
		return NormalCDF(t)
	}
	x := df / (df + t*t)
	tail := 0.5 * regIncBeta(df/2, 0.5, x)
	if t > 0 {
		return 1 - tail
	}
	return tail
}

// StudentTQuantile returns t such that StudentTCDF(t, df) = p, for 0 < p < 1.
func StudentTQuantile(p, df float64) float64 {
	if p <= 0 || p >= 1 || df <= 0 {
		return math.NaN()
	}
	if p == 0.5 {
		return 0
	}
	if p < 0.5 {
		return -StudentTQuantile(1-p, df)
	}
	lo, hi := 0.0, 1.0
	for StudentTCDF(hi, df) < p {
		lo, hi = hi, hi*2
		if hi > 1e12 {
			return math.Inf(1)
		}
	}
	for range 200 {
		mid := (lo + hi) / 2
		if StudentTCDF(mid, df) < p {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo < 1e-12*hi {
			break
		}
	}
	return (lo + hi) / 2
}

// tTwoSidedP is the two-sided p-value of a t statistic with df degrees of freedom.
func tTwoSidedP(t, df float64) float64 {
	if math.IsInf(df, 1) || df > 1e7 {
		return TwoSidedP(t)
	}
	return regIncBeta(df/2, 0.5, df/(df+t*t))
}

// regIncBeta is the regularised incomplete beta function I_x(a, b), evaluated
// with the continued fraction of Numerical Recipes (Lentz's method).
func regIncBeta(a, b, x float64) float64 {
	if x <= 0 {
		return 0
	}
	if x >= 1 {
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(a*math.Log(x) + b*math.Log1p(-x) + lab - la - lb)
	if x < (a+1)/(a+b+2) {
		return front * betaContinuedFraction(a, b, x) / a
	}
	return 1 - front*betaContinuedFraction(b, a, 1-x)/b
}

func betaContinuedFraction(a, b, x float64) float64 {
	const (
		maxIter = 500
		eps     = 1e-15
		tiny    = 1e-300
	)
	qab, qap, qam := a+b, a+1, a-1
	c := 1.0
	d := 1 - qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m <= maxIter; m++ {
		mf := float64(m)
		m2 := 2 * mf
		aa := mf * (b - mf) * x / ((qam + m2) * (a + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		h *= d * c
		aa = -(a + mf) * (qab + mf) * x / ((a + m2) * (qap + m2))
		d = 1 + aa*d
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = 1 + aa/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < eps {
			break
		}
	}
	return h
}

func clamp(x, lo, hi float64) float64 {
	return math.Max(lo, math.Min(hi, x))
}

func clampInt(x, lo, hi int) int {
	return max(lo, min(hi, x))
}

// NormalQuantile is the inverse of NormalCDF, for 0 < p < 1 (Acklam's rational
// approximation polished by one Halley step, accurate to ~1e-15).
func NormalQuantile(p float64) float64 {
	switch {
	case p <= 0:
		return math.Inf(-1)
	case p >= 1:
		return math.Inf(1)
	}
	a := [...]float64{-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00}
	b := [...]float64{-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01}
	c := [...]float64{-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00}
	d := [...]float64{7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00}
	const pLow = 0.02425
	var x float64
	switch {
	case p < pLow:
		q := math.Sqrt(-2 * math.Log(p))
		x = (((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q + c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q + 1)
	case p <= 1-pLow:
		q := p - 0.5
		r := q * q
		x = (((((a[0]*r+a[1])*r+a[2])*r+a[3])*r+a[4])*r + a[5]) * q / (((((b[0]*r+b[1])*r+b[2])*r+b[3])*r+b[4])*r + 1)
	default:
		q := math.Sqrt(-2 * math.Log1p(-p))
		x = -(((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q + c[5]) / ((((d[0]*q+d[1])*q+d[2])*q+d[3])*q + 1)
	}
	e := NormalCDF(x) - p
	u := e * math.Sqrt(2*math.Pi) * math.Exp(x*x/2)
	return x - u/(1+x*u/2)
}

// binomialUpperTail is P(X ≥ k) for X ~ Binomial(n, p).
func binomialUpperTail(k, n int, p float64) float64 {
	switch {
	case k <= 0:
		return 1
	case k > n:
		return 0
	}
	return regIncBeta(float64(k), float64(n-k+1), p)
}

// maxZ caps z-equivalents of vanishing tail probabilities so they stay finite.
const maxZ = 38.0

// upperTailZ converts a one-sided upper-tail probability into the standard
// normal z with the same tail, so exact tests share the z thresholds.
func upperTailZ(tail float64) float64 {
	if tail <= 0 {
		return maxZ
	}
	return math.Min(-NormalQuantile(tail), maxZ)
}
