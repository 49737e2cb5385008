package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestSurveySegmentInvitations sends a survey to a segment through the API:
// the counts, the mails that go out, a same-wave re-send that queues
// nothing, the region filter, links, bad input as 400 naming the field,
// and workspaces that never see each other's surveys or customers.
func TestSurveySegmentInvitations(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newSurveyEnv(t, db)
		other, otherKey := e.otherWorkspace("other")
		seed := func(ws int64, segment, region string, idns ...store.Identity) {
			if _, err := db.UpsertCustomer(ctx, ws, store.CustomerInput{Segment: segment, Region: region, Lang: "ru", Identities: idns}); err != nil {
				t.Fatal(err)
			}
		}
		email := func(v string) store.Identity { return store.Identity{Kind: store.IdentityEmail, Value: v} }
		seed(e.ws.ID, "vip", "north", email("a@example.com"))
		seed(e.ws.ID, "vip", "north", email("b@example.com"))
		seed(e.ws.ID, "vip", "north", store.Identity{Kind: store.IdentityPhone, Value: "+79001112233"})
		seed(e.ws.ID, "vip", "south", email("c@example.com"))
		seed(e.ws.ID, "mass", "north", email("d@example.com"))
		seed(other.ID, "vip", "north", email("stranger@example.com"))
		id := e.createSurvey(npsSurvey)
		path := fmt.Sprintf("/api/v1/surveys/%d/invitations/segment", id)
		counts := func(r response) string {
			j := r.JSON
			return fmt.Sprintf("%d matched %v queued %v dup %v opted %v throttled %v noaddr %v invalid %v", r.Status,
				j["matched"], j["queued"], j["duplicates"], j["opted_out"], j["throttled"], j["no_address"], j["invalid"])
		}

		// Email runs in the background: 202 with the send, queued; the
		// segment job then walks it and queues one send job per address.
		r := e.do("POST", path, `{"channel":"email","segment":"vip","wave":"2026-05"}`)
		if r.Status != 202 || r.JSON["status"] != "queued" || r.JSON["segment"] != "vip" {
			t.Fatalf("send: %d %s", r.Status, r.Raw)
		}
		sendID := r.JSON["id"]
		if n := e.runJobs(); n != 4 {
			t.Errorf("ran %d jobs, want 4 (the segment walk and 3 sends)", n)
		}
		var to []string
		for _, m := range e.smtp.Wait(3, 5*time.Second) {
			to = append(to, m.To...)
		}
		if got := strings.Join(to, ","); len(to) != 3 || strings.Contains(got, "stranger") || strings.Contains(got, "d@") {
			t.Errorf("mailed %s", got)
		}
		list := e.do("GET", fmt.Sprintf("/api/v1/surveys/%d/segment-sends", id), "")
		items, _ := list.JSON["items"].([]any)
		if list.Status != 200 || len(items) != 1 {
			t.Fatalf("segment sends: %d %s", list.Status, list.Raw)
		}
		sent := response{Status: 200, JSON: items[0].(map[string]any)}
		if got, want := counts(sent), "200 matched 4 queued 3 dup 0 opted 0 throttled 0 noaddr 1 invalid 0"; got != want || sent.JSON["status"] != "done" {
			t.Errorf("progress: %s %v, want %s done", got, sent.JSON["status"], want)
		}
		// The same wave again is the same send: 200, nothing new runs.
		r = e.do("POST", path, `{"channel":"email","segment":"vip","wave":"2026-05"}`)
		if r.Status != 200 || r.JSON["id"] != sendID || r.JSON["status"] != "done" {
			t.Errorf("same wave again: %d %s", r.Status, r.Raw)
		}
		if n := e.runJobs(); n != 0 {
			t.Errorf("same wave again ran %d jobs", n)
		}
		r = e.do("POST", path, `{"channel":"email","segment":"vip","region":"south","wave":"2026-06","delay_seconds":3600}`)
		if r.Status != 202 || r.JSON["region"] != "south" || r.JSON["delay_seconds"] != float64(3600) {
			t.Errorf("south: %d %s", r.Status, r.Raw)
		}
		e.runJobs()
		list = e.do("GET", fmt.Sprintf("/api/v1/surveys/%d/segment-sends", id), "")
		items, _ = list.JSON["items"].([]any)
		if got, want := counts(response{Status: 200, JSON: items[0].(map[string]any)}), "200 matched 1 queued 1 dup 0 opted 0 throttled 0 noaddr 0 invalid 0"; got != want {
			t.Errorf("south: %s, want %s", got, want)
		}
		r = e.do("POST", path, `{"channel":"link","segment":"vip","wave":"links"}`)
		links, _ := r.JSON["links"].([]any)
		if r.Status != 200 || len(links) != 4 || !strings.HasPrefix(links[0].(map[string]any)["url"].(string), e.srv.URL+"/s/") {
			t.Errorf("links: %d %s", r.Status, r.Raw)
		}

		for _, tc := range []struct{ body, code, field string }{
			{`{"channel":"fax","segment":"vip"}`, "invalid", "channel"},
			{`{"channel":"email"}`, "invalid", "segment"},
			{`{"channel":"email","segment":"vip","delay_seconds":-5}`, "invalid", "delay_seconds"},
			{`{"channel":"email","segment":"vip","segmnt":"x"}`, "unknown_field", "segmnt"},
			{`{"channel":"email","segment":7}`, "invalid_type", "segment"},
		} {
			r := e.do("POST", path, tc.body)
			if r.Status != 400 || r.ErrorCode() != tc.code || r.ErrorField() != tc.field {
				t.Errorf("%s: %d %s, want 400 %s on %s", tc.body, r.Status, r.Raw, tc.code, tc.field)
			}
		}

		// Another workspace's key finds no such survey, and its own survey
		// reaches only its own customer of the same segment name.
		if r := e.doKey(otherKey, "POST", path, `{"channel":"email","segment":"vip","wave":"x"}`); r.Status != 404 || r.ErrorCode() != "not_found" {
			t.Errorf("other workspace's key: %d %s", r.Status, r.Raw)
		}
		cr := e.doKey(otherKey, "POST", "/api/v1/surveys", npsSurvey)
		if cr.Status != 201 {
			t.Fatalf("create in other: %d %s", cr.Status, cr.Raw)
		}
		otherPath := fmt.Sprintf("/api/v1/surveys/%d/invitations/segment", int64(cr.JSON["id"].(float64)))
		if r := e.do("POST", otherPath, `{"channel":"email","segment":"vip"}`); r.Status != 404 {
			t.Errorf("other workspace's survey: %d %s", r.Status, r.Raw)
		}
		if r := e.doKey(otherKey, "POST", otherPath, `{"channel":"email","segment":"vip"}`); r.Status != 202 {
			t.Errorf("other workspace's own segment: %d %s", r.Status, r.Raw)
		}
		e.runJobs()
		sends := e.doKey(otherKey, "GET", strings.TrimSuffix(otherPath, "/invitations/segment")+"/segment-sends", "")
		items, _ = sends.JSON["items"].([]any)
		if len(items) != 1 || counts(response{Status: 200, JSON: items[0].(map[string]any)}) != "200 matched 1 queued 1 dup 0 opted 0 throttled 0 noaddr 0 invalid 0" {
			t.Errorf("other workspace's own segment: %s", sends.Raw)
		}
		// Neither workspace sees the other's sends.
		if r := e.do("GET", strings.TrimSuffix(otherPath, "/invitations/segment")+"/segment-sends", ""); r.Status != 404 {
			t.Errorf("other workspace's sends: %d %s", r.Status, r.Raw)
		}
	})
}
