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

// TestCloseLoopAPI walks the close-the-loop endpoints: case statistics,
// users' notification settings, in-app notifications, digest preview and
// business hours — with bad input answered by clear errors naming the field,
// and another workspace's key seeing none of it.
func TestCloseLoopAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e, _, _ := newAlertEnv(t, db, false)
		_, keyB := e.otherWorkspace("b")

		if r := e.do("POST", "/api/v1/rules", `{"name":"Detractor","conditions":[{"field":"nps","op":"lte","value":6}],
			"actions":[{"type":"open_case","sla_hours":24}]}`); r.Status != 201 {
			t.Fatalf("rule: %d %s", r.Status, r.Raw)
		}
		for i, text := range []string{"late", "rude"} {
			if r := e.do("POST", "/api/v1/feedback", map[string]any{"text": text, "nps": i + 1, "external_id": fmt.Sprint("d", i)}); r.Status != 201 {
				t.Fatalf("feedback: %d %s", r.Status, r.Raw)
			}
		}
		r := e.do("GET", "/api/v1/cases", nil)
		items, _ := r.JSON["items"].([]any)
		if len(items) != 2 {
			t.Fatalf("cases %s", r.Raw)
		}
		caseID := int64(items[0].(map[string]any)["id"].(float64))
		if r := e.do("PATCH", fmt.Sprintf("/api/v1/cases/%d", caseID), map[string]any{"status": "in_progress"}); r.Status != 200 {
			t.Fatalf("patch: %d %s", r.Status, r.Raw)
		}

		today := time.Now().In(store.LoadLocation("Europe/Moscow")).Format(time.DateOnly)
		r = e.do("GET", "/api/v1/cases/stats?by=team&from="+today+"&to="+today, nil)
		overall, _ := r.JSON["overall"].(map[string]any)
		if r.Status != 200 || overall["cases"] != 2.0 || overall["open"] != 2.0 {
			t.Fatalf("stats: %d %s", r.Status, r.Raw)
		}
		tta := overall["time_to_action"].(map[string]any)
		within := overall["acted_within_24h"].(map[string]any)
		if tta["n"] != 1.0 || overall["pending_action"] != 1.0 || within["n"] != 1.0 || within["value"] != 100.0 {
			t.Fatalf("stats figures: %s", r.Raw)
		}
		if groups, _ := r.JSON["groups"].([]any); len(groups) != 1 || groups[0].(map[string]any)["key"] != "" {
			t.Fatalf("team groups: %s", r.Raw)
		}
		if r := e.do("GET", "/api/v1/cases/stats", nil); r.Status != 200 || r.JSON["overall"].(map[string]any)["cases"] != 2.0 {
			t.Fatalf("default period: %d %s", r.Status, r.Raw)
		}
		if r := e.do("GET", "/api/v1/cases/stats?to=2020-01-01", nil); r.Status != 200 || r.JSON["overall"].(map[string]any)["cases"] != 0.0 {
			t.Fatalf("past period: %d %s", r.Status, r.Raw)
		}
		for path, field := range map[string]string{
			"/api/v1/cases/stats?by=region":                     "by",
			"/api/v1/cases/stats?from=yesterday":                "from",
			"/api/v1/cases/stats?to=2026-13-01":                 "to",
			"/api/v1/cases/stats?from=2026-01-02&to=2026-01-01": "to",
			"/api/v1/cases/stats?team=support":                  "team",
		} {
			if r := e.do("GET", path, nil); r.Status != 400 || r.ErrorField() != field {
				t.Errorf("%s: %d field %q, want 400 on %s", path, r.Status, r.ErrorField(), field)
			}
		}
		if r := e.doKey(keyB, "GET", "/api/v1/cases/stats?by=owner", nil); r.Status != 200 || r.JSON["overall"].(map[string]any)["cases"] != 0.0 {
			t.Fatalf("B sees A's cases: %s", r.Raw)
		}

		// Users: one of this workspace, one of B.
		u, _ := db.CreateUser(ctx, "anna@example.com", "Anna", "", "en")
		_ = db.AddMember(ctx, e.ws.ID, u.ID, store.RoleAgent)
		settings := fmt.Sprintf("/api/v1/users/%d/notification-settings", u.ID)
		if r := e.do("GET", settings, nil); r.Status != 200 || r.JSON["digest"] != "off" || r.JSON["telegram_chat_id"] != "" {
			t.Fatalf("default settings: %d %s", r.Status, r.Raw)
		}
		if r := e.do("PUT", settings, `{"digest":"weekly","telegram_chat_id":"123456789"}`); r.Status != 200 || r.JSON["digest"] != "weekly" {
			t.Fatalf("put settings: %d %s", r.Status, r.Raw)
		}
		if r := e.do("PUT", settings, `{"telegram_chat_id":""}`); r.Status != 200 || r.JSON["digest"] != "weekly" || r.JSON["telegram_chat_id"] != "" {
			t.Fatalf("partial put: %d %s", r.Status, r.Raw)
		}
		for body, want := range map[string]struct {
			status int
			field  string
		}{
			`{"digest":"hourly"}`:             {422, "digest"},
			`{"telegram_chat_id":"a b"}`:      {422, "telegram_chat_id"},
			`{"digets":"daily"}`:              {400, "digets"},
			`{"digest":7}`:                    {400, "digest"},
			`{"digest":"daily"} {"x":1}`:      {400, ""},
			`{"digest":"daily","extra":true}`: {400, "extra"},
		} {
			if r := e.do("PUT", settings, body); r.Status != want.status || r.ErrorField() != want.field {
				t.Errorf("PUT %s: %d field %q, want %d %q", body, r.Status, r.ErrorField(), want.status, want.field)
			}
		}
		if p, _ := db.NotifyPrefs(ctx, e.ws.ID, u.ID); p.Digest != "weekly" {
			t.Fatalf("a refused change was stored: %+v", p)
		}
		notes := fmt.Sprintf("/api/v1/users/%d/notifications", u.ID)
		if r := e.do("GET", notes, nil); r.Status != 200 || len(r.JSON["items"].([]any)) != 0 {
			t.Fatalf("notifications: %d %s", r.Status, r.Raw)
		}
		digest := fmt.Sprintf("/api/v1/users/%d/digest", u.ID)
		if r := e.do("GET", digest, nil); r.Status != 200 || r.JSON["frequency"] != "weekly" ||
			!strings.HasPrefix(r.JSON["subject"].(string), "Vox weekly digest: Acme") || r.JSON["kpis"] == nil {
			t.Fatalf("digest preview: %d %s", r.Status, r.Raw)
		}
		if r := e.do("GET", digest+"?frequency=hourly", nil); r.Status != 400 || r.ErrorField() != "frequency" {
			t.Fatalf("bad frequency: %d %s", r.Status, r.Raw)
		}
		// B's key cannot read or change A's user, nor can A reach B's.
		uB, _ := db.CreateUser(ctx, "boris@example.com", "Boris", "", "en")
		wsB, _ := db.WorkspaceBySlug(ctx, "b")
		_ = db.AddMember(ctx, wsB.ID, uB.ID, store.RoleOwner)
		for _, c := range []struct {
			key, method, path string
			body              any
		}{
			{keyB, "GET", settings, nil},
			{keyB, "PUT", settings, `{"digest":"off"}`},
			{keyB, "GET", notes, nil},
			{keyB, "GET", digest, nil},
			{e.key, "GET", fmt.Sprintf("/api/v1/users/%d/notification-settings", uB.ID), nil},
			{e.key, "PUT", fmt.Sprintf("/api/v1/users/%d/notification-settings", uB.ID), `{"digest":"daily"}`},
			{e.key, "GET", fmt.Sprintf("/api/v1/users/%d/digest", uB.ID), nil},
			{e.key, "GET", "/api/v1/users/abc/notifications", nil},
		} {
			if r := e.doKey(c.key, c.method, c.path, c.body); r.Status != 404 || strings.Contains(string(r.Raw), "anna@") {
				t.Errorf("%s %s across workspaces: %d %s", c.method, c.path, r.Status, r.Raw)
			}
		}
		if p, _ := db.NotifyPrefs(ctx, e.ws.ID, u.ID); p.Digest != "weekly" {
			t.Fatalf("B changed A's user: %+v", p)
		}
		if p, _ := db.NotifyPrefs(ctx, wsB.ID, uB.ID); p.Digest != "off" {
			t.Fatalf("A changed B's user: %+v", p)
		}

		// Business hours.
		const bh = "/api/v1/sla/business-hours"
		if r := e.do("GET", bh, nil); r.Status != 200 || r.JSON["enabled"] != false || r.JSON["timezone"] != "Europe/Moscow" {
			t.Fatalf("business hours: %d %s", r.Status, r.Raw)
		}
		if r := e.do("PUT", bh, `{"days":[5,1,2,3,4],"start":"09:00","end":"18:00"}`); r.Status != 200 || r.JSON["enabled"] != true ||
			fmt.Sprint(r.JSON["hours"].(map[string]any)["days"]) != "[1 2 3 4 5]" {
			t.Fatalf("put business hours: %d %s", r.Status, r.Raw)
		}
		for body, want := range map[string]struct {
			status int
			field  string
		}{
			`{"days":[],"start":"09:00","end":"18:00"}`:        {422, "days"},
			`{"days":[8],"start":"09:00","end":"18:00"}`:       {422, "days[0]"},
			`{"days":[1],"start":"9","end":"18:00"}`:           {422, "start"},
			`{"days":[1],"start":"18:00","end":"09:00"}`:       {422, "end"},
			`{"days":[1],"start":"09:00","end":"18:00","x":1}`: {400, "x"},
			`{"days":"weekdays"}`:                              {400, "days"},
		} {
			if r := e.do("PUT", bh, body); r.Status != want.status || r.ErrorField() != want.field {
				t.Errorf("PUT %s: %d field %q, want %d %q", body, r.Status, r.ErrorField(), want.status, want.field)
			}
		}
		if r := e.doKey(keyB, "GET", bh, nil); r.Status != 200 || r.JSON["enabled"] != false {
			t.Fatalf("B sees A's hours: %s", r.Raw)
		}
		if r := e.doKey(keyB, "DELETE", bh, nil); r.Status != 204 {
			t.Fatalf("B delete: %d", r.Status)
		}
		if r := e.do("GET", bh, nil); r.JSON["enabled"] != true {
			t.Fatalf("B's delete removed A's hours: %s", r.Raw)
		}
		if r := e.do("DELETE", bh, nil); r.Status != 204 {
			t.Fatalf("delete: %d", r.Status)
		}
		if r := e.do("GET", bh, nil); r.JSON["enabled"] != false {
			t.Fatalf("after delete: %s", r.Raw)
		}
	})
}
