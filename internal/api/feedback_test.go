package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"vox/internal/store"
	"vox/internal/testutil"
)

func TestPostFeedbackScenarios(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		long := strings.Repeat("я", 20001)
		cases := []struct {
			name      string
			key       string // "" means the env's key; "-" means none
			body      any
			status    int
			code      string
			field     string
			wantInRaw string
		}{
			{name: "single item", body: `{"text":"Курьер опоздал на час","nps":3,"channel":"sms","customer":{"email":"a@b.ru"}}`, status: 201, wantInRaw: `"id":`},
			{name: "batch", body: `{"items":[{"text":"good","nps":10},{"csat":5,"csat_scale":5},{"ces":7,"text":"easy"}]}`, status: 201, wantInRaw: `"ids":[`},
			{name: "csat on 10-point scale", body: `{"csat":9,"csat_scale":10}`, status: 201},
			{name: "no key", key: "-", body: `{"text":"x"}`, status: 401, code: "unauthorized"},
			{name: "unknown key", key: "vox_nope", body: `{"text":"x"}`, status: 401, code: "unauthorized"},
			{name: "malformed json", body: `{"text":"x"`, status: 400, code: "invalid_json"},
			{name: "not json", body: `hello`, status: 400, code: "invalid_json"},
			{name: "invalid utf-8", body: []byte("{\"text\":\"\xff\xfe\"}"), status: 400, code: "invalid_utf8"},
			{name: "wrong type", body: `{"nps":"ten"}`, status: 400, code: "invalid_type", field: "nps"},
			{name: "unknown field", body: `{"text":"x","npss":3}`, status: 400, code: "unknown_field", field: "npss"},
			{name: "missing text and rating", body: `{"channel":"email"}`, status: 422, code: "required", field: "text"},
			{name: "blank text", body: `{"text":"   "}`, status: 422, code: "required", field: "text"},
			{name: "nps too high", body: `{"nps":11}`, status: 422, code: "out_of_range", field: "nps"},
			{name: "nps negative", body: `{"nps":-1}`, status: 422, code: "out_of_range", field: "nps"},
			{name: "csat above 5 without scale", body: `{"csat":7}`, status: 422, code: "out_of_range", field: "csat"},
			{name: "csat zero", body: `{"csat":0}`, status: 422, code: "out_of_range", field: "csat"},
			{name: "csat bad scale", body: `{"csat":3,"csat_scale":7}`, status: 422, code: "invalid", field: "csat_scale"},
			{name: "ces out of range", body: `{"ces":8}`, status: 422, code: "out_of_range", field: "ces"},
			{name: "bad channel", body: `{"text":"x","channel":"pigeon"}`, status: 422, code: "invalid", field: "channel"},
			{name: "bad kind", body: `{"text":"x","kind":"rant"}`, status: 422, code: "invalid", field: "kind"},
			{name: "bad stage", body: `{"text":"x","stage":"nirvana"}`, status: 422, code: "invalid", field: "stage"},
			{name: "future time", body: `{"text":"x","occurred_at":"2999-01-01T00:00:00Z"}`, status: 422, code: "in_future", field: "occurred_at"},
			{name: "bad time", body: `{"text":"x","occurred_at":"yesterday"}`, status: 400},
			{name: "too long text", body: map[string]any{"text": long}, status: 422, code: "too_long", field: "text"},
			{name: "customer without identity", body: `{"text":"x","customer":{"name":"Bob"}}`, status: 422, code: "required", field: "customer"},
			{name: "bad email", body: `{"text":"x","customer":{"email":"nope"}}`, status: 422, code: "invalid", field: "customer.email"},
			{name: "bad item in batch", body: `{"items":[{"text":"ok"},{"nps":42}]}`, status: 422, code: "out_of_range", field: "items[1].nps"},
			{name: "empty batch", body: `{"items":[]}`, status: 422, code: "required", field: "items"},
			{name: "unknown customer id", body: `{"text":"x","customer_id":999999}`, status: 422, code: "not_found", field: "customer_id"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				key := e.key
				switch c.key {
				case "-":
					key = ""
				case "":
				default:
					key = c.key
				}
				r := e.doKey(key, "POST", "/api/v1/feedback", c.body)
				if r.Status != c.status {
					t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Raw)
				}
				if c.code != "" && r.ErrorCode() != c.code {
					t.Errorf("code %q, want %q: %s", r.ErrorCode(), c.code, r.Raw)
				}
				if c.field != "" && r.ErrorField() != c.field {
					t.Errorf("field %q, want %q: %s", r.ErrorField(), c.field, r.Raw)
				}
				if c.wantInRaw != "" && !strings.Contains(string(r.Raw), c.wantInRaw) {
					t.Errorf("body %s lacks %s", r.Raw, c.wantInRaw)
				}
			})
		}
		// Bad requests stored nothing: 1 + 3 + 1 good items.
		if n, _ := db.CountFeedback(t.Context(), e.ws.ID); n != 5 {
			t.Fatalf("stored %d items, want 5", n)
		}
	})
}

