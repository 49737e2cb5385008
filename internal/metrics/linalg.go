package metrics

import (
	"errors"
	"math"
)

// errNotPositiveDefinite reports a matrix that Cholesky cannot factor; the
// regressions add a ridge so that it does not happen on real data.
var errNotPositiveDefinite = errors.New("metrics: matrix is not positive definite")

// cholesky returns the lower-triangular L with a = L·Lᵀ for a symmetric
// positive-definite a (row-major, n×n). a is not modified.
func cholesky(a [][]float64) ([][]float64, error) {
	n := len(a)
	l := make([][]float64, n)
	for i := range l {
		l[i] = make([]float64, n)
	}
	for i := range n {
		for j := 0; j <= i; j++ {
			s := a[i][j]
			for k := range j {
				s -= l[i][k] * l[j][k]
			}
			if i == j {
				if s <= 0 || math.IsNaN(s) {
					return nil, errNotPositiveDefinite
				}
				l[i][i] = math.Sqrt(s)
			} else {
				l[i][j] = s / l[j][j]
			}
		}
	}
	return l, nil
}

// choleskySolve solves L·Lᵀ·x = b.
func choleskySolve(l [][]float64, b []float64) []float64 {
	n := len(l)
	y := make([]float64, n)
	for i := range n {
		s := b[i]
		for k := range i {
			s -= l[i][k] * y[k]
		}
		y[i] = s / l[i][i]
	}
	x := make([]float64, n)
	for i := n - 1; i >= 0; i-- {
		s := y[i]
		for k := i + 1; k < n; k++ {
			s -= l[k][i] * x[k]
		}
		x[i] = s / l[i][i]
	}
	return x
}

// choleskyInverseDiag returns the diagonal of (L·Lᵀ)⁻¹.
func choleskyInverseDiag(l [][]float64) []float64 {
	n := len(l)
	diag := make([]float64, n)
	e := make([]float64, n)
	for i := range n {
		clear(e)
		e[i] = 1
		diag[i] = choleskySolve(l, e)[i]
	}
	return diag
}

func newMatrix(n int) [][]float64 {
	m := make([][]float64, n)
	for i := range m {
		m[i] = make([]float64, n)
	}
	return m
}
