package metrics

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"
)

func TestKeyDriversHandComputed(t *testing.T) {
	// One topic, 8 responses. Without: 100, 100, 0, −100; with: −100, −100, 0, 100.
	// XᵀX + λ = [[8 4] [4 5]], Xᵀy = [0 −100] → β = [16.667, −33.333].
	// RSS = 55555.6, σ² = RSS/6, SE = √(σ²·8/24) = 55.556, t(.975, 6) = 2.446912.
	var rows []DriverRow
	for _, y := range []float64{100, 100, 0, -100} {
		rows = append(rows, DriverRow{Outcome: y})
	}
	for _, y := range []float64{-100, -100, 0, 100} {
		rows = append(rows, DriverRow{Outcome: y, Topics: []string{"price", "price", "ignored"}})
	}
	ds := KeyDrivers(rows, []string{"price", "never mentioned"})
	if len(ds) != 1 {
		t.Fatalf("drivers = %+v", ds)
	}
	d := ds[0]
	if d.Topic != "price" || d.N != 4 || d.Share != 0.5 || !near(d.Effect, -33.333333, 1e-5) || !near(d.SE, 55.555556, 1e-5) ||
		!near(d.CILow, -169.272881, 1e-4) || !near(d.CIHigh, 102.606214, 1e-4) || !near(d.PValue, 0.570456, 1e-5) || d.Significant {
		t.Errorf("driver = %+v", d)
	}
	pp := PainPoints(ds)
	if len(pp) != 1 || !near(pp[0].Impact, 16.666667, 1e-5) {
		t.Errorf("pain points = %+v", pp)
	}
}

func TestKeyDriversEdgeCases(t *testing.T) {
	if ds := KeyDrivers(nil, []string{"a"}); ds != nil {
		t.Errorf("no rows: %+v", ds)
	}
	if ds := KeyDrivers([]DriverRow{{Outcome: 100, Topics: []string{"a"}}, {Outcome: 0}}, []string{"a"}); ds != nil {
		t.Errorf("as many rows as coefficients: %+v", ds)
	}
	// Two topics that always co-occur and one in every row: the ridge keeps it
	// solvable, splits the shared effect, and the intervals stay honest (wide).
	rng := rand.New(rand.NewPCG(7, 7))
	var rows []DriverRow
	for range 400 {
		r := DriverRow{Outcome: 20 + 10*rng.NormFloat64(), Topics: []string{"everywhere"}}
		if rng.IntN(3) == 0 {
			r.Topics = append(r.Topics, "a", "b")
			r.Outcome -= 40
		}
		rows = append(rows, r)
	}
	ds := KeyDrivers(rows, []string{"a", "b", "everywhere"})
	if len(ds) != 3 {
		t.Fatalf("drivers = %+v", ds)
	}
	for _, d := range ds {
		if math.IsNaN(d.Effect) || math.IsNaN(d.SE) || math.IsInf(d.SE, 0) {
			t.Errorf("non-finite driver %+v", d)
		}
	}
	if !near(ds[0].Effect, ds[1].Effect, 1e-9) || !near(ds[0].Effect+ds[1].Effect, -40, 2) {
		t.Errorf("collinear pair should split −40: %+v %+v", ds[0], ds[1])
	}
	if ds[0].SE < 5 {
		t.Errorf("collinear topics must get a wide interval, SE = %v", ds[0].SE)
	}
}

// TestKeyDriversRecoverEffects simulates NPS-coded answers with known topic
// effects and checks that the 95 % intervals cover them and that the pain
// points come out in the order of effect × volume.
func TestKeyDriversRecoverEffects(t *testing.T) {
	truth := map[string]float64{"wait time": -40, "price": -15, "staff": 25, "app": 0}
	freq := map[string]float64{"wait time": 0.1, "price": 0.5, "staff": 0.3, "app": 0.2}
	topics := []string{"wait time", "price", "staff", "app"}
	rng := rand.New(rand.NewPCG(42, 1))
	var rows []DriverRow
	for range 5000 {
		r := DriverRow{Outcome: 10}
		for _, tp := range topics {
			if rng.Float64() < freq[tp] {
				r.Topics = append(r.Topics, tp)
				r.Outcome += truth[tp]
			}
		}
		r.Outcome += 50 * rng.NormFloat64()
		rows = append(rows, r)
	}
	ds := KeyDrivers(rows, topics)
	for _, d := range ds {
		if truth[d.Topic] < d.CILow || truth[d.Topic] > d.CIHigh {
			t.Errorf("%s: true effect %v outside [%.2f, %.2f]", d.Topic, truth[d.Topic], d.CILow, d.CIHigh)
		}
		if (truth[d.Topic] != 0) != d.Significant {
			t.Errorf("%s: significant = %v (p = %.4f)", d.Topic, d.Significant, d.PValue)
		}
	}
	pp := PainPoints(ds)
	// price: 15 × 0.5 = 7.5 points lost; wait time: 40 × 0.1 = 4.
	if len(pp) < 2 || pp[0].Topic != "price" || pp[1].Topic != "wait time" {
		t.Errorf("pain points = %+v", pp)
	}
	for _, p := range pp {
		if p.Topic == "staff" {
			t.Errorf("a positive driver is not a pain point: %+v", p)
		}
	}
}

func TestNPSOutcome(t *testing.T) {
	for score, want := range map[int]float64{0: -100, 6: -100, 7: 0, 8: 0, 9: 100, 10: 100} {
		if got := NPSOutcome(score); got != want {
			t.Errorf("NPSOutcome(%d) = %v", score, got)
		}
	}
}

