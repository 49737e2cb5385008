package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"testing"
	"time"

	"vox/internal/api"
	"vox/internal/ingest"
	"vox/internal/insights"
	"vox/internal/metrics"
	"vox/internal/store"
)

// journeyTouchpoints and journeyTopics make the seeded journey: each
// touchpoint with its stages, each topic with how it moves the score.
var (
	seedTouchpoints = map[string][]string{
		"delivery": {"usage"}, "store": {"research", "decision", "usage"}, "website": {"research", "decision"},
		"mobile_app": {"decision", "usage", "loyalty"}, "call_center": {"usage"},
	}
	seedTopics = []struct {
		name  string
		shift int
	}{{"delivery_delay", -4}, {"staff", 2}, {"price", -1}, {"app_crash", -3}, {"assortment", 1}}
)

// seedJourney stores n realistic items in ws over the last three weeks:
// NPS answers (most with topics), CSAT answers and mentions, across two
// channels, regions and segments. It returns the items as stored.
func seedJourney(t *testing.T, db *store.DB, ws int64, n int, seed uint64) []store.FeedbackItem {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	tps := []string{"delivery", "store", "website", "mobile_app", "call_center"}
	now := time.Now()
	var batch []store.NewFeedback
	for i := 0; i < n; i++ {
		tp := tps[r.IntN(len(tps))]
		stages := seedTouchpoints[tp]
		it := store.FeedbackItem{Kind: "survey_response", Channel: []string{"telegram", "web"}[r.IntN(2)],
			Region: []string{"Moscow", "Kazan"}[r.IntN(2)], Segment: []string{"vip", "mass"}[r.IntN(2)],
			Touchpoint: tp, Stage: stages[r.IntN(len(stages))], Lang: "en",
			OccurredAt: now.Add(-time.Duration(r.IntN(20*24)) * time.Hour)}
		score := 7 + r.IntN(4) - r.IntN(4)
		for _, tpc := range seedTopics {
			if r.IntN(4) == 0 {
				it.Topics = append(it.Topics, tpc.name)
				score += tpc.shift
			}
		}
		score = max(0, min(10, score))
		switch r.IntN(5) {
		case 0:
			it.Kind, it.CSAT, it.CSATScale = "survey_response", ptr(1+r.IntN(5)), ptr(5)
		case 1:
			it.Kind = "mention"
		default:
			it.NPS = ptr(score)
		}
		it.Sentiment = "neutral"
		switch {
		case score >= 9:
			it.Sentiment = "positive"
		case score <= 5:
			it.Sentiment = "negative"
		}
		it.Text = fmt.Sprintf("answer %d about %s", i, tp)
		batch = append(batch, store.NewFeedback{Item: it})
	}
	if _, err := db.InsertFeedback(context.Background(), ws, batch, nil); err != nil {
		t.Fatal(err)
	}
	out := make([]store.FeedbackItem, len(batch))
	for i, b := range batch {
		out[i] = b.Item
	}
	return out
}

// journeyAPI serves the REST API over the fixture's database with a key for ws.
func (f *fixture) journeyAPI(ws int64) (srv *httptest.Server, key string) {
	f.t.Helper()
	_, key, err := f.db.CreateAPIKey(context.Background(), ws, "test")
	if err != nil {
		f.t.Fatal(err)
	}
	srv = httptest.NewServer(api.New(f.db, &ingest.Service{DB: f.db}, nil, nil).Handler())
	f.t.Cleanup(srv.Close)
	return srv, key
}

// journeyAPIGet calls the REST API and decodes its answer.
func journeyAPIGet(t *testing.T, srv *httptest.Server, key, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", path, res.StatusCode)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

var cellRe = regexp.MustCompile(`<td class="cell [^"]*" data-stage="([^"]*)" data-touchpoint="([^"]*)" data-value="([^"]*)" data-n="(\d+)"`)

// pageCells reads the heat map's cells with a value: "stage/touchpoint" → value, n.
func pageCells(t *testing.T, body string) map[string]metrics.Estimate {
	t.Helper()
	out := map[string]metrics.Estimate{}
	for _, m := range cellRe.FindAllStringSubmatch(body, -1) {
		v, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			t.Fatalf("cell value %q: %v", m[3], err)
		}
		n, _ := strconv.Atoi(m[4])
		out[html.UnescapeString(m[1])+"/"+html.UnescapeString(m[2])] = metrics.Estimate{Value: v, N: n}
	}
	return out
}

