package api_test

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"vox/internal/demo"
	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// seedBusiness fills the env's workspace (slug "acme", the demo's main one)
// with a small demo history ending now: customers, feedback, transactions
// and churn that follows bad experiences.
func seedBusiness(t *testing.T, e *testEnv) {
	t.Helper()
	if _, err := demo.Seed(context.Background(), e.db, &ingest.Service{DB: e.db},
		demo.Options{Seed: 5, Items: 4000, Months: 7, Now: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestBusinessAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		_, otherKey := e.otherWorkspace("other")

		// Before training: the model, risk and revenue at risk are 404 no_model.
		for _, path := range []string{"/api/v1/churn/model", "/api/v1/churn/risk", "/api/v1/revenue-at-risk"} {
			if r := e.do("GET", path, nil); r.Status != 404 || r.ErrorCode() != "no_model" {
				t.Fatalf("%s before training: %d %s", path, r.Status, r.Raw)
			}
		}
		// An empty workspace cannot train.
		if r := e.do("POST", "/api/v1/churn/model/train", nil); r.Status != 422 || r.ErrorCode() != "insufficient_history" {
			t.Fatalf("train on nothing: %d %s", r.Status, r.Raw)
		}

		seedBusiness(t, e)
		r := e.do("POST", "/api/v1/churn/model/train", map[string]any{"horizon_days": 30})
		if r.Status != 200 {
			t.Fatalf("train: %d %s", r.Status, r.Raw)
		}
		if r.JSON["n"].(float64) < 100 || len(r.JSON["coefficients"].([]any)) == 0 || r.JSON["trained_at"] == "" {
			t.Fatalf("model %s", r.Raw)
		}
		t.Logf("API-trained AUC %v on %v rows", r.JSON["auc"], r.JSON["n"])
		got := e.do("GET", "/api/v1/churn/model", nil)
		if got.Status != 200 || fmt.Sprint(got.JSON["auc"]) != fmt.Sprint(r.JSON["auc"]) {
			t.Fatalf("model: %d %s", got.Status, got.Raw)
		}

		risk := e.do("GET", "/api/v1/churn/risk?limit=5&segment=vip", nil)
		if risk.Status != 200 {
			t.Fatalf("risk: %d %s", risk.Status, risk.Raw)
		}
		custs := risk.JSON["customers"].([]any)
		if len(custs) == 0 || len(custs) > 5 {
			t.Fatalf("risk list %s", risk.Raw)
		}
		prev := 2.0
		for _, c := range custs {
			m := c.(map[string]any)
			rk := m["risk"].(float64)
			if m["segment"] != "vip" || rk > prev || rk < 0 || rk > 1 ||
				math.Abs(m["revenue_at_risk"].(float64)-rk*m["annual_revenue"].(float64)) > 1e-6 {
				t.Fatalf("risk row %v", m)
			}
			prev = rk
		}

		rar := e.do("GET", "/api/v1/revenue-at-risk?by=segment", nil)
		if rar.Status != 200 {
			t.Fatalf("revenue at risk: %d %s", rar.Status, rar.Raw)
		}
		var sum float64
		for _, g := range rar.JSON["groups"].([]any) {
			sum += g.(map[string]any)["revenue_at_risk"].(float64)
		}
		total := rar.JSON["total"].(map[string]any)["revenue_at_risk"].(float64)
		if total <= 0 || math.Abs(sum-total) > 1e-6*total {
			t.Fatalf("groups sum %v, total %v", sum, total)
		}

		today := time.Now().UTC()
		from, to := today.AddDate(0, -3, 0).Format(time.DateOnly), today.Format(time.DateOnly)
		sum2 := e.do("GET", "/api/v1/business/summary?from="+from+"&to="+to+"&grain=month&gross_margin=0.4", nil)
		if sum2.Status != 200 {
			t.Fatalf("summary: %d %s", sum2.Status, sum2.Raw)
		}
		overall := sum2.JSON["overall"].(map[string]any)
		if overall["customers_at_start"].(float64) == 0 || len(sum2.JSON["periods"].([]any)) < 3 || len(sum2.JSON["segments"].([]any)) < 2 {
			t.Fatalf("summary %s", sum2.Raw)
		}

		// Bad parameters: 400 naming the field.
		for _, c := range []struct{ method, path, field string }{
			{"GET", "/api/v1/churn/risk?limit=0", "limit"},
			{"GET", "/api/v1/churn/risk?limit=abc", "limit"},
			{"GET", "/api/v1/churn/risk?limit=100000", "limit"},
			{"GET", "/api/v1/churn/risk?segmnet=vip", "segmnet"},
			{"GET", "/api/v1/revenue-at-risk?by=colour", "by"},
			{"GET", "/api/v1/revenue-at-risk?by=", "by"},
			{"GET", "/api/v1/business/summary?from=yesterday", "from"},
			{"GET", "/api/v1/business/summary?to=2025-13-01", "to"},
			{"GET", "/api/v1/business/summary?from=2025-05-02&to=2025-05-01", "to"},
			{"GET", "/api/v1/business/summary?from=2000-01-01&to=2025-01-01", "from"},
			{"GET", "/api/v1/business/summary?grain=hour", "grain"},
			{"GET", "/api/v1/business/summary?gross_margin=1.5", "gross_margin"},
			{"GET", "/api/v1/business/summary?gross_margin=NaN", "gross_margin"},
			{"GET", "/api/v1/churn/model?x=1", "x"},
		} {
			r := e.do(c.method, c.path, nil)
			if r.Status != 400 || r.ErrorField() != c.field {
				t.Errorf("%s %s: %d field %q, want 400 %q: %s", c.method, c.path, r.Status, r.ErrorField(), c.field, r.Raw)
			}
		}
		for _, c := range []struct {
			body  any
			field string
		}{
			{map[string]any{"horizon_days": 1}, "horizon_days"},
			{map[string]any{"snapshots": 100}, "snapshots"},
			{map[string]any{"horizon": 30}, "horizon"},
			{map[string]any{"horizon_days": "30"}, "horizon_days"},
		} {
			r := e.do("POST", "/api/v1/churn/model/train", c.body)
			if r.Status != 400 || r.ErrorField() != c.field {
				t.Errorf("train %v: %d field %q, want 400 %q", c.body, r.Status, r.ErrorField(), c.field)
			}
		}

		// Workspace isolation: the other workspace sees no model and none of
		// acme's customers; without a key, nothing.
		for _, path := range []string{"/api/v1/churn/model", "/api/v1/churn/risk", "/api/v1/revenue-at-risk"} {
			if r := e.doKey(otherKey, "GET", path, nil); r.Status != 404 || r.ErrorCode() != "no_model" {
				t.Errorf("other workspace %s: %d %s", path, r.Status, r.Raw)
			}
			if r := e.doKey("", "GET", path, nil); r.Status != 401 {
				t.Errorf("no key %s: %d", path, r.Status)
			}
		}
		if r := e.doKey(otherKey, "GET", "/api/v1/business/summary", nil); r.Status != 200 ||
			r.JSON["overall"].(map[string]any)["customers_at_start"].(float64) != 0 {
			t.Errorf("other workspace summary: %d %s", r.Status, r.Raw)
		}
		if r := e.doKey(otherKey, "POST", "/api/v1/churn/model/train", nil); r.Status != 422 {
			t.Errorf("other workspace trains on acme's data: %d %s", r.Status, r.Raw)
		}
	})
}
