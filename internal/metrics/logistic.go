package metrics

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Errors returned by FitLogistic.
var (
	ErrNoData   = errors.New("metrics: no training rows")
	ErrOneClass = errors.New("metrics: training labels are all the same class")
)

// LogisticOptions tune FitLogistic; zero values pick the defaults.
type LogisticOptions struct {
	// L2 is the ridge penalty on the standardised weights (not the intercept);
	// default 1. It keeps the fit finite when a feature separates the classes.
	L2 float64
	// MaxIter bounds the Newton iterations; default 50.
	MaxIter int
	// Tol stops when no coefficient moves by more than it; default 1e-9.
	Tol float64
}

// LogisticModel is a fitted L2-regularised logistic regression, used for the
// churn-risk model over features such as last NPS, sentiment trend, open
// cases, recency, frequency and monetary value. Features are standardised with
// the training mean and standard deviation, so Weights are comparable across
// features: each is the change in log-odds per standard deviation.
type LogisticModel struct {
	Mean       []float64 `json:"mean"`
	Scale      []float64 `json:"scale"`
	Weights    []float64 `json:"weights"`
	Intercept  float64   `json:"intercept"`
	Iterations int       `json:"iterations"`
	Converged  bool      `json:"converged"`
}

// FitLogistic fits P(y) = σ(b + w·z), z the standardised features, by
// Newton-Raphson (IRLS) with step halving, minimising the negative
// log-likelihood plus L2/2·|w|². It is deterministic: the same data give the
// same model. Rows of x must all have the same length as x[0].
func FitLogistic(x [][]float64, y []bool, opt LogisticOptions) (*LogisticModel, error) {
	if len(x) == 0 {
		return nil, ErrNoData
	}
	if len(x) != len(y) {
		return nil, fmt.Errorf("metrics: %d rows but %d labels", len(x), len(y))
	}
	if opt.L2 <= 0 {
		opt.L2 = 1
	}
	if opt.MaxIter <= 0 {
		opt.MaxIter = 50
	}
	if opt.Tol <= 0 {
		opt.Tol = 1e-9
	}
	d := len(x[0])
	positives := 0
	for i, row := range x {
		if len(row) != d {
			return nil, fmt.Errorf("metrics: row %d has %d features, want %d", i, len(row), d)
		}
		if y[i] {
			positives++
		}
	}
	if positives == 0 || positives == len(y) {
		return nil, ErrOneClass
	}

	m := &LogisticModel{Mean: make([]float64, d), Scale: make([]float64, d), Weights: make([]float64, d)}
	n := float64(len(x))
	for j := range d {
		var sum, sumSq float64
		for _, row := range x {
			sum += row[j]
		}
		mean := sum / n
		for _, row := range x {
			sumSq += (row[j] - mean) * (row[j] - mean)
		}
		m.Mean[j] = mean
		m.Scale[j] = math.Sqrt(sumSq / n)
		if m.Scale[j] < 1e-12 {
			m.Scale[j] = 1 // constant feature: its weight stays 0
		}
	}
	z := make([][]float64, len(x)) // standardised, with a leading 1 for the intercept
	for i, row := range x {
		z[i] = make([]float64, d+1)
		z[i][0] = 1
		for j := range d {
			z[i][j+1] = (row[j] - m.Mean[j]) / m.Scale[j]
		}
	}

	// Start from the intercept-only solution.
	beta := make([]float64, d+1)
	beta[0] = math.Log(float64(positives) / (n - float64(positives)))
	loss := logisticLoss(z, y, beta, opt.L2)
	for m.Iterations < opt.MaxIter {
		m.Iterations++
		grad := make([]float64, d+1)
		hess := newMatrix(d + 1)
		for i, zi := range z {
			p := sigmoid(dot(zi, beta))
			r := p
			if y[i] {
				r = p - 1
			}
			w := p * (1 - p)
			for a := range zi {
				grad[a] += r * zi[a]
				for b := range zi {
					hess[a][b] += w * zi[a] * zi[b]
				}
			}
		}
		hess[0][0] += 1e-10
		for j := 1; j <= d; j++ {
			grad[j] += opt.L2 * beta[j]
			hess[j][j] += opt.L2
		}
		l, err := cholesky(hess)
		if err != nil {
			return nil, fmt.Errorf("metrics: fitting logistic regression: %w", err)
		}
		step := choleskySolve(l, grad)
		next := make([]float64, d+1)
		var nextLoss float64
		for t := 1.0; ; t /= 2 {
			for a := range beta {
				next[a] = beta[a] - t*step[a]
			}
			nextLoss = logisticLoss(z, y, next, opt.L2)
			if nextLoss <= loss || t < 1e-10 {
				break
			}
		}
		moved := 0.0
		for a := range beta {
			moved = math.Max(moved, math.Abs(next[a]-beta[a]))
		}
		beta, loss = next, nextLoss
		if moved < opt.Tol {
			m.Converged = true
			break
		}
	}
	m.Intercept = beta[0]
	copy(m.Weights, beta[1:])
	return m, nil
}

// Predict returns the modelled probability for one row of raw (not
// standardised) features, in the training order. Missing trailing features
// count as the training mean; extra ones are ignored.
func (m *LogisticModel) Predict(x []float64) float64 {
	s := m.Intercept
	for j := range min(len(x), len(m.Weights)) {
		s += m.Weights[j] * (x[j] - m.Mean[j]) / m.Scale[j]
	}
	return sigmoid(s)
}

// PredictAll applies Predict to every row.
func (m *LogisticModel) PredictAll(x [][]float64) []float64 {
	out := make([]float64, len(x))
	for i, row := range x {
		out[i] = m.Predict(row)
	}
	return out
}

func logisticLoss(z [][]float64, y []bool, beta []float64, l2 float64) float64 {
	var loss float64
	for i, zi := range z {
		s := dot(zi, beta)
		// −log σ(s) = log(1 + e^−s), computed without overflow.
		if y[i] {
			loss += softplus(-s)
		} else {
			loss += softplus(s)
		}
	}
	for _, b := range beta[1:] {
		loss += l2 / 2 * b * b
	}
	return loss
}

func softplus(s float64) float64 {
	if s > 0 {
		return s + math.Log1p(math.Exp(-s))
	}
	return math.Log1p(math.Exp(s))
}

func sigmoid(s float64) float64 {
	if s >= 0 {
		return 1 / (1 + math.Exp(-s))
	}
	e := math.Exp(s)
	return e / (1 + e)
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// AUC is the area under the ROC curve of scores against labels: the
// probability that a random positive scores above a random negative, counting
// ties as one half (the Mann-Whitney U statistic with mid-ranks). It is NaN
// when there are no positives or no negatives, since the AUC is then undefined.
func AUC(scores []float64, labels []bool) float64 {
	n := min(len(scores), len(labels))
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(scores[a], scores[b]) })
	var rankSumPos float64
	pos := 0
	for i := 0; i < n; {
		j := i
		for j < n && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		midRank := float64(i+j+1) / 2 // ranks i+1..j, 1-based
		for k := i; k < j; k++ {
			if labels[idx[k]] {
				rankSumPos += midRank
				pos++
			}
		}
		i = j
	}
	neg := n - pos
	if pos == 0 || neg == 0 {
		return math.NaN()
	}
	return (rankSumPos - float64(pos)*float64(pos+1)/2) / (float64(pos) * float64(neg))
}
