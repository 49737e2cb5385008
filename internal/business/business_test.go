package business_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"vox/internal/business"
	"vox/internal/demo"
	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/testutil"
)

var demoNow = time.Date(2025, 6, 15, 12, 0, 0, 0, time.UTC)

// seedDemo fills db with the demo company (detractors churn more often) and
// returns the main workspace.
func seedDemo(t *testing.T, db *store.DB, items int) store.Workspace {
	t.Helper()
	ctx := context.Background()
	analyzer, err := ingest.NewTextAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(ctx, db, &ingest.Service{DB: db, Analyzer: analyzer},
		demo.Options{Seed: 11, Items: items, Months: 7, Now: demoNow}, nil); err != nil {
		t.Fatal(err)
	}
	ws, err := db.WorkspaceBySlug(ctx, demo.MainWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// The model must rank churners above stayers on data where detractors churn
// more: an AUC on the held-out window above chance (0.5). The demo's ceiling
// is low: it decides churn from a customer's whole-history mean NPS, and with
// hindsight that category alone ranks churners at AUC ≈ 0.57, so a forecast
// from the past alone lands near 0.6 (measured 0.59 on this seed).
func TestChurnModelOnDemoData(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := seedDemo(t, db, 12000)
		svc := &business.Service{DB: db, Now: func() time.Time { return demoNow }}
		if _, err := svc.Model(ctx, ws.ID); !errors.Is(err, business.ErrNoModel) {
			t.Fatalf("model before training: %v", err)
		}
		m, err := svc.Train(ctx, ws.ID, business.TrainOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if m.AUC == nil {
			t.Fatalf("no AUC: %+v", m.Evaluation)
		}
		t.Logf("churn AUC on demo data: %.3f (train %d rows / %d churners, test %d rows / %d churners, cutoffs %v → %s), scored %d",
			*m.AUC, m.Evaluation.TrainRows, m.Evaluation.TrainPositives, m.Evaluation.TestRows, m.Evaluation.TestPositives,
			m.Evaluation.TrainCutoffs, m.Evaluation.TestCutoff, m.Scored)
		for _, c := range m.Coefficients {
			t.Logf("  %-22s %+.3f", c.Feature, c.Weight)
		}
		if *m.AUC <= 0.56 {
			t.Errorf("AUC %.3f, want > 0.56", *m.AUC)
		}
		// Recent bad experiences must raise the risk.
		for _, c := range m.Coefficients {
			if c.Feature == "recent_bad_experience" && c.Weight <= 0 {
				t.Errorf("recent_bad_experience coefficient %+v, want positive", c)
			}
		}
		stored, err := svc.Model(ctx, ws.ID)
		if err != nil || stored.AUC == nil || math.Abs(*stored.AUC-*m.AUC) > 1e-12 || stored.Scored != m.Scored {
			t.Fatalf("stored model %+v, %v", stored, err)
		}
		list, err := svc.Risk(ctx, ws.ID, nil, 10)
		if err != nil || len(list.Customers) != 10 {
			t.Fatalf("risk list: %+v %v", list, err)
		}
		for i := 1; i < len(list.Customers); i++ {
			if list.Customers[i].Risk > list.Customers[i-1].Risk {
				t.Fatalf("risk list not descending: %+v", list.Customers)
			}
		}
		rar, err := svc.RevenueAtRisk(ctx, ws.ID, "segment")
		if err != nil {
			t.Fatal(err)
		}
		var sum float64
		for _, g := range rar.Groups {
			sum += g.RevenueAtRisk
		}
		if len(rar.Groups) < 2 || math.Abs(sum-rar.Total.RevenueAtRisk) > 1e-6*math.Max(1, sum) || rar.Total.RevenueAtRisk <= 0 {
			t.Fatalf("revenue at risk %+v", rar)
		}
		t.Logf("revenue at risk: %.0f of %.0f annual revenue over %d customers", rar.Total.RevenueAtRisk, rar.Total.AnnualRevenue, rar.Total.Customers)

		sum2, err := svc.Summary(ctx, ws.ID, business.SummaryQuery{From: store.DayOf(demoNow.AddDate(0, -3, 0), time.UTC),
			To: store.DayOf(demoNow, time.UTC), Grain: "month"})
		if err != nil {
			t.Fatal(err)
		}
		o := sum2.Overall
		if o.CustomersAtStart == 0 || o.Churned == 0 || o.PredictedLTV == nil || o.HistoricalLTV <= 0 || len(sum2.Periods) < 3 || len(sum2.Segments) < 2 {
			t.Fatalf("summary %+v", sum2)
		}
		t.Logf("3 months: churn %.1f %% of %d, retention %.1f %%, ARPU %.0f, LTV hist %.0f pred %.0f",
			o.ChurnRate.Value, o.CustomersAtStart, o.RetentionRate.Value, o.ARPU, o.HistoricalLTV, *o.PredictedLTV)
	})
}