func TestFitLogisticHandComputed(t *testing.T) {
	// One binary feature, negligible penalty: the maximum-likelihood fit
	// reproduces each group's observed rate, 2/10 and 6/10.
	var x [][]float64
	var y []bool
	for i := range 10 {
		x = append(x, []float64{0})
		y = append(y, i < 2)
		x = append(x, []float64{1})
		y = append(y, i < 6)
	}
	m, err := FitLogistic(x, y, LogisticOptions{L2: 1e-9})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Converged || !near(m.Predict([]float64{0}), 0.2, 1e-6) || !near(m.Predict([]float64{1}), 0.6, 1e-6) {
		t.Errorf("model %+v predicts %v, %v", m, m.Predict([]float64{0}), m.Predict([]float64{1}))
	}
	// Standardised weight: log-odds ratio ln(1.5/0.25) = 1.791759 per 1 unit,
	// and the feature's standard deviation is 0.5.
	if !near(m.Weights[0], 1.791759*0.5, 1e-5) {
		t.Errorf("weight = %v", m.Weights[0])
	}
}

func TestFitLogisticErrorsAndSeparation(t *testing.T) {
	if _, err := FitLogistic(nil, nil, LogisticOptions{}); !errors.Is(err, ErrNoData) {
		t.Errorf("no data: %v", err)
	}
	if _, err := FitLogistic([][]float64{{1}, {2}}, []bool{true, true}, LogisticOptions{}); !errors.Is(err, ErrOneClass) {
		t.Errorf("one class: %v", err)
	}
	if _, err := FitLogistic([][]float64{{1}, {2, 3}}, []bool{true, false}, LogisticOptions{}); err == nil {
		t.Error("ragged rows accepted")
	}
	if _, err := FitLogistic([][]float64{{1}}, []bool{true, false}, LogisticOptions{}); err == nil {
		t.Error("label count mismatch accepted")
	}
	// Perfectly separable, with a constant column: L2 keeps the fit finite.
	x := [][]float64{{1, 5}, {2, 5}, {3, 5}, {4, 5}, {5, 5}, {6, 5}}
	y := []bool{false, false, false, true, true, true}
	m, err := FitLogistic(x, y, LogisticOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Converged || math.IsNaN(m.Weights[0]) || m.Weights[1] != 0 {
		t.Errorf("separable fit %+v", m)
	}
	if auc := AUC(m.PredictAll(x), y); auc != 1 {
		t.Errorf("AUC on separable data = %v", auc)
	}
}

// churnData simulates customers whose churn odds rise with detractor scores,
// open cases and days since the last purchase.
func churnData(rng *rand.Rand, n int) ([][]float64, []bool) {
	x := make([][]float64, n)
	y := make([]bool, n)
	for i := range n {
		nps := float64(rng.IntN(11))
		cases := float64(rng.IntN(4))
		recency := rng.Float64() * 180
		noise := rng.NormFloat64()
		logit := -1 - 0.4*(nps-7) + 0.5*cases + 0.01*(recency-90)
		x[i] = []float64{nps, cases, recency, noise}
		y[i] = rng.Float64() < sigmoid(logit)
	}
	return x, y
}

func TestChurnModelSynthetic(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	trainX, trainY := churnData(rng, 4000)
	testX, testY := churnData(rng, 2000)
	m, err := FitLogistic(trainX, trainY, LogisticOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !m.Converged || m.Iterations > 20 {
		t.Errorf("converged %v after %d iterations", m.Converged, m.Iterations)
	}
	// Per-unit coefficients are weight / scale; compare with the truth.
	for j, want := range []float64{-0.4, 0.5, 0.01, 0} {
		got := m.Weights[j] / m.Scale[j]
		if math.Abs(got-want) > 0.1*math.Max(math.Abs(want), 0.5) {
			t.Errorf("coefficient %d = %.4f, want ≈ %v", j, got, want)
		}
	}
	auc := AUC(m.PredictAll(testX), testY)
	t.Logf("held-out AUC = %.3f", auc)
	if auc < 0.75 {
		t.Errorf("held-out AUC %.3f too low", auc)
	}
	again, _ := FitLogistic(trainX, trainY, LogisticOptions{})
	for j := range m.Weights {
		if again.Weights[j] != m.Weights[j] || again.Intercept != m.Intercept {
			t.Fatal("fit is not deterministic")
		}
	}
}

func TestAUC(t *testing.T) {
	tests := []struct {
		name   string
		scores []float64
		labels []bool
		want   float64
	}{
		{"classic", []float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true}, 0.75},
		{"perfect", []float64{1, 2, 3}, []bool{false, true, true}, 1},
		{"inverted", []float64{3, 2, 1}, []bool{false, true, true}, 0},
		{"all tied", []float64{0.5, 0.5, 0.5, 0.5}, []bool{true, false, true, false}, 0.5},
		{"some ties", []float64{1, 2, 2, 3}, []bool{false, true, false, true}, 0.875},
	}
	for _, tt := range tests {
		if got := AUC(tt.scores, tt.labels); !near(got, tt.want, 1e-12) {
			t.Errorf("%s: AUC = %v, want %v", tt.name, got, tt.want)
		}
	}
	if got := AUC([]float64{1, 2}, []bool{true, true}); !math.IsNaN(got) {
		t.Errorf("one class: %v", got)
	}
	if got := AUC(nil, nil); !math.IsNaN(got) {
		t.Errorf("empty: %v", got)
	}
}