func TestBatchLimitsAndBodySize(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		items := make([]map[string]any, 1001)
		for i := range items {
			items[i] = map[string]any{"nps": 5}
		}
		r := e.do("POST", "/api/v1/feedback", map[string]any{"items": items})
		if r.Status != 422 || r.ErrorCode() != "too_many" {
			t.Fatalf("1001 items: %d %s", r.Status, r.Raw)
		}
		huge := `{"text":"` + strings.Repeat("a", 9<<20) + `"}`
		r = e.do("POST", "/api/v1/feedback", huge)
		if r.Status != http.StatusRequestEntityTooLarge || r.ErrorCode() != "body_too_large" {
			t.Fatalf("9 MiB body: %d %s", r.Status, r.Raw)
		}
	})
}

func TestIdempotentRetriesUnderConcurrency(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var items []map[string]any
		for i := 0; i < 100; i++ {
			items = append(items, map[string]any{"text": fmt.Sprintf("отзыв %d", i), "nps": i % 11,
				"customer": map[string]any{"email": fmt.Sprintf("c%d@example.com", i%7)}})
		}
		body := map[string]any{"items": items}
		var wg sync.WaitGroup
		results := make([]response, 16)
		for i := range results {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				results[i] = e.do("POST", "/api/v1/feedback", body, "Idempotency-Key", "batch-42")
			}(i)
		}
		wg.Wait()
		created := 0
		first := ""
		for _, r := range results {
			if r.Status != 201 && r.Status != 200 {
				t.Fatalf("retry: %d %s", r.Status, r.Raw)
			}
			if r.Status == 201 {
				created++
			}
			ids, _ := json.Marshal(r.JSON["ids"])
			if first == "" {
				first = string(ids)
			} else if string(ids) != first {
				t.Fatal("retries returned different ids")
			}
		}
		if created != 1 {
			t.Fatalf("%d requests reported creation, want 1", created)
		}
		if n, _ := db.CountFeedback(t.Context(), e.ws.ID); n != 100 {
			t.Fatalf("stored %d items after 16 retries, want 100", n)
		}
		// Same key, different body: refused, nothing stored.
		r := e.do("POST", "/api/v1/feedback", `{"text":"other"}`, "Idempotency-Key", "batch-42")
		if r.Status != 422 || r.ErrorCode() != "idempotency_conflict" {
			t.Fatalf("key reuse: %d %s", r.Status, r.Raw)
		}
		// Per-item external_id without a key: a retry returns the first id.
		one := `{"text":"Заказ пришёл вовремя","external_id":"order-77"}`
		a := e.do("POST", "/api/v1/feedback", one)
		b := e.do("POST", "/api/v1/feedback", one)
		if a.JSON["id"] != b.JSON["id"] || b.JSON["duplicate"] != true {
			t.Fatalf("external_id retry: %s then %s", a.Raw, b.Raw)
		}
	})
}

