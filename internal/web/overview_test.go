package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/business"
	"vox/internal/metrics"
	"vox/internal/store"
)

// overviewSeed is what seedOverview stored in one workspace.
type overviewSeed struct {
	employee int64
	survey   int64
	items    []int64 // the employee's survey answers
}

// seedOverview fills ws with what every overview card reads: survey answers
// and mentions with topics (seedJourney), an employee's answers to a survey
// with invitations by email (no delivery receipts) and SMS, cases in several
// states, a spike alert and a churn model with scored customers. scale
// multiplies the volumes so that two workspaces give different numbers.
func seedOverview(t *testing.T, f *fixture, ws int64, seed uint64, scale int) overviewSeed {
	t.Helper()
	ctx := context.Background()
	db := f.db
	seedJourney(t, db, ws, 150*scale, seed)
	var out overviewSeed
	var err error
	if out.employee, err = db.UpsertEmployee(ctx, ws, store.EmployeeInput{ExternalID: "e1", Name: "Olga Ivanova", Team: "support"}); err != nil {
		t.Fatal(err)
	}
	if out.survey, err = db.CreateSurvey(ctx, ws, store.SurveyInput{Name: "After delivery", Status: "live", Definition: "{}"}); err != nil {
		t.Fatal(err)
	}
	now := f.clock.Now()
	var batch []store.NewFeedback
	for i := 0; i < 12*scale; i++ {
		nps := []int{2, 9, 10, 6, 8, 3}[i%6]
		batch = append(batch, store.NewFeedback{
			Item: store.FeedbackItem{Kind: "survey_response", Channel: []string{"email", "sms"}[i%2], Text: fmt.Sprintf("answer %d", i),
				Lang: "ru", NPS: ptr(nps), Sentiment: map[bool]string{true: "negative", false: "positive"}[nps <= 6],
				Topics: []string{[]string{"delivery", "waiting_time", "staff"}[i%3]}, EmployeeID: &out.employee, SurveyID: &out.survey,
				Segment: []string{"vip", "mass"}[i%2], Region: "Kazan", OccurredAt: now.Add(-time.Duration(i+2) * time.Hour)},
			Customer: store.CustomerInput{Name: fmt.Sprintf("Customer %d", i), Segment: []string{"vip", "mass"}[i%2],
				AnnualRevenue: ptr(float64(1000 * (i + 1))), Identities: []store.Identity{{Kind: store.IdentityEmail, Value: fmt.Sprintf("c%d-%d@example.com", ws, i)}}},
		})
	}
	res, err := db.InsertFeedback(ctx, ws, batch, nil)
	if err != nil {
		t.Fatal(err)
	}
	out.items = res.IDs

	// Invitations sent two days ago: a third of the emails answered, SMS
	// with delivery receipts and a quarter answered.
	type sentInvitation struct {
		id int64
		ch string
	}
	var sent []sentInvitation
	err = db.InTx(ctx, func(tx *store.Tx) error {
		for i := 0; i < 6*scale; i++ {
			ch := []string{"email", "sms"}[i%2]
			inv, _, err := tx.CreateInvitation(ctx, ws, store.NewInvitation{SurveyID: out.survey, SurveyVersion: 1, Channel: ch,
				Address: fmt.Sprintf("a%d", i), SentAt: now.Add(-48 * time.Hour)}, now)
			if err != nil {
				return err
			}
			sent = append(sent, sentInvitation{inv.ID, ch})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, inv := range sent {
		if inv.ch == "sms" {
			if err := db.MarkInvitationDelivered(ctx, ws, inv.id, now.Add(-47*time.Hour)); err != nil {
				t.Fatal(err)
			}
		}
		if (inv.ch == "email" && i%3 == 0) || (inv.ch == "sms" && i%4 == 1) {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				_, err := tx.InsertSurveyResponse(ctx, ws, store.SurveyResponse{SurveyID: out.survey, SurveyVersion: 1, InvitationID: &inv.id,
					FeedbackItemID: out.items[i], Channel: inv.ch, Answers: "{}", CreatedAt: now.Add(-40 * time.Hour)}, "")
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	}

	// Cases on the detractors: one acted on and resolved, one acted on, the
	// rest untouched.
	var cases []int64
	for i, id := range out.items {
		if []int{2, 9, 10, 6, 8, 3}[i%6] <= 6 {
			c, _, err := f.alerts.OpenManualCase(ctx, ws, alert.ManualCase{FeedbackID: id, Actor: "test"})
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, c.ID)
		}
	}
	for i, id := range cases[:2] {
		if _, err := f.alerts.PatchCase(ctx, ws, id, alert.CasePatch{Status: ptr("in_progress"), Actor: "test"}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			if _, err := f.alerts.PatchCase(ctx, ws, id, alert.CasePatch{Status: ptr("resolved"), RootCause: ptr("delivery"), Actor: "test"}); err != nil {
				t.Fatal(err)
			}
		}
	}

	err = db.InTx(ctx, func(tx *store.Tx) error {
		_, _, err := tx.InsertAlert(ctx, store.Alert{WorkspaceID: ws, Kind: store.AlertSpike, Title: "Volume spike in channel telegram",
			CreatedAt: now.Add(-20 * time.Hour), DedupeKey: fmt.Sprintf("spike-%d", ws),
			Details: map[string]any{"dimension": "channel", "value": "telegram", "spike": metrics.Spike{Kind: metrics.SpikeVolume, Count: 40, Expected: 9}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	auc := 0.7 + 0.01*float64(scale)
	model, _ := json.Marshal(business.Model{TrainedAt: now.Add(-72 * time.Hour).UTC().Truncate(time.Second), HorizonDays: 90, AUC: &auc})
	var scores []store.ChurnScore
	for i, id := range out.items {
		it, err := db.Feedback(ctx, ws, id)
		if err != nil {
			t.Fatal(err)
		}
		scores = append(scores, store.ChurnScore{CustomerID: *it.CustomerID, Risk: 0.05 * float64(i%7+1)})
	}
	if err := db.SaveChurnModel(ctx, ws, now.Add(-72*time.Hour), model, scores); err != nil {
		t.Fatal(err)
	}
	return out
}

// overviewAPI answers GET path from the REST API of ws.
type overviewAPI struct {
	t   *testing.T
	srv *httptest.Server
	key string
}

func (a overviewAPI) get(path string, out any) {
	a.t.Helper()
	journeyAPIGet(a.t, a.srv, a.key, path, out)
}

var (
	cardRe     = regexp.MustCompile(`data-metric="([a-z]+)" data-value="([^"]*)" data-n="(\d+)"`)
	sectionRe  = regexp.MustCompile(`(?s)<section class="card ov-card" id="(ov-[a-z]+)"([^>]*)>`)
	dataAttrRe = regexp.MustCompile(`data-([a-z0-9-]+)="([^"]*)"`)
)

// overviewCards reads the page's machine-readable figures: each headline
// metric as value/n and each card's data attributes.
func overviewCards(t *testing.T, body string) (map[string][2]string, map[string]map[string]string) {
	t.Helper()
	metricsOut := map[string][2]string{}
	for _, m := range cardRe.FindAllStringSubmatch(body, -1) {
		metricsOut[m[1]] = [2]string{m[2], m[3]}
	}
	cards := map[string]map[string]string{}
	for _, m := range sectionRe.FindAllStringSubmatch(body, -1) {
		attrs := map[string]string{}
		for _, a := range dataAttrRe.FindAllStringSubmatch(m[2], -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
		}
		cards[m[1]] = attrs
	}
	return metricsOut, cards
}

func num(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("not a number: %q", s)
	}
	return v
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

// TestOverviewEqualsAPI checks every figure of the overview against the
// REST endpoint that answers the same question, with each of the page's
// filters, the new employee, survey and topic ones included.
func TestOverviewEqualsAPI(t *testing.T) {
	f := newFixture(t)
	a := seedOverview(t, f, f.wsA.ID, 1, 2)
	seedOverview(t, f, f.wsB.ID, 2, 1)
	srv, key := f.journeyAPI(f.wsA.ID)
	api := overviewAPI{t: t, srv: srv, key: key}
	c := f.loggedIn("owner")
	today := store.DayOf(f.clock.Now(), store.LoadLocation(f.wsA.Timezone))
	from, to := (today - 29).String(), today.String()
	period := "from=" + from + "&to=" + to

	emp, survey := strconv.FormatInt(a.employee, 10), strconv.FormatInt(a.survey, 10)
	for _, tc := range []struct{ name, page, filter string }{
		{"no filter", "", ""},
		{"channel", "channel=telegram", "filter[channel]=telegram"},
		{"employee", "employee=" + emp, "filter[employee]=" + emp},
		{"survey", "survey=" + survey, "filter[survey]=" + survey},
		{"topic", "topic=staff", "filter[topic]=staff"},
		{"topic and segment", "topic=delivery&segment=vip", "filter[topic]=delivery&filter[segment]=vip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := c.get("/?" + tc.page)
			if page.StatusCode != http.StatusOK {
				t.Fatalf("status %d\n%s", page.StatusCode, page.Body)
			}
			got, cards := overviewCards(t, page.Body)
			q := period
			if tc.filter != "" {
				q += "&" + tc.filter
			}
			for _, m := range []string{"nps", "csat", "ces", "sentiment"} {
				var res struct {
					Groups []struct {
						Value float64 `json:"value"`
						N     int     `json:"n"`
					} `json:"groups"`
				}
				api.get("/api/v1/metrics/"+m+"?"+q, &res)
				card, ok := got[m]
				if len(res.Groups) == 0 {
					if ok {
						t.Errorf("%s: page shows %v, API has no data", m, card)
					}
					continue
				}
				if !ok || !near(num(t, card[0]), res.Groups[0].Value) || card[1] != strconv.Itoa(res.Groups[0].N) {
					t.Errorf("%s: page %v, API %+v", m, card, res.Groups[0])
				}
			}
			// Mentions: the volume API over kind=mention, survey filter left out.
			var vol struct {
				Groups []struct {
					N int `json:"n"`
				} `json:"groups"`
			}
			mq := strings.ReplaceAll(q, "&filter[survey]="+survey, "") + "&filter[kind]=mention"
			api.get("/api/v1/metrics/volume?"+mq, &vol)
			want := 0
			if len(vol.Groups) > 0 {
				want = vol.Groups[0].N
			}
			if cards["ov-mentions"]["total"] != strconv.Itoa(want) {
				t.Errorf("mentions: page %q, API %d", cards["ov-mentions"]["total"], want)
			}
		})
	}

	t.Run("cases, pain points, revenue", func(t *testing.T) {
		_, cards := overviewCards(t, c.get("/").Body)
		var st alert.CaseStats
		api.get("/api/v1/cases/stats?"+period, &st)
		o, cs := st.Overall, cards["ov-cases"]
		if o.Cases == 0 || cs["created"] != strconv.Itoa(o.Cases) || !near(num(t, cs["resolved-sla"]), o.ResolvedWithinSLA.Value) ||
			cs["resolved-n"] != strconv.Itoa(o.ResolvedWithinSLA.N) || !near(num(t, cs["acted24"]), o.ActedWithin24h.Value) ||
			cs["acted-n"] != strconv.Itoa(o.ActedWithin24h.N) {
			t.Errorf("cases: page %v, API %+v", cs, o)
		}
		if cs["open"] != "11" || cs["overdue"] != "0" {
			t.Errorf("cases open now %q overdue %q, want 11 and 0", cs["open"], cs["overdue"])
		}

		var pp struct {
			Answers int `json:"answers"`
			Groups  []struct {
				PainPoints []metrics.PainPoint `json:"pain_points"`
			} `json:"groups"`
		}
		api.get("/api/v1/pain-points?"+period, &pp)
		body := c.get("/").Body
		rows := painRe.FindAllStringSubmatch(body, -1)
		if len(pp.Groups) != 1 || len(pp.Groups[0].PainPoints) == 0 {
			t.Fatalf("API pain points %+v", pp)
		}
		wantN := min(5, len(pp.Groups[0].PainPoints))
		if len(rows) != wantN {
			t.Fatalf("page lists %d pain points, API %d", len(rows), len(pp.Groups[0].PainPoints))
		}
		for i, r := range rows {
			p := pp.Groups[0].PainPoints[i]
			if r[1] != p.Topic || !near(num(t, r[2]), p.Impact) {
				t.Errorf("pain point %d: page %s %s, API %s %v", i, r[1], r[2], p.Topic, p.Impact)
			}
			if !strings.Contains(body, `href="/feedback?from=`+from+`&amp;to=`+to+`&amp;topic=`+url.QueryEscape(p.Topic)+`"`) {
				t.Errorf("pain point %s has no link to its feedback", p.Topic)
			}
		}
		if cards["ov-pain"]["answers"] != strconv.Itoa(pp.Answers) {
			t.Errorf("pain answers: page %q, API %d", cards["ov-pain"]["answers"], pp.Answers)
		}

		var rar business.RevenueAtRiskResult
		api.get("/api/v1/revenue-at-risk", &rar)
		rv := cards["ov-revenue"]
		if !near(num(t, rv["total"]), rar.Total.RevenueAtRisk) || rv["customers"] != strconv.Itoa(rar.Total.Customers) || rar.Total.Customers != 24 {
			t.Errorf("revenue: page %v, API %+v", rv, rar.Total)
		}
		for _, g := range rar.Groups {
			if !strings.Contains(body, fmt.Sprintf(`data-key="%s" data-at-risk="%v"`, g.Key, g.RevenueAtRisk)) {
				t.Errorf("revenue group %s (%v) missing", g.Key, g.RevenueAtRisk)
			}
		}
		mustContain(t, body, "AUC 0.72")
	})

	t.Run("response rates", func(t *testing.T) {
		// 12 invitations: 6 email (sent only; 2 answered), 6 SMS (all
		// delivered; 3 answered). Email's base is what was sent.
		body := c.get("/").Body
		_, cards := overviewCards(t, body)
		if cards["ov-rates"]["sent"] != "12" || cards["ov-rates"]["answered"] != "5" {
			t.Errorf("rates card %v", cards["ov-rates"])
		}
		mustContain(t, body, `data-channel="email" data-sent="6" data-answered="2" data-n="6"`,
			`data-channel="sms" data-sent="6" data-answered="3" data-n="6"`)
		body = c.get("/?channel=sms").Body
		if _, cards = overviewCards(t, body); cards["ov-rates"]["sent"] != "6" {
			t.Errorf("channel filter: rates card %v", cards["ov-rates"])
		}
		mustNotContain(t, body, `data-channel="email" data-sent=`)
	})
}

var painRe = regexp.MustCompile(`<li data-topic="([^"]+)" data-impact="([^"]+)"`)

// TestOverviewWorkspaceIsolation: another workspace's ids give no data and
// its figures never appear; bad ids are refused.
func TestOverviewWorkspaceIsolation(t *testing.T) {
	f := newFixture(t)
	seedOverview(t, f, f.wsA.ID, 1, 2)
	b := seedOverview(t, f, f.wsB.ID, 2, 1)
	c := f.loggedIn("owner")
	// Workspace B's employee and survey, asked for in A, match nothing of A
	// and show none of B's numbers.
	for _, q := range []string{"employee=" + strconv.FormatInt(b.employee, 10), "survey=" + strconv.FormatInt(b.survey, 10)} {
		page := c.get("/?" + q)
		if page.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", q, page.StatusCode)
		}
		got, cards := overviewCards(t, page.Body)
		if len(got) != 0 {
			t.Errorf("%s: A's page shows metrics %v for B's id", q, got)
		}
		if strings.HasPrefix(q, "survey") && cards["ov-rates"]["sent"] != "0" {
			t.Errorf("%s: rates %v", q, cards["ov-rates"])
		}
		mustNotContain(t, page.Body, "AUC 0.71")
	}
	// A's page never carries B's figures: B's model AUC, B's case count.
	body := c.get("/").Body
	mustContain(t, body, "AUC 0.72")
	mustNotContain(t, body, "AUC 0.71")
	_, cards := overviewCards(t, body)
	if cards["ov-cases"]["open"] != "11" {
		t.Errorf("A's open cases %q", cards["ov-cases"]["open"])
	}
	for _, bad := range []string{"employee=abc", "employee=-3", "survey=1e3", "survey=07", "from=2026-13-01"} {
		if res := c.get("/?" + bad); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400", bad, res.StatusCode)
		}
	}
}

// TestOverviewRoles: numbers for every role that sees the overview, the
// link to the cases only for those who work them, and the workspace-wide
// cards not for an employee limited to their own customers.
func TestOverviewRoles(t *testing.T) {
	f := newFixture(t)
	a := seedOverview(t, f, f.wsA.ID, 1, 1)
	for role, want := range map[string]struct{ cards, link bool }{
		"owner": {true, true}, "manager": {true, true}, "agent": {true, true}, "viewer": {true, false},
	} {
		body := f.loggedIn(role).get("/").Body
		_, cards := overviewCards(t, body)
		if _, ok := cards["ov-cases"]; ok != want.cards {
			t.Errorf("%s: cases card shown %v", role, ok)
		}
		if got := strings.Contains(body, `class="ov-link" href="/cases"`); got != want.link {
			t.Errorf("%s: link to /cases %v, want %v", role, got, want.link)
		}
	}
	// The employee role sees its own scores only: the URL cannot widen them.
	if err := f.db.LinkEmployeeUser(context.Background(), f.wsA.ID, a.employee, f.users["employee"].ID); err != nil {
		t.Fatal(err)
	}
	c := f.loggedIn("employee")
	body := c.get("/?employee=999").Body
	got, cards := overviewCards(t, body)
	if got["nps"][1] != "12" {
		t.Errorf("employee's NPS n = %q, want their 12 answers", got["nps"][1])
	}
	for _, id := range []string{"ov-rates", "ov-cases", "ov-pain", "ov-revenue"} {
		if _, ok := cards[id]; ok {
			t.Errorf("employee sees the workspace card %s", id)
		}
	}
	if _, ok := cards["ov-mentions"]; !ok {
		t.Error("employee has no mentions card")
	}
	mustNotContain(t, body, `id="employee"`)
}

// TestOverviewFiltersInURL: every filter is kept in the form, and the
// topic filter offers the topics seen with their labels.
func TestOverviewFiltersInURL(t *testing.T) {
	f := newFixture(t)
	a := seedOverview(t, f, f.wsA.ID, 1, 1)
	emp, survey := strconv.FormatInt(a.employee, 10), strconv.FormatInt(a.survey, 10)
	body := f.loggedIn("owner").get("/?lang=ru&employee=" + emp + "&survey=" + survey + "&topic=waiting_time&channel=email").Body
	mustContain(t, body, `<option value="`+emp+`" selected>Olga Ivanova</option>`, `<option value="`+survey+`" selected>After delivery</option>`,
		`<option value="waiting_time" selected>Время ожидания</option>`, `<option value="delivery_delay">delivery_delay</option>`,
		`<option value="email" selected>`)
	// The mentions card links to the mentions page with the period and channel,
	// and says which filters it cannot apply.
	mustContain(t, body, `href="/mentions?channel=email&amp;from=`, "Без фильтра: Опрос")
}

// sampleOverviewCards fills the cards under the headline metrics with
// realistic figures for the template-coverage test.
func sampleOverviewCards(d *overviewData) {
	l := sampleLocalizer()
	at := time.Date(2026, 5, 12, 14, 0, 0, 0, time.UTC)
	d.Workspace = true
	d.Employees = []filterOption{{Value: "3", Label: "Анна Смирнова"}, {Value: "4", Label: "王伟"}}
	d.Surveys = []filterOption{{Value: "1", Label: "После доставки"}}
	d.Topics = []string{"delivery", "waiting_time", "delivery_delay"}
	d.Mentions = mentionsCard{Total: 120, Change: &metrics.Change{Value: 34, PValue: 0.001, Significant: true},
		Positive: 30, Neutral: 40, Negative: 45, Unanalysed: 5, Index: metrics.Estimate{Value: -12.5, CILow: -20, CIHigh: -5, N: 115},
		Tone: toneBar(l, 120, 30, 40, 45),
		Rows: []mentionRow{{Channel: "telegram", Items: 80, Change: &metrics.Change{Value: 30, Significant: true}, Positive: 10, Neutral: 30, Negative: 38, Tone: toneBar(l, 80, 10, 30, 38)},
			{Channel: "social", Items: 40, Positive: 20, Neutral: 10, Negative: 7, Tone: toneBar(l, 40, 20, 10, 7)}},
		Spikes:     []spikeRow{{Negative: true, Where: "Telegram", At: at}, {At: at.Add(-time.Hour)}},
		Link:       "/mentions?channel=telegram&from=2026-04-15&to=2026-05-14",
		NotApplied: "Survey"}
	email, sms := newRateRow("email", 400, 0, 52), newRateRow("sms", 300, 280, 61)
	d.Rates = ratesCard{Rows: []rateRow{email, sms}, Total: newRateRow("", 700, 680, 113), NotApplied: "Region, Topic"}
	d.Cases = casesCard{Available: true, OpenNow: 14, OverdueNow: 3, Created: 40, Open: 6, Pending: 2, Link: true,
		ResolvedInSLA: metrics.Estimate{Value: 82.4, CILow: 66.5, CIHigh: 91.7, N: 34}, Acted24h: metrics.Estimate{Value: 89.5, CILow: 75.9, CIHigh: 95.8, N: 38},
		ResolvedBar: newCIBar(82.4, 66.5, 91.7, 0, 100), ActedBar: newCIBar(89.5, 75.9, 95.8, 0, 100),
		APIQuery: "from=2026-04-15&to=2026-05-14", NotApplied: "Channel"}
	d.Pain = painCard{Answers: 950, Scope: "Использование", NotApplied: "Channel",
		Points: []painRow{{PainPoint: metrics.PainPoint{Topic: "delivery", Effect: -41.2, N: 210, Impact: 9.1, Significant: true}, Link: "/feedback?topic=delivery", Bar: 100},
			{PainPoint: metrics.PainPoint{Topic: "delivery_delay", Effect: -8, N: 30, Impact: 0.25}, Link: "/feedback?topic=delivery_delay", Bar: 2.7}}}
	auc := 0.64
	d.Revenue = revenueCard{HasModel: true, By: "segment", Selected: "vip", AUC: &auc, TrainedAt: at, HorizonDays: 90, NotApplied: "Channel",
		Currency: "RUB", Unconverted: []business.UnconvertedCustomers{{Currency: "KZT", Customers: 12, AnnualRevenue: 4e6}}, RatesLink: true,
		Total:  business.RevenueGroup{Key: "total", Customers: 3000, AnnualRevenue: 12_500_000, RevenueAtRisk: 1_375_000, MeanRisk: 0.11, ShareAtRisk: 11},
		Groups: []business.RevenueGroup{{Key: "vip", Customers: 300, AnnualRevenue: 5_000_000, RevenueAtRisk: 750_000, ShareAtRisk: 15}, {Key: "", Customers: 20, RevenueAtRisk: 1000}}}
}

// TestOverviewCardsEmpty renders the cards' empty states in every language:
// no mentions, invitations, cases service, pain points or churn model.
func TestOverviewCardsEmpty(t *testing.T) {
	f := newFixture(t)
	d := sampleOverview(nil)
	d.Mentions, d.Rates, d.Pain = mentionsCard{Link: "/mentions"}, ratesCard{}, painCard{}
	d.Cases, d.Revenue = casesCard{}, revenueCard{}
	ws := store.Workspace{ID: 1, Name: "Acme Retail", Timezone: "Europe/Moscow"}
	for _, lang := range languages {
		rc := &reqCtx{L: f.srv.cat.localizer(lang, time.UTC), CSRF: "tok", Session: &store.WebSession{}, Role: store.RoleOwner, Workspace: ws}
		rec := httptest.NewRecorder()
		f.srv.render(rec, httptest.NewRequest("GET", "/", nil), rc, http.StatusOK, "overview", "overview", "Title", d)
		body := rec.Body.String()
		cat := f.srv.cat[lang]
		mustContain(t, body, html.EscapeString(cat["overview.mentions.none"]), html.EscapeString(cat["overview.rates.none"]),
			html.EscapeString(cat["overview.cases.unavailable"]), html.EscapeString(cat["overview.pain.none"]),
			html.EscapeString(cat["overview.revenue.no_model"]))
		if strings.Contains(body, "%!") {
			t.Errorf("%s: bad format verb", lang)
		}
	}
}

// TestOverviewPainPointsFollowNewFeedback: the pain points kept between
// requests are recomputed as soon as new feedback arrives.
func TestOverviewPainPointsFollowNewFeedback(t *testing.T) {
	f := newFixture(t)
	seedOverview(t, f, f.wsA.ID, 1, 1)
	c := f.loggedIn("owner")
	topics := func() []string {
		var out []string
		for _, m := range painRe.FindAllStringSubmatch(c.get("/").Body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	before := topics()
	if len(before) == 0 || strings.Contains(strings.Join(before, ","), "food") {
		t.Fatalf("pain points before: %v", before)
	}
	if again := topics(); strings.Join(again, ",") != strings.Join(before, ",") {
		t.Fatalf("the same data gave %v, then %v", before, again)
	}
	var batch []store.FeedbackItem
	for i := 0; i < 60; i++ {
		batch = append(batch, store.FeedbackItem{Kind: "survey_response", Channel: "web", Text: "cold soup", NPS: ptr(0),
			Topics: []string{"food"}, OccurredAt: f.clock.Now().Add(-time.Duration(i+1) * time.Minute)})
	}
	f.seedFeedback(f.wsA.ID, "", batch...)
	if after := topics(); len(after) == 0 || after[0] != "food" {
		t.Errorf("after 60 detractors about food the pain points are %v", after)
	}
}
