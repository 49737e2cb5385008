package api_test

import (
	"context"
	"fmt"
	"testing"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestCurrencyAPI sets the reporting currency and rates: bad input is 400
// naming the field and saves nothing, totals say what has no rate until a
// rate is set, a non-admin's key is 403, and another workspace is neither
// shown nor changed.
func TestCurrencyAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		other, otherKey := e.otherWorkspace("globex")
		const path = "/api/v1/business/currency"

		// A customer whose annual revenue is in tenge, and transactions in
		// rubles (lower case is accepted and stored upper case) and tenge.
		r := e.do("POST", "/api/v1/feedback", `{"text":"ok","nps":9,"channel":"email","occurred_at":"2025-05-02T10:00:00Z",
			"customer":{"email":"kz@example.com","annual_revenue":500000,"annual_revenue_currency":"KZT"}}`)
		if r.Status != 201 && r.Status != 200 {
			t.Fatalf("post feedback: %d %s", r.Status, r.Raw)
		}
		if r := e.do("POST", "/api/v1/feedback", `{"text":"ok","channel":"email","customer":{"email":"x@example.com","annual_revenue":1,"annual_revenue_currency":"kzt"}}`); r.Status != 422 || r.ErrorField() != "customer.annual_revenue_currency" {
			t.Errorf("lower-case revenue currency: %d %s", r.Status, r.Raw)
		}
		if r := e.do("POST", "/api/v1/feedback", `{"text":"ok","channel":"email","customer":{"email":"x@example.com","annual_revenue":-1}}`); r.Status != 422 || r.ErrorField() != "customer.annual_revenue" {
			t.Errorf("negative annual revenue: %d %s", r.Status, r.Raw)
		}
		cust, err := db.FindCustomerByIdentity(ctx, e.ws.ID, "email", "kz@example.com")
		if err != nil {
			t.Fatal(err)
		}
		txs := fmt.Sprintf(`{"items":[{"customer_id":%[1]d,"amount":1000,"currency":"rub","occurred_at":"2025-05-03T10:00:00Z"},
			{"customer_id":%[1]d,"amount":1000,"currency":"RUB","occurred_at":"2025-05-04T10:00:00Z"},
			{"customer_id":%[1]d,"amount":5000,"currency":"KZT","occurred_at":"2025-05-05T10:00:00Z"}]}`, cust)
		if r := e.do("POST", "/api/v1/transactions", txs); r.Status != 201 {
			t.Fatalf("transactions: %d %s", r.Status, r.Raw)
		}
		if r := e.do("POST", "/api/v1/transactions", fmt.Sprintf(`{"items":[{"customer_id":%d,"amount":1,"currency":"$$$","occurred_at":"2025-05-05T10:00:00Z"}]}`, cust)); r.Status != 422 || r.ErrorField() != "items[0].currency" {
			t.Errorf("currency $$$: %d %s", r.Status, r.Raw)
		}

		// The first transactions chose rubles; tenge has no rate.
		r = e.do("GET", path, nil)
		if r.Status != 200 || r.JSON["reporting_currency"] != "RUB" || len(r.JSON["rates"].([]any)) != 0 {
			t.Fatalf("get: %d %s", r.Status, r.Raw)
		}
		if u := usageOf(r, "KZT"); u == nil || u["transactions_without_rate"] != float64(1) || u["customers_without_rate"] != float64(1) {
			t.Errorf("KZT usage: %s", r.Raw)
		}
		summary := e.do("GET", "/api/v1/business/summary?from=2025-05-01&to=2025-05-31", nil)
		left, _ := summary.JSON["unconverted"].([]any)
		if summary.Status != 200 || summary.JSON["currency"] != "RUB" || len(left) != 1 ||
			left[0].(map[string]any)["currency"] != "KZT" || left[0].(map[string]any)["transactions"] != float64(1) ||
			summary.JSON["overall"].(map[string]any)["revenue"] != float64(2000) {
			t.Errorf("summary before the rate: %d %s", summary.Status, summary.Raw)
		}

		bad := []struct{ body, field string }{
			{`{}`, "reporting_currency"},
			{`{"reporting_currency":"RUB"}`, "rates"},
			{`{"reporting_currency":"rub","rates":[]}`, "reporting_currency"},
			{`{"reporting_currency":"RUBL","rates":[]}`, "reporting_currency"},
			{`{"reporting_currency":5,"rates":[]}`, "reporting_currency"},
			{`{"reporting_currency":"RUB","rates":[],"rate":1}`, "rate"},
			{`{"reporting_currency":"RUB","rates":[{"currency":"usd","rate":90}]}`, "rates[0].currency"},
			{`{"reporting_currency":"RUB","rates":[{"currency":"USD","rate":90},{"currency":"RUB","rate":1}]}`, "rates[1].currency"},
			{`{"reporting_currency":"RUB","rates":[{"currency":"USD"}]}`, "rates[0].rate"},
			{`{"reporting_currency":"RUB","rates":[{"currency":"USD","rate":0}]}`, "rates[0].rate"},
			{`{"reporting_currency":"RUB","rates":[{"currency":"USD","rate":-90}]}`, "rates[0].rate"},
			{`{"reporting_currency":"RUB","rates":[{"currency":"USD","rate":90,"valid_from":"2025-13-01"}]}`, "rates[0].valid_from"},
			{`{"reporting_currency":"RUB","rates":[{"currency":"USD","rate":90,"valid_from":"1 March"}]}`, "rates[0].valid_from"},
			{`{"reporting_currency":"RUB","rates":[{"currency":"USD","rate":90},{"currency":"USD","rate":91}]}`, "rates[1].valid_from"},
			{`{"reporting_currency":"RUB","rates":[{"currency":"USD","rate":90,"valid_from":"2025-03-01"},{"currency":"USD","rate":91,"valid_from":"2025-03-01"}]}`, "rates[1].valid_from"},
			{`{"reporting_currency":"RUB","rates":[{"currency":"USD","rate":90,"since":"2025-03-01"}]}`, "since"},
		}
		for _, b := range bad {
			if r := e.do("PUT", path, b.body); r.Status != 400 || r.ErrorField() != b.field {
				t.Errorf("PUT %s: %d field %q, want 400 field %q (%s)", b.body, r.Status, r.ErrorField(), b.field, r.Raw)
			}
		}
		if r := e.do("PUT", path+"?force=1", `{"reporting_currency":"RUB","rates":[]}`); r.Status != 400 || r.ErrorField() != "force" {
			t.Errorf("unknown parameter: %d %s", r.Status, r.Raw)
		}
		if cs, _ := db.CurrencySettingsOf(ctx, e.ws.ID); len(cs.Rates) != 0 {
			t.Fatalf("a refused PUT saved rates: %+v", cs)
		}

		// Keys act with their creator's role: an agent's key may not.
		for _, role := range []string{store.RoleAgent, store.RoleManager, store.RoleAdmin} {
			u, err := db.CreateUser(ctx, role+"@acme.test", role, "x", "")
			if err != nil {
				t.Fatal(err)
			}
			if err := db.AddMember(ctx, e.ws.ID, u.ID, role); err != nil {
				t.Fatal(err)
			}
			_, key, err := db.CreateAPIKeyAudited(ctx, e.ws.ID, role+" key", nowUTC(), store.AuditActor{UserID: u.ID, Name: role})
			if err != nil {
				t.Fatal(err)
			}
			want := 403
			if role == store.RoleAdmin {
				want = 200
			}
			if r := e.doKey(key, "GET", path, nil); r.Status != want {
				t.Errorf("%s key GET: %d, want %d", role, r.Status, want)
			}
			if r := e.doKey(key, "PUT", path, `{"reporting_currency":"RUB","rates":[]}`); r.Status != want || (want == 403 && r.ErrorCode() != "key_creator_lost_access") {
				t.Errorf("%s key PUT: %d %s, want %d", role, r.Status, r.Raw, want)
			}
		}

		// The usage a GET answered may be sent back; it is ignored.
		put := `{"reporting_currency":"RUB","rates":[{"currency":"USD","rate":90,"valid_from":"2025-03-01"},{"currency":"KZT","rate":0.2,"valid_from":null}],
			"usage":[{"currency":"KZT","transactions":99}]}`
		r = e.do("PUT", path, put)
		if r.Status != 200 {
			t.Fatalf("put: %d %s", r.Status, r.Raw)
		}
		rates := r.JSON["rates"].([]any)
		if len(rates) != 2 || rates[0].(map[string]any)["currency"] != "KZT" || rates[0].(map[string]any)["valid_from"] != nil ||
			rates[1].(map[string]any)["valid_from"] != "2025-03-01" || rates[1].(map[string]any)["rate"] != float64(90) {
			t.Errorf("saved rates: %s", r.Raw)
		}
		if u := usageOf(r, "KZT"); u == nil || u["transactions"] != float64(1) || u["transactions_without_rate"] != float64(0) || u["customers_without_rate"] != float64(0) {
			t.Errorf("KZT usage after the rate: %s", r.Raw)
		}
		summary = e.do("GET", "/api/v1/business/summary?from=2025-05-01&to=2025-05-31", nil)
		if left, _ := summary.JSON["unconverted"].([]any); len(left) != 0 || summary.JSON["overall"].(map[string]any)["revenue"] != float64(3000) {
			t.Errorf("summary after the rate: %s", summary.Raw)
		}

		r = e.doKey(otherKey, "GET", path, nil)
		if r.Status != 200 || r.JSON["reporting_currency"] != "USD" || len(r.JSON["rates"].([]any)) != 0 || len(r.JSON["usage"].([]any)) != 0 {
			t.Errorf("the other workspace sees: %s", r.Raw)
		}
		if cs, _ := db.CurrencySettingsOf(ctx, other.ID); len(cs.Rates) != 0 {
			t.Errorf("the other workspace got rates: %+v", cs)
		}
	})
}

// usageOf finds one currency in a currency answer's usage.
func usageOf(r response, currency string) map[string]any {
	list, _ := r.JSON["usage"].([]any)
	for _, u := range list {
		if m, ok := u.(map[string]any); ok && m["currency"] == currency {
			return m
		}
	}
	return nil
}
