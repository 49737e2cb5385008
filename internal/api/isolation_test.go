package api_test

import (
	"fmt"
	"strings"
	"testing"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestTenantIsolationOnEveryRoute walks every route with workspace B's key
// against workspace A's objects: B never reads or changes A's data.
func TestTenantIsolationOnEveryRoute(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.do("POST", "/api/v1/feedback", `{"text":"A's secret complaint","nps":1,"customer":{"email":"vip@a.com"}}`)
		if r.Status != 201 {
			t.Fatal(string(r.Raw))
		}
		itemID := int64(r.JSON["id"].(float64))
		it := e.do("GET", fmt.Sprintf("/api/v1/feedback/%d", itemID), nil)
		custID := int64(it.JSON["customer_id"].(float64))
		r = e.do("POST", "/api/v1/customers", `{"email":"second@a.com"}`)
		cust2 := int64(r.JSON["id"].(float64))

		_, keyB := e.otherWorkspace("b")
		checks := []struct {
			method, path string
			body         any
			want         int
		}{
			{"GET", fmt.Sprintf("/api/v1/feedback/%d", itemID), nil, 404},
			{"GET", fmt.Sprintf("/api/v1/customers/%d", custID), nil, 404},
			{"POST", fmt.Sprintf("/api/v1/customers/%d/merge", custID), map[string]any{"customer_id": cust2}, 404},
			{"POST", "/api/v1/feedback", map[string]any{"text": "x", "customer_id": custID}, 422},
			{"POST", "/api/v1/transactions", map[string]any{"items": []map[string]any{{"customer_id": custID, "amount": 1,
				"currency": "RUB", "occurred_at": "2026-01-01T00:00:00Z"}}}, 422},
			{"POST", "/api/v1/churn-events", map[string]any{"customer_id": custID}, 404},
			{"GET", "/api/v1/feedback", nil, 200},
			{"GET", "/api/v1/feedback?q=secret", nil, 200},
			{"GET", fmt.Sprintf("/api/v1/feedback?customer_id=%d", custID), nil, 200},
			{"GET", "/api/v1/customers", nil, 200},
			{"GET", "/api/v1/customers?q=vip", nil, 200},
		}
		for _, c := range checks {
			r := e.doKey(keyB, c.method, c.path, c.body)
			if r.Status != c.want {
				t.Errorf("B %s %s: %d, want %d: %s", c.method, c.path, r.Status, c.want, r.Raw)
			}
			for _, leak := range []string{"secret", "vip@a.com", "second@a.com"} {
				if strings.Contains(string(r.Raw), leak) {
					t.Errorf("B %s %s leaked %q: %s", c.method, c.path, leak, r.Raw)
				}
			}
			if items, ok := r.JSON["items"].([]any); ok && len(items) != 0 {
				t.Errorf("B %s %s listed %d of A's objects", c.method, c.path, len(items))
			}
		}
		// A's data is intact after B's attempts.
		c := e.do("GET", fmt.Sprintf("/api/v1/customers/%d", custID), nil)
		if c.Status != 200 || c.JSON["merged_into_id"] != nil || c.JSON["status"] != "active" {
			t.Fatalf("A's customer changed: %s", c.Raw)
		}
	})
}