func TestListFeedbackFiltersAndPaging(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		var items []map[string]any
		for i := 0; i < 30; i++ {
			ch := []string{"email", "sms", "telegram"}[i%3]
			items = append(items, map[string]any{"text": fmt.Sprintf("Доставка %d ОК", i), "channel": ch, "nps": 9,
				"region": "Kazan", "occurred_at": fmt.Sprintf("2026-03-%02dT10:00:00Z", i%28+1)})
		}
		if r := e.do("POST", "/api/v1/feedback", map[string]any{"items": items}); r.Status != 201 {
			t.Fatal(string(r.Raw))
		}
		seen := map[any]bool{}
		path := "/api/v1/feedback?channel=sms&limit=3"
		for path != "" {
			r := e.do("GET", path, nil)
			if r.Status != 200 {
				t.Fatal(string(r.Raw))
			}
			for _, it := range r.JSON["items"].([]any) {
				m := it.(map[string]any)
				if m["channel"] != "sms" {
					t.Fatalf("filter leaked %v", m["channel"])
				}
				seen[m["id"]] = true
			}
			path = ""
			if c, _ := r.JSON["next_cursor"].(string); c != "" {
				path = "/api/v1/feedback?channel=sms&limit=3&cursor=" + c
			}
		}
		if len(seen) != 10 {
			t.Fatalf("paged %d sms items, want 10", len(seen))
		}
		r := e.do("GET", "/api/v1/feedback?q=%D0%B4%D0%BE%D1%81%D1%82%D0%B0%D0%B2%D0%BA%D0%B0&from=2026-03-01&to=2026-03-05", nil)
		if got := len(r.JSON["items"].([]any)); got != 6 { // days 1-4: i = 0-3 and 28-29
			t.Fatalf("q+date range: %d items, want 6: %s", got, r.Raw)
		}
		bad := []struct{ query, field string }{
			{"channel=pigeon", "channel"}, {"from=yesterday", "from"}, {"limit=0", "limit"}, {"limit=5000", "limit"},
			{"customer_id=abc", "customer_id"}, {"sentiment=happy", "sentiment"}, {"cursor=%21%21", "cursor"},
			{"colour=red", "colour"}, {"from=2026-03-05&to=2026-03-01", "to"},
		}
		for _, b := range bad {
			r := e.do("GET", "/api/v1/feedback?"+b.query, nil)
			if r.Status != 400 || r.ErrorField() != b.field {
				t.Errorf("%s: %d field %q, want 400 %q", b.query, r.Status, r.ErrorField(), b.field)
			}
		}
	})
}

func TestCustomersAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.do("POST", "/api/v1/customers", `{"email":"Ivan@Mail.ru","name":"Иван","segment":"vip"}`)
		if r.Status != 200 {
			t.Fatal(string(r.Raw))
		}
		id := int64(r.JSON["id"].(float64))
		// Telegram feedback that names both identities lands on Ivan's profile.
		r = e.do("POST", "/api/v1/feedback", `{"text":"Спасибо за быструю доставку!","channel":"telegram","kind":"mention",
			"customer":{"telegram_username":"@ivan_k","email":"ivan@mail.ru"}}`)
		if r.Status != 201 {
			t.Fatal(string(r.Raw))
		}
		r = e.do("POST", "/api/v1/feedback", `{"nps":2,"text":"plохо","channel":"sms","customer":{"phone":"+7 900 000-00-01"}}`)
		phoneCustomer := int64(0)
		it := e.do("GET", fmt.Sprintf("/api/v1/feedback/%d", int64(r.JSON["id"].(float64))), nil)
		phoneCustomer = int64(it.JSON["customer_id"].(float64))
		if phoneCustomer == id {
			t.Fatal("a new phone resolved to Ivan")
		}
		r = e.do("POST", fmt.Sprintf("/api/v1/customers/%d/merge", id), map[string]any{"customer_id": phoneCustomer})
		if r.Status != 200 {
			t.Fatal(string(r.Raw))
		}
		r = e.do("GET", fmt.Sprintf("/api/v1/customers/%d", id), nil)
		if r.Status != 200 {
			t.Fatal(string(r.Raw))
		}
		if n := len(r.JSON["identities"].([]any)); n != 3 {
			t.Fatalf("%d identities, want 3 (email, telegram, phone): %s", n, r.Raw)
		}
		if n := len(r.JSON["timeline"].([]any)); n != 2 {
			t.Fatalf("timeline has %d items, want 2", n)
		}
		r = e.do("GET", "/api/v1/customers?q=ivan", nil)
		if n := len(r.JSON["items"].([]any)); n != 1 {
			t.Fatalf("search found %d customers", n)
		}
		r = e.do("POST", "/api/v1/transactions", map[string]any{"items": []map[string]any{
			{"customer_id": id, "amount": 4990, "currency": "RUB", "occurred_at": "2026-04-01T10:00:00Z", "external_id": "o-1"}}})
		if r.Status != 201 || r.JSON["inserted"].(float64) != 1 {
			t.Fatal(string(r.Raw))
		}
		r = e.do("POST", "/api/v1/churn-events", map[string]any{"customer_id": id, "reason": "price"})
		if r.Status != 201 {
			t.Fatal(string(r.Raw))
		}
		for _, bad := range []struct{ body, field string }{
			{`{"name":"nobody"}`, "customer"}, {`{"phone":"12"}`, "customer.phone"}} {
			r := e.do("POST", "/api/v1/customers", bad.body)
			if r.Status != 422 || r.ErrorField() != bad.field {
				t.Errorf("%s: %d %s", bad.body, r.Status, r.Raw)
			}
		}
	})
}
