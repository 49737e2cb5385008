package api_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// seedMetrics posts a small, hand-countable data set into the env's workspace
// (Europe/Moscow, UTC+3): two weeks of May 2025 plus the week before.
func seedMetrics(t *testing.T, e *testEnv) {
	t.Helper()
	type it = map[string]any
	items := []it{
		// Week of 2025-04-28 (the previous bucket of the first week).
		{"text": "ok", "channel": "email", "nps": 3, "occurred_at": "2025-04-30T10:00:00Z"},
		// Week of 2025-05-05.
		{"text": "great", "channel": "email", "nps": 10, "csat": 5, "ces": 7, "region": "eu", "occurred_at": "2025-05-05T10:00:00Z"},
		{"text": "good", "channel": "email", "nps": 9, "csat": 4, "ces": 6, "region": "eu", "occurred_at": "2025-05-06T10:00:00Z"},
		{"text": "bad", "channel": "email", "nps": 3, "csat": 2, "ces": 2, "region": "asia", "occurred_at": "2025-05-07T10:00:00Z"},
		{"text": "meh", "channel": "telegram", "nps": 7, "csat": 9, "csat_scale": 10, "region": "eu", "occurred_at": "2025-05-08T10:00:00Z"},
		// 2025-05-11 22:30 UTC is Monday 2025-05-12 01:30 in Moscow: next week.
		{"text": "late", "channel": "telegram", "nps": 0, "region": "eu", "occurred_at": "2025-05-11T22:30:00Z"},
		{"text": "fine", "channel": "email", "nps": 8, "region": "eu", "occurred_at": "2025-05-13T10:00:00Z"},
	}
	r := e.do("POST", "/api/v1/feedback", map[string]any{"items": items})
	if r.Status != 201 {
		t.Fatalf("seed: %d %s", r.Status, r.Raw)
	}
}

type metricGroup struct {
	key    string
	value  float64
	n      int
	change any
}

func groups(t *testing.T, r response) []metricGroup {
	t.Helper()
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	var out []metricGroup
	for _, g := range r.JSON["groups"].([]any) {
		m := g.(map[string]any)
		var parts []string
		for _, k := range []string{"channel", "region", "week", "day", "month", "topic"} {
			if v, ok := m["key"].(map[string]any)[k]; ok {
				parts = append(parts, k+"="+v.(string))
			}
		}
		out = append(out, metricGroup{key: strings.Join(parts, ","), value: m["value"].(float64), n: int(m["n"].(float64)), change: m["change"]})
	}
	return out
}

func TestMetricsAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		seedMetrics(t, e)
		near := func(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

		// NPS by channel over the two May weeks: email 10,9,3,8 → (2−1)/4;
		// telegram 7,0 → (0−1)/2.
		gs := groups(t, e.do("GET", "/api/v1/metrics/nps?by=channel&from=2025-05-05&to=2025-05-18", nil))
		want := map[string][2]float64{"channel=email": {25, 4}, "channel=telegram": {-50, 2}}
		if len(gs) != len(want) {
			t.Fatalf("groups %+v", gs)
		}
		for _, g := range gs {
			w, ok := want[g.key]
			if !ok || !near(g.value, w[0]) || g.n != int(w[1]) {
				t.Errorf("group %+v, want %v", g, w)
			}
		}
		// The previous 14 days hold one email detractor: email's change is
		// 25 − (−100); telegram had nothing then, so no change.
		for _, g := range gs {
			ch, _ := g.change.(map[string]any)
			switch g.key {
			case "channel=email":
				if ch == nil || !near(ch["value"].(float64), 125) {
					t.Errorf("email change %v", g.change)
				}
			case "channel=telegram":
				if g.change != nil {
					t.Errorf("telegram change %v, want null", g.change)
				}
			}
		}

		// By week, in Moscow time: the Sunday-night UTC item is in week 05-12.
		gs = groups(t, e.do("GET", "/api/v1/metrics/volume?by=week&from=2025-05-05&to=2025-05-18", nil))
		if len(gs) != 2 || gs[0].key != "week=2025-05-05" || gs[0].n != 4 || gs[1].key != "week=2025-05-12" || gs[1].n != 2 {
			t.Fatalf("volume by week %+v", gs)
		}
		// The first week is compared with the week before the range (1 item).
		if ch, _ := gs[0].change.(map[string]any); ch == nil || ch["value"].(float64) != 3 {
			t.Errorf("first week change %v", gs[0].change)
		}
		if ch, _ := gs[1].change.(map[string]any); ch == nil || ch["value"].(float64) != -2 {
			t.Errorf("second week change %v", gs[1].change)
		}

		// CSAT combines the 5- and 10-point scales by top-2-box: 5,4 and 9 of
		// 10 satisfied, 2 not → 3/4.
		r := e.do("GET", "/api/v1/metrics/csat?from=2025-05-05&to=2025-05-18", nil)
		gs = groups(t, r)
		if len(gs) != 1 || !near(gs[0].value, 75) || gs[0].n != 4 {
			t.Fatalf("csat %+v", gs)
		}
		if !strings.Contains(string(r.Raw), `"definition":"CSAT`) {
			t.Errorf("no definition: %s", r.Raw)
		}
		// CES mean of 7, 6, 2; filtered by region eu: 7, 6.
		gs = groups(t, e.do("GET", "/api/v1/metrics/ces?from=2025-05-05&to=2025-05-18&filter[region]=eu", nil))
		if len(gs) != 1 || !near(gs[0].value, 6.5) || gs[0].n != 2 {
			t.Fatalf("ces eu %+v", gs)
		}
		// Two dimensions plus a grain, and a multi-value filter.
		gs = groups(t, e.do("GET", "/api/v1/metrics/nps?by=channel,region,week&from=2025-05-05&to=2025-05-18&filter[region]=eu,asia", nil))
		if len(gs) != 5 {
			t.Fatalf("nps by channel, region, week: %+v", gs)
		}

		// Another workspace sees nothing of this one.
		_, keyB := e.otherWorkspace("other")
		for _, path := range []string{"/api/v1/metrics/volume?from=2025-01-01&to=2025-12-31",
			"/api/v1/metrics/nps?by=channel&from=2025-01-01&to=2025-12-31"} {
			rb := e.doKey(keyB, "GET", path, nil)
			if rb.Status != 200 || len(rb.JSON["groups"].([]any)) != 0 {
				t.Errorf("other workspace %s: %s", path, rb.Raw)
			}
		}
	})
}

func TestMetricsAPIBadParameters(t *testing.T) {
	db := testutil.SQLite(t)
	e := newEnv(t, db)
	cases := []struct{ path, field string }{
		{"/api/v1/metrics/loyalty", "metric"},
		{"/api/v1/metrics/nps?by=colour", "by"},
		{"/api/v1/metrics/nps?by=channel,region,lang", "by"},
		{"/api/v1/metrics/nps?by=channel,channel", "by"},
		{"/api/v1/metrics/nps?by=week,month", "by"},
		{"/api/v1/metrics/nps?by=year", "by"},
		{"/api/v1/metrics/nps?filter[colour]=red", "filter[colour]"},
		{"/api/v1/metrics/nps?filter[employee]=bob", "filter[employee]"},
		{"/api/v1/metrics/nps?filter[topic]=price,delivery", "filter[topic]"},
		{"/api/v1/metrics/nps?from=2025-13-01", "from"},
		{"/api/v1/metrics/nps?to=yesterday", "to"},
		{"/api/v1/metrics/nps?from=2025-05-10&to=2025-05-01", "to"},
		{"/api/v1/metrics/nps?from=2000-01-01&to=2025-01-01", "from"},
		{"/api/v1/metrics/nps?fitler[region]=eu", "fitler[region]"},
		{"/api/v1/journey/map?from=2025-02-30", "from"},
		{"/api/v1/drivers?to=2025-01-01&from=2025-02-01", "to"},
		{"/api/v1/pain-points?by=channel", "by"},
		{"/api/v1/pain-points?q=1", "q"},
	}
	for _, c := range cases {
		r := e.do("GET", c.path, nil)
		if r.Status != 400 || r.ErrorField() != c.field {
			t.Errorf("%s: %d field %q, want 400 field %q: %s", c.path, r.Status, r.ErrorField(), c.field, r.Raw)
		}
	}
	// Multiple topics are fine when grouped by topic.
	if r := e.do("GET", "/api/v1/metrics/nps?by=topic&filter[topic]=price,delivery", nil); r.Status != 200 {
		t.Errorf("by topic with two topics: %d %s", r.Status, r.Raw)
	}
	if r := e.doKey("", "GET", "/api/v1/metrics/nps", nil); r.Status != 401 {
		t.Errorf("without a key: %d", r.Status)
	}
}

func TestJourneyAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.do("GET", "/api/v1/journey", nil)
		if r.Status != 200 || r.JSON["default"] != true || len(r.JSON["stages"].([]any)) != 5 {
			t.Fatalf("default journey: %s", r.Raw)
		}
		bad := []struct {
			body  string
			field string
		}{
			{`{"stages":[]}`, "stages"},
			{`{"stages":[{"key":"Awareness"}]}`, "stages[0].key"},
			{`{"stages":[{"key":"a"},{"key":"a"}]}`, "stages[1].key"},
			{`{"stages":[{"key":"a"}],"touchpoints":[{"key":"web","type":"virtual"}]}`, "touchpoints[0].type"},
			{`{"stages":[{"key":"a"}],"touchpoints":[{"key":"web","type":"digital","stages":["b"]}]}`, "touchpoints[0].stages[0]"},
			{`{"stages":[{"key":"a"}],"colour":1}`, "colour"},
		}
		for _, b := range bad {
			r := e.do("PUT", "/api/v1/journey", b.body)
			if r.Status != 400 || r.ErrorField() != b.field {
				t.Errorf("PUT %s: %d field %q, want %q", b.body, r.Status, r.ErrorField(), b.field)
			}
		}
		cfg := `{"stages":[{"key":"usage","name":"Использование"},{"key":"loyalty"}],
			"touchpoints":[{"key":"store","type":"physical","stages":["usage"]},{"key":"website","type":"digital"}]}`
		if r := e.do("PUT", "/api/v1/journey", cfg); r.Status != 200 {
			t.Fatalf("PUT: %d %s", r.Status, r.Raw)
		}
		r = e.do("GET", "/api/v1/journey", nil)
		if r.JSON["default"] != false || len(r.JSON["stages"].([]any)) != 2 || !strings.Contains(string(r.Raw), "Использование") {
			t.Fatalf("saved journey: %s", r.Raw)
		}
		// Another workspace still has the defaults.
		_, keyB := e.otherWorkspace("b")
		if rb := e.doKey(keyB, "GET", "/api/v1/journey", nil); rb.JSON["default"] != true {
			t.Errorf("B's journey: %s", rb.Raw)
		}

		items := []map[string]any{
			{"text": "a", "stage": "usage", "touchpoint": "store", "nps": 10, "occurred_at": "2025-05-05T10:00:00Z"},
			{"text": "b", "stage": "usage", "touchpoint": "store", "nps": 2, "occurred_at": "2025-05-06T10:00:00Z"},
			{"text": "c", "stage": "loyalty", "touchpoint": "call_center", "csat": 5, "occurred_at": "2025-05-06T10:00:00Z"},
		}
		if r := e.do("POST", "/api/v1/feedback", map[string]any{"items": items}); r.Status != 201 {
			t.Fatalf("seed: %s", r.Raw)
		}
		m := e.do("GET", "/api/v1/journey/map?from=2025-05-01&to=2025-05-31", nil)
		if m.Status != 200 {
			t.Fatalf("map: %d %s", m.Status, m.Raw)
		}
		cells := m.JSON["cells"].([]any)
		if len(cells) != 2 {
			t.Fatalf("cells: %s", m.Raw)
		}
		first := cells[0].(map[string]any)
		if first["stage"] != "usage" || first["touchpoint"] != "store" || first["volume"].(float64) != 2 ||
			first["nps"].(map[string]any)["value"].(float64) != 0 {
			t.Errorf("first cell: %v", first)
		}
		// call_center is not configured: it is listed, marked unconfigured.
		if !strings.Contains(string(m.Raw), `"key":"call_center","type":"","configured":false`) {
			t.Errorf("unconfigured touchpoint missing: %s", m.Raw)
		}
		if rb := e.doKey(keyB, "GET", "/api/v1/journey/map?from=2025-05-01&to=2025-05-31", nil); len(rb.JSON["cells"].([]any)) != 0 {
			t.Errorf("B sees A's map: %s", rb.Raw)
		}
	})
}

func TestDriversAndPainPointsAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		// Texts the test env does not analyse, so topics come from rows
		// inserted through the store with topics set.
		var batch []store.NewFeedback
		for i := 0; i < 120; i++ {
			it := store.FeedbackItem{Kind: "survey_response", Channel: "web", Text: "x",
				OccurredAt: mustTime("2025-05-10T10:00:00Z").Add(time.Duration(i) * time.Minute)}
			nps := 9 + i%2
			switch {
			case i%3 == 0:
				it.Topics, nps = []string{"delivery"}, i%5 // detractors
				it.Stage, it.Touchpoint = "usage", "delivery"
			case i%3 == 1:
				it.Topics, nps = []string{"staff"}, []int{9, 10, 8, 7}[(i/3)%4]
				it.Stage, it.Touchpoint = "decision", "store"
			default:
				it.Topics = []string{"price"}
				it.Stage, it.Touchpoint = "usage", "website"
				nps = 7 + (i/3)%2
			}
			it.NPS = &nps
			batch = append(batch, store.NewFeedback{Item: it})
		}
		if _, err := db.InsertFeedback(t.Context(), e.ws.ID, batch, nil); err != nil {
			t.Fatal(err)
		}
		r := e.do("GET", "/api/v1/drivers?from=2025-05-01&to=2025-05-31", nil)
		if r.Status != 200 || r.JSON["answers"].(float64) != 120 {
			t.Fatalf("drivers: %d %s", r.Status, r.Raw)
		}
		ds := r.JSON["drivers"].([]any)
		if len(ds) == 0 || ds[0].(map[string]any)["topic"] != "delivery" || ds[0].(map[string]any)["effect"].(float64) >= 0 {
			t.Errorf("delivery should be the strongest, negative driver: %s", r.Raw)
		}
		r = e.do("GET", "/api/v1/pain-points?by=stage&from=2025-05-01&to=2025-05-31", nil)
		if r.Status != 200 {
			t.Fatalf("pain points: %d %s", r.Status, r.Raw)
		}
		gs := r.JSON["groups"].([]any)
		if len(gs) != 2 || gs[0].(map[string]any)["key"].(map[string]any)["stage"] != "decision" {
			t.Fatalf("groups in journey order: %s", r.Raw)
		}
		usage := gs[1].(map[string]any)
		pps := usage["pain_points"].([]any)
		if len(pps) == 0 || pps[0].(map[string]any)["topic"] != "delivery" {
			t.Errorf("usage pain points: %v", usage)
		}
		_, keyB := e.otherWorkspace("b")
		if rb := e.doKey(keyB, "GET", "/api/v1/drivers?from=2025-05-01&to=2025-05-31", nil); rb.JSON["answers"].(float64) != 0 {
			t.Errorf("B sees A's answers: %s", rb.Raw)
		}
		if rb := e.doKey(keyB, "GET", "/api/v1/pain-points?from=2025-05-01&to=2025-05-31", nil); strings.Contains(string(rb.Raw), "delivery") {
			t.Errorf("B sees A's pain points: %s", rb.Raw)
		}
	})
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(fmt.Sprint(err))
	}
	return t
}