// TestJourneyEqualsAPI checks every cell of the map, for each metric, with
// and without filters, against the insights service and the REST API, and
// the drivers and pain points against theirs.
func TestJourneyEqualsAPI(t *testing.T) {
	f := newFixture(t)
	seedJourney(t, f.db, f.wsA.ID, 600, 1)
	srv, key := f.journeyAPI(f.wsA.ID)
	c := f.loggedIn("viewer")
	ctx := context.Background()

	var apiMap insights.JourneyMap
	journeyAPIGet(t, srv, key, "/api/v1/journey/map", &apiMap)
	if len(apiMap.Cells) < 8 {
		t.Fatalf("seed gave only %d cells", len(apiMap.Cells))
	}
	for _, metric := range journeyMetrics {
		page := c.get("/journey?metric=" + metric)
		if page.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d\n%s", metric, page.StatusCode, page.Body)
		}
		got := pageCells(t, page.Body)
		want := 0
		for _, cell := range apiMap.Cells {
			e := map[string]insights.Score{"nps": cell.NPS, "csat": cell.CSAT, "sentiment": cell.Sentiment,
				"volume": {Value: float64(cell.Volume), N: cell.Volume}}[metric]
			if e.N == 0 {
				continue
			}
			want++
			g, ok := got[cell.Stage+"/"+cell.Touchpoint]
			if !ok || g.Value != e.Value || g.N != e.N {
				t.Errorf("%s %s/%s: page %+v (shown %v), API %v n %d", metric, cell.Stage, cell.Touchpoint, g, ok, e.Value, e.N)
			}
		}
		if len(got) != want {
			t.Errorf("%s: page shows %d cells, API has %d", metric, len(got), want)
		}
	}

	// With filters the page equals the metrics API by stage, touchpoint
	// under the same filters (the journey map API has no filters).
	for _, metric := range []string{"nps", "csat", "sentiment", "volume"} {
		page := c.get("/journey?metric=" + metric + "&channel=telegram&segment=vip")
		got := pageCells(t, page.Body)
		var res insights.Result
		journeyAPIGet(t, srv, key, "/api/v1/metrics/"+metric+"?by=stage,touchpoint&filter[channel]=telegram&filter[segment]=vip", &res)
		if len(res.Groups) == 0 {
			t.Fatalf("%s: no filtered groups", metric)
		}
		for _, g := range res.Groups {
			p, ok := got[g.Key["stage"]+"/"+g.Key["touchpoint"]]
			if !ok || p.Value != g.Value || p.N != g.N {
				t.Errorf("filtered %s %v: page %+v (shown %v), API %v n %d", metric, g.Key, p, ok, g.Value, g.N)
			}
		}
		if len(got) != len(res.Groups) {
			t.Errorf("filtered %s: page shows %d cells, API %d", metric, len(got), len(res.Groups))
		}
		mustContain(t, page.Body, `<option value="telegram" selected>`, `<option value="vip" selected>`)
		// Drivers and pain points follow the filters too (no "they cover
		// everything" notice any more).
		mustNotContain(t, page.Body, "every channel, region and segment")
	}

	// Key drivers: same topics, same effects, same order as the API.
	page := c.get("/journey")
	var drv insights.DriversResult
	journeyAPIGet(t, srv, key, "/api/v1/drivers", &drv)
	if len(drv.Drivers) < 3 {
		t.Fatalf("only %d drivers", len(drv.Drivers))
	}
	driverRe := regexp.MustCompile(`<tr data-topic="([^"]+)" data-effect="([^"]+)">`)
	rows := driverRe.FindAllStringSubmatch(page.Body, -1)
	if len(rows) != len(drv.Drivers) {
		t.Fatalf("page lists %d drivers, API %d", len(rows), len(drv.Drivers))
	}
	for i, d := range drv.Drivers {
		e, _ := strconv.ParseFloat(rows[i][2], 64)
		if rows[i][1] != d.Topic || e != d.Effect {
			t.Errorf("driver %d: page %s %v, API %s %v", i, rows[i][1], e, d.Topic, d.Effect)
		}
	}
	mustContain(t, page.Body, fmt.Sprintf("From %d NPS answers", drv.Answers))
	// Filtered, the page's drivers are the API's under the same filter.
	var fdrv insights.DriversResult
	journeyAPIGet(t, srv, key, "/api/v1/drivers?filter[channel]=telegram", &fdrv)
	if fdrv.Answers == 0 || fdrv.Answers >= drv.Answers {
		t.Fatalf("filtered drivers from %d of %d answers", fdrv.Answers, drv.Answers)
	}
	mustContain(t, c.get("/journey?channel=telegram").Body, fmt.Sprintf("From %d NPS answers", fdrv.Answers))

	// Pain points per stage and per touchpoint: the API's groups and topics in order.
	for _, by := range []string{"stage", "touchpoint"} {
		page := c.get("/journey?pain=" + by)
		var pp insights.PainPointsResult
		journeyAPIGet(t, srv, key, "/api/v1/pain-points?by="+by, &pp)
		var want []string
		for _, g := range pp.Groups {
			for _, p := range g.PainPoints {
				want = append(want, p.Topic)
			}
		}
		section := page.Body[regexp.MustCompile(`class="card pain-points"`).FindStringIndex(page.Body)[0]:]
		section = section[:regexp.MustCompile(`class="card drivers"`).FindStringIndex(section)[0]]
		var got []string
		for _, m := range regexp.MustCompile(`<tr data-topic="([^"]+)">`).FindAllStringSubmatch(section, -1) {
			got = append(got, m[1])
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || len(want) == 0 {
			t.Errorf("pain points by %s: page %v, API %v", by, got, want)
		}
	}

	// The service the page calls agrees with itself for the unfiltered map.
	svc := &insights.Service{DB: f.db}
	loc := workspaceLocation(f.wsA)
	from, to := insights.DefaultRange(svc.Today(loc))
	direct, err := svc.JourneyMap(ctx, f.wsA.ID, from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(direct.Cells) != len(apiMap.Cells) {
		t.Errorf("service %d cells, API %d", len(direct.Cells), len(apiMap.Cells))
	}
}

// TestJourneyPage checks what a CX manager sees: the configured stages and
// typed touchpoints, an accessible table, the switches and filters in the
// URL, escaped text, and refusals of bad input.
func TestJourneyPage(t *testing.T) {
	f := newFixture(t)
	seedJourney(t, f.db, f.wsA.ID, 300, 2)
	f.seedFeedback(f.wsA.ID, "", store.FeedbackItem{Kind: "review", Channel: "web", Text: "x", NPS: ptr(2),
		Touchpoint: `<b>kiosk</b>`, Stage: "usage", OccurredAt: time.Now()})
	c := f.loggedIn("manager")
	page := c.get("/journey?metric=csat&pain=touchpoint&from=" + time.Now().AddDate(0, 0, -25).Format("2006-01-02"))
	if page.StatusCode != http.StatusOK {
		t.Fatalf("journey: %d\n%s", page.StatusCode, page.Body)
	}
	mustContain(t, page.Body, "<caption>", `<th scope="col" data-stage="awareness">Awareness`, `<th scope="row" data-touchpoint="delivery">Delivery`,
		`tp-type tp-physical">physical`, `tp-type tp-digital">digital`, `tp-type tp-social">social`,
		"Advertising", "cell-expected", "CI ", "n = ", `<input type="hidden" name="metric" value="csat">`,
		`<input type="hidden" name="pain" value="touchpoint">`, `aria-current="true">CSAT, %`, `aria-current="true">by touchpoint`,
		"&lt;b&gt;kiosk&lt;/b&gt;", "not in the journey settings")
	mustNotContain(t, page.Body, "<b>kiosk</b>")
	// Switch links keep the period and the other switch.
	mustContain(t, page.Body, `href="/journey?from=`)
	if !regexp.MustCompile(`href="/journey\?from=[0-9-]+&amp;metric=volume&amp;pain=touchpoint"`).MatchString(page.Body) {
		t.Error("metric switch does not keep the period and pain grouping")
	}
	// Volume has no interval.
	vol := c.get("/journey?metric=volume")
	mustContain(t, vol.Body, "vol-3", "Number of feedback items")
	mustNotContain(t, vol.Body, `class="cell-ci"`)
	// Every language renders the map.
	for _, lang := range []string{"ru", "zh"} {
		p := c.get("/journey?lang=" + lang)
		mustContain(t, p.Body, f.srv.cat[lang]["journey.title"], f.srv.cat[lang]["journey.tp.delivery"])
	}
	c.get("/journey?lang=en")

	for _, bad := range []string{"?metric=ces", "?metric=%3Cx%3E", "?pain=region", "?from=2026-02-30", "?from=2026-05-10&to=2026-05-01"} {
		if res := c.get("/journey" + bad); res.StatusCode != http.StatusBadRequest {
			t.Errorf("GET /journey%s: %d, want 400", bad, res.StatusCode)
		}
	}
	// An empty period says so instead of drawing an empty table.
	empty := c.get("/journey?from=2020-01-01&to=2020-01-31")
	mustContain(t, empty.Body, "No feedback with a stage or touchpoint")
}

// TestJourneyIsolationAndRoles: another workspace's touchpoints and topics
// never show; roles without ViewJourney get 403.
func TestJourneyIsolationAndRoles(t *testing.T) {
	f := newFixture(t)
	seedJourney(t, f.db, f.wsA.ID, 200, 3)
	var b []store.FeedbackItem
	for i := 0; i < 12; i++ {
		b = append(b, store.FeedbackItem{Kind: "survey_response", Channel: "web", Text: "globex", NPS: ptr(i % 11),
			Topics: []string{"globex_secret_topic"}, Touchpoint: "globex_branch", Stage: "usage", OccurredAt: time.Now()})
	}
	f.seedFeedback(f.wsB.ID, "", b...)

	c := f.loggedIn("multi") // manager in A, viewer in B
	pageA := c.get("/journey")
	mustContain(t, pageA.Body, `data-touchpoint="delivery"`)
	mustNotContain(t, pageA.Body, "globex_branch", "globex_secret_topic")

	home := c.get("/")
	if res := c.post("/workspace", url.Values{"csrf": {csrfFrom(t, home.Body)}, "workspace_id": {strconv.FormatInt(f.wsB.ID, 10)}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("switch: %d", res.StatusCode)
	}
	pageB := c.get("/journey")
	mustContain(t, pageB.Body, `data-touchpoint="globex_branch"`, "globex_secret_topic")
	cells := pageCells(t, pageB.Body)
	if _, ok := cells["usage/globex_branch"]; !ok || len(cells) != 1 {
		t.Errorf("workspace B's map has cells %v, want only usage/globex_branch", cells)
	}
	mustNotContain(t, pageB.Body, "delivery_delay", "app_crash")

	for _, role := range []string{store.RoleAgent, store.RoleEmployee} {
		if res := f.loggedIn(role).get("/journey"); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: /journey %d, want 403", role, res.StatusCode)
		}
	}
}

func TestHeatClass(t *testing.T) {
	for _, tc := range []struct {
		metric string
		v      float64
		max    int
		want   string
	}{
		{"nps", -100, 0, "heat-0"}, {"nps", -50, 0, "heat-1"}, {"nps", -0.1, 0, "heat-2"}, {"nps", 0, 0, "heat-3"},
		{"nps", 49.9, 0, "heat-4"}, {"nps", 50, 0, "heat-5"}, {"csat", 49, 0, "heat-0"}, {"csat", 95, 0, "heat-5"},
		{"sentiment", 10, 0, "heat-3"}, {"volume", 5, 100, "vol-0"}, {"volume", 100, 100, "vol-3"}, {"volume", 50, 100, "vol-2"},
	} {
		if got := heatClass(tc.metric, tc.v, tc.max); got != tc.want {
			t.Errorf("heatClass(%s, %v, %d) = %s, want %s", tc.metric, tc.v, tc.max, got, tc.want)
		}
	}
}

// sampleJourney is the journey page with every kind of cell, for the
// template test.
func sampleJourney() journeyData {
	cat, _ := loadCatalogs()
	l := cat.localizer("en", time.UTC)
	m := insights.JourneyMap{
		Stages: []insights.MapStage{{JourneyStage: store.JourneyStage{Key: "research"}, Configured: true},
			{JourneyStage: store.JourneyStage{Key: "usage", Name: "Использование"}, Configured: true}, {JourneyStage: store.JourneyStage{Key: ""}}},
		Touchpoints: []insights.MapTouchpoint{
			{JourneyTouchpoint: store.JourneyTouchpoint{Key: "store", Type: store.TouchpointPhysical, Stages: []string{"research", "usage"}}, Configured: true},
			{JourneyTouchpoint: store.JourneyTouchpoint{Key: "app", Name: "应用", Type: store.TouchpointDigital}, Configured: true},
			{JourneyTouchpoint: store.JourneyTouchpoint{Key: "<kiosk>"}}},
		Cells: []insights.JourneyCell{
			{Stage: "usage", Touchpoint: "store", Volume: 120, NPS: insights.Score{Value: 12.5, CILow: 2, CIHigh: 23, N: 80},
				TopTopics: []insights.TopicCount{{Topic: "delivery", N: 30}, {Topic: "staff", N: 12}, {Topic: "price", N: 3}}},
			{Stage: "research", Touchpoint: "app", Volume: 7, NPS: insights.Score{Value: -40, CILow: -90, CIHigh: 10, N: 5}},
			{Stage: "", Touchpoint: "<kiosk>", Volume: 3},
		},
	}
	d := journeyData{Filter: url.Values{"channel": {"telegram"}}, From: "2026-04-15", To: "2026-05-14", Days: 30, Metric: "nps",
		Metrics: journeyMetrics, Channels: store.Channels, Regions: []string{"Москва"}, Segments: []string{"vip"}, MinSample: journeyMinSample,
		ShowCI: true, PainBy: "stage", Filtered: true, DriverAnswers: 950, DriversTruncated: true,
		APIQuery: "from=2026-04-15&to=2026-05-14", MetricsAPIQuery: "by=stage%2Ctouchpoint&filter%5Bchannel%5D=telegram"}
	d.MetricLinks = map[string]string{"nps": "/journey", "csat": "/journey?metric=csat", "sentiment": "/journey?metric=sentiment", "volume": "/journey?metric=volume"}
	d.PainLinks = map[string]string{"stage": "/journey", "touchpoint": "/journey?pain=touchpoint"}
	d.Stages, d.Rows, d.Filled = journeyGrid(l, m, "nps")
	d.Legend = heatLegendFor(l, "nps")
	dr := metrics.Driver{Topic: "delivery", Effect: -22.5, CILow: -30, CIHigh: -15, PValue: 0.0001, Significant: true, N: 200, Share: 0.21}
	d.Drivers = []driverRow{{Driver: dr, Bar: newCIBar(dr.Effect, dr.CILow, dr.CIHigh, -100, 100)},
		{Driver: metrics.Driver{Topic: "staff", Effect: 4, CILow: -3, CIHigh: 11, PValue: 0.3, N: 40, Share: 0.04}}}
	d.Pain = []painGroup{{Name: "Usage", NPS: metrics.NPSResult{Score: 10, N: 400},
		Points: []metrics.PainPoint{{Topic: "delivery", Effect: -22.5, N: 200, Impact: 4.7, Significant: true}}},
		{Name: "Research", NPS: metrics.NPSResult{Score: 30, N: 20}}}
	return d
}
