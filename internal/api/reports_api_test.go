package api_test

import (
	"context"
	"fmt"
	"testing"

	"vox/internal/report"
	"vox/internal/store"
	"vox/internal/testutil"
)

// Weekly report subscriptions through the API: create, read, change,
// send now and delete; bad input answers 400 naming the field; another
// workspace's key sees none of it.
func TestReportSubscriptionsAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.do("POST", "/api/v1/report-subscriptions", `{"recipients":["ceo@acme.example"," CX Team <cx@acme.example>"],"lang":"ru","weekday":"friday","hour":17}`)
		if r.Status != 201 {
			t.Fatalf("create: %d %s", r.Status, r.Raw)
		}
		id := int64(r.JSON["id"].(float64))
		if r.JSON["weekday"].(float64) != 5 || r.JSON["hour"].(float64) != 17 || r.JSON["enabled"] != true || r.JSON["lang"] != "ru" ||
			fmt.Sprint(r.JSON["recipients"]) != "[ceo@acme.example cx@acme.example]" || r.JSON["created_by"] != nil {
			t.Fatalf("created %s", r.Raw)
		}
		path := fmt.Sprintf("/api/v1/report-subscriptions/%d", id)

		for _, c := range []struct {
			method, path, body, field string
		}{
			{"POST", "/api/v1/report-subscriptions", `{}`, "recipients"},
			{"POST", "/api/v1/report-subscriptions", `{"recipients":[]}`, "recipients"},
			{"POST", "/api/v1/report-subscriptions", `{"recipients":["nobody"]}`, "recipients"},
			{"POST", "/api/v1/report-subscriptions", `{"recipients":"a@x.org"}`, "recipients"},
			{"POST", "/api/v1/report-subscriptions", `{"recipients":["a@x.org"],"lang":"de"}`, "lang"},
			{"POST", "/api/v1/report-subscriptions", `{"recipients":["a@x.org"],"weekday":0}`, "weekday"},
			{"POST", "/api/v1/report-subscriptions", `{"recipients":["a@x.org"],"weekday":"funday"}`, "weekday"},
			{"POST", "/api/v1/report-subscriptions", `{"recipients":["a@x.org"],"hour":24}`, "hour"},
			{"POST", "/api/v1/report-subscriptions", `{"recipients":["a@x.org"],"hour":"8"}`, "hour"},
			{"POST", "/api/v1/report-subscriptions", `{"recipients":["a@x.org"],"hours":8}`, "hours"},
			{"PATCH", path, `{"hour":-1}`, "hour"},
			{"PATCH", path, `{"recipients":["a@x.org","b@"]}`, "recipients"},
			{"PATCH", path, `{"weekday":8}`, "weekday"},
		} {
			r := e.do(c.method, c.path, c.body)
			if r.Status != 400 || r.ErrorField() != c.field {
				t.Errorf("%s %s %s: %d field %q, want 400 %q (%s)", c.method, c.path, c.body, r.Status, r.ErrorField(), c.field, r.Raw)
			}
		}

		r = e.do("PATCH", path, `{"enabled":false,"weekday":1}`)
		if r.Status != 200 || r.JSON["enabled"] != false || r.JSON["weekday"].(float64) != 1 || r.JSON["hour"].(float64) != 17 {
			t.Fatalf("patch: %d %s", r.Status, r.Raw)
		}
		if r := e.do("GET", path, nil); r.Status != 200 || r.JSON["enabled"] != false || r.JSON["last_error"] != "" {
			t.Fatalf("get: %d %s", r.Status, r.Raw)
		}
		r = e.do("POST", path+"/send", nil)
		if r.Status != 202 || r.JSON["queued"] != true {
			t.Fatalf("send: %d %s", r.Status, r.Raw)
		}
		if r := e.do("POST", path+"/send", nil); r.Status != 202 || r.JSON["queued"] != false {
			t.Fatalf("send twice: %d %s", r.Status, r.Raw)
		}
		js, err := db.Jobs(context.Background(), e.ws.ID, store.JobPending, report.KindWeekly, 10)
		if err != nil || len(js) != 1 {
			t.Fatalf("queued jobs %+v %v", js, err)
		}

		// Another workspace: nothing to see, change, send or delete.
		_, other := e.otherWorkspace("other")
		if r := e.doKey(other, "GET", "/api/v1/report-subscriptions", nil); r.Status != 200 || len(r.JSON["items"].([]any)) != 0 {
			t.Errorf("other lists: %d %s", r.Status, r.Raw)
		}
		for _, c := range []struct{ method, path, body string }{
			{"GET", path, ""}, {"PATCH", path, `{"recipients":["attacker@evil.example"]}`}, {"POST", path + "/send", ""}, {"DELETE", path, ""},
		} {
			var body any
			if c.body != "" {
				body = c.body
			}
			if r := e.doKey(other, c.method, c.path, body); r.Status != 404 {
				t.Errorf("other %s %s: %d", c.method, c.path, r.Status)
			}
		}
		if r := e.do("GET", "/api/v1/report-subscriptions", nil); r.Status != 200 || len(r.JSON["items"].([]any)) != 1 {
			t.Fatalf("list: %d %s", r.Status, r.Raw)
		} else if item := r.JSON["items"].([]any)[0].(map[string]any); fmt.Sprint(item["recipients"]) != "[ceo@acme.example cx@acme.example]" {
			t.Fatalf("changed by another workspace: %s", r.Raw)
		}

		if r := e.do("DELETE", path, nil); r.Status != 204 {
			t.Fatalf("delete: %d", r.Status)
		}
		if r := e.do("GET", path, nil); r.Status != 404 {
			t.Fatalf("after delete: %d", r.Status)
		}
		if r := e.do("GET", "/api/v1/report-subscriptions?x=1", nil); r.Status != 400 || r.ErrorField() != "x" {
			t.Errorf("unknown parameter: %d %s", r.Status, r.Raw)
		}
	})
}
