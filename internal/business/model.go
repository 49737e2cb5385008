package business

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"vox/internal/metrics"
	"vox/internal/store"
)

// Errors of the churn model; the API maps them to 404 and 422.
var (
	ErrNoModel             = errors.New("business: the workspace has no churn model yet; train one")
	ErrInsufficientHistory = errors.New("business: not enough churn history to train a model")
)

// Defaults and bounds of training.
const (
	DefaultHorizonDays = 30
	MinHorizonDays     = 7
	MaxHorizonDays     = 365
	DefaultSnapshots   = 6
	MaxSnapshots       = 24
	// minClassRows is the fewest churners (and stayers) training needs:
	// below it the coefficients are noise.
	minClassRows = 10
	// minHistory is how much history a training cutoff needs behind it for
	// the windows of its features to mean something.
	minHistory = 30 * 24 * time.Hour
	topFactors = 3
)

// Service answers business-linkage questions for a workspace.
type Service struct {
	DB  *store.DB
	Now func() time.Time // nil: time.Now
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// TrainOptions tune Train; zero values pick the defaults.
type TrainOptions struct {
	// HorizonDays is the label window: risk is the probability of churning
	// within this many days.
	HorizonDays int `json:"horizon_days"`
	// Snapshots is the number of training cutoffs, one horizon apart, before
	// the held-out one.
	Snapshots int `json:"snapshots"`
}

// Coefficient is one feature's weight: the change in log-odds of churn per
// standard deviation of the feature, with the mean and deviation that scale it.
type Coefficient struct {
	Feature string  `json:"feature"`
	Weight  float64 `json:"weight"`
	Mean    float64 `json:"mean"`
	StdDev  float64 `json:"std_dev"`
}

// Evaluation is how the model was checked: trained on snapshots whose label
// windows all end before the held-out cutoff, scored on the customers active
// at that cutoff against who churned in the following window.
type Evaluation struct {
	// AUC on the held-out window; nil when that window had no churner or no
	// stayer, since the AUC is then undefined.
	AUC            *float64 `json:"auc"`
	TrainCutoffs   []string `json:"train_cutoffs"`
	TestCutoff     string   `json:"test_cutoff"`
	TrainRows      int      `json:"train_rows"`
	TrainPositives int      `json:"train_positives"`
	TestRows       int      `json:"test_rows"`
	TestPositives  int      `json:"test_positives"`
	BaseRate       float64  `json:"test_base_rate"`
	Note           string   `json:"note,omitempty"`
}

// Model is a workspace's trained churn-risk model as stored and served.
type Model struct {
	TrainedAt    time.Time              `json:"trained_at"`
	HorizonDays  int                    `json:"horizon_days"`
	AUC          *float64               `json:"auc"`
	N            int                    `json:"n"` // rows the served model was fitted on
	Positives    int                    `json:"positives"`
	Intercept    float64                `json:"intercept"`
	Coefficients []Coefficient          `json:"coefficients"`
	Evaluation   Evaluation             `json:"evaluation"`
	Scored       int                    `json:"scored_customers"`
	Definition   string                 `json:"definition"`
	Logistic     *metrics.LogisticModel `json:"logistic"`
}

// modelDefinition is shown beside the model (definitions are part of the
// product).
const modelDefinition = "Churn risk = probability that an active customer churns within horizon_days, from an L2 logistic " +
	"regression over last NPS, sentiment level and trend, negative feedback, open cases and recency/frequency/monetary " +
	"value, trained on this workspace's history. AUC is measured on the latest window, held out in time: the model that " +
	"produced it saw no label from that window. The served model is then refitted on all windows, the latest included."

// snapshot is the rows of one cutoff.
type snapshot struct {
	at time.Time
	x  [][]float64
	y  []bool
}

func (s *Service) snapshotAt(ctx context.Context, ws int64, customers []store.BusinessCustomer, at time.Time, horizon time.Duration) (snapshot, error) {
	src, err := loadFeatures(ctx, s.DB, ws, at)
	if err != nil {
		return snapshot{}, err
	}
	snap := snapshot{at: at}
	for i := range customers {
		c := &customers[i]
		if !activeAt(c, at) {
			continue
		}
		snap.x = append(snap.x, src.vector(c))
		snap.y = append(snap.y, churnedWithin(c, at, horizon))
	}
	return snap, nil
}

func positives(y []bool) int {
	n := 0
	for _, v := range y {
		if v {
			n++
		}
	}
	return n
}

// Train fits the workspace's churn model on its own history and scores its
// active customers. The latest full horizon before now is held out: the
// evaluation model learns only from earlier cutoffs, whose label windows end
// before the held-out cutoff, so its AUC is an honest forecast score. The
// stored model is then refitted with the held-out window included.
func (s *Service) Train(ctx context.Context, ws int64, opt TrainOptions) (Model, error) {
	if opt.HorizonDays == 0 {
		opt.HorizonDays = DefaultHorizonDays
	}
	if opt.Snapshots == 0 {
		opt.Snapshots = DefaultSnapshots
	}
	if opt.HorizonDays < MinHorizonDays || opt.HorizonDays > MaxHorizonDays {
		return Model{}, &InvalidError{Field: "horizon_days", Message: fmt.Sprintf("must be between %d and %d", MinHorizonDays, MaxHorizonDays)}
	}
	if opt.Snapshots < 1 || opt.Snapshots > MaxSnapshots {
		return Model{}, &InvalidError{Field: "snapshots", Message: fmt.Sprintf("must be between 1 and %d", MaxSnapshots)}
	}
	now := s.now()
	horizon := time.Duration(opt.HorizonDays) * 24 * time.Hour
	customers, err := s.DB.BusinessCustomers(ctx, ws)
	if err != nil {
		return Model{}, err
	}
	if len(customers) == 0 {
		return Model{}, fmt.Errorf("%w: the workspace has no customers", ErrInsufficientHistory)
	}
	earliest := now
	for _, c := range customers {
		if c.FirstSeen.Before(earliest) {
			earliest = c.FirstSeen
		}
	}

	testAt := now.Add(-horizon)
	if testAt.Sub(earliest) < minHistory+horizon {
		return Model{}, fmt.Errorf("%w: need at least %d days of history, have %d", ErrInsufficientHistory,
			int((minHistory+2*horizon).Hours()/24), int(now.Sub(earliest).Hours()/24))
	}
	test, err := s.snapshotAt(ctx, ws, customers, testAt, horizon)
	if err != nil {
		return Model{}, err
	}
	var trainX [][]float64
	var trainY []bool
	ev := Evaluation{TestCutoff: testAt.UTC().Format(time.DateOnly), TrainCutoffs: []string{}}
	for k := 1; k <= opt.Snapshots; k++ {
		at := testAt.Add(-time.Duration(k) * horizon)
		if at.Sub(earliest) < minHistory {
			break
		}
		snap, err := s.snapshotAt(ctx, ws, customers, at, horizon)
		if err != nil {
			return Model{}, err
		}
		trainX = append(trainX, snap.x...)
		trainY = append(trainY, snap.y...)
		ev.TrainCutoffs = append(ev.TrainCutoffs, at.UTC().Format(time.DateOnly))
	}
	ev.TrainRows, ev.TrainPositives = len(trainY), positives(trainY)
	ev.TestRows, ev.TestPositives = len(test.y), positives(test.y)
	if ev.TestRows > 0 {
		ev.BaseRate = float64(ev.TestPositives) / float64(ev.TestRows)
	}

	opts := metrics.LogisticOptions{L2: 1}
	if ev.TrainPositives >= minClassRows && ev.TrainRows-ev.TrainPositives >= minClassRows {
		evalModel, err := metrics.FitLogistic(trainX, trainY, opts)
		if err != nil {
			return Model{}, fmt.Errorf("fit churn model: %w", err)
		}
		auc := metrics.AUC(evalModel.PredictAll(test.x), test.y)
		if !math.IsNaN(auc) {
			ev.AUC = &auc
		} else {
			ev.Note = "the held-out window has no churner or no stayer: AUC undefined"
		}
	} else {
		ev.Note = fmt.Sprintf("too few churners before the held-out window to evaluate (%d; need %d)", ev.TrainPositives, minClassRows)
	}

	allX := append(slices.Clip(trainX), test.x...)
	allY := append(slices.Clip(trainY), test.y...)
	pos := positives(allY)
	if pos < minClassRows || len(allY)-pos < minClassRows {
		return Model{}, fmt.Errorf("%w: %d churners and %d stayers in the training windows; need %d of each",
			ErrInsufficientHistory, pos, len(allY)-pos, minClassRows)
	}
	fitted, err := metrics.FitLogistic(allX, allY, opts)
	if err != nil {
		return Model{}, fmt.Errorf("fit churn model: %w", err)
	}
	m := Model{TrainedAt: now.UTC().Truncate(time.Millisecond), HorizonDays: opt.HorizonDays, AUC: ev.AUC, N: len(allY), Positives: pos,
		Intercept: fitted.Intercept, Evaluation: ev, Definition: modelDefinition, Logistic: fitted}
	for j, name := range FeatureNames {
		m.Coefficients = append(m.Coefficients, Coefficient{Feature: name, Weight: fitted.Weights[j], Mean: fitted.Mean[j], StdDev: fitted.Scale[j]})
	}

	// Score today's active customers with today's features.
	src, err := loadFeatures(ctx, s.DB, ws, now)
	if err != nil {
		return Model{}, err
	}
	var scores []store.ChurnScore
	for i := range customers {
		c := &customers[i]
		if !activeAt(c, now) {
			continue
		}
		x := src.vector(c)
		scores = append(scores, store.ChurnScore{CustomerID: c.ID, Risk: fitted.Predict(x), Factors: factors(fitted, x)})
	}
	m.Scored = len(scores)
	raw, err := json.Marshal(m)
	if err != nil {
		return Model{}, err
	}
	if err := s.DB.SaveChurnModel(ctx, ws, m.TrainedAt, raw, scores); err != nil {
		return Model{}, err
	}
	return m, nil
}

// factors names the features that push a customer's risk up the most
// (largest positive contributions to the log-odds), so that an account owner
// sees why a customer is on the list.
func factors(m *metrics.LogisticModel, x []float64) []string {
	type contrib struct {
		name string
		v    float64
	}
	var cs []contrib
	for j, name := range FeatureNames {
		v := m.Weights[j] * (x[j] - m.Mean[j]) / m.Scale[j]
		if v > 0.05 {
			cs = append(cs, contrib{name, v})
		}
	}
	slices.SortFunc(cs, func(a, b contrib) int { return cmp.Or(cmp.Compare(b.v, a.v), cmp.Compare(a.name, b.name)) })
	out := []string{}
	for _, c := range cs[:min(len(cs), topFactors)] {
		out = append(out, c.name)
	}
	return out
}

// Model returns the workspace's stored model, or ErrNoModel.
func (s *Service) Model(ctx context.Context, ws int64) (Model, error) {
	raw, _, err := s.DB.ChurnModel(ctx, ws)
	if errors.Is(err, store.ErrNotFound) {
		return Model{}, ErrNoModel
	}
	if err != nil {
		return Model{}, err
	}
	var m Model
	if err := json.Unmarshal(raw, &m); err != nil {
		return Model{}, fmt.Errorf("decode churn model: %w", err)
	}
	return m, nil
}

// InvalidError names the parameter at fault; the API maps it to 400.
type InvalidError struct {
	Field   string
	Message string
}

func (e *InvalidError) Error() string { return e.Field + ": " + e.Message }
