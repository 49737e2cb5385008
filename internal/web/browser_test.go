package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"vox/internal/alert"

	"github.com/chromedp/chromedp"

	"vox/internal/api"
	"vox/internal/channel/notify"
	"vox/internal/channel/notify/notifytest"
	"vox/internal/demo"
	"vox/internal/ingest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// demoSite is the demo company (small) in a real SQLite file, served with
// the web UI and the REST API like `vox serve` does.
type demoSite struct {
	db     *store.DB
	srv    *httptest.Server
	ws     store.Workspace
	apiKey string
	xssID  int64 // the item whose text carries script payloads
	alerts *alert.Service
	smtp   *notifytest.SMTPServer // where case replies go
}

const xssText = `Great shop <script>window.__voxPwned = 1</script><img src=x onerror="window.__voxPwned = 2"> really`

func newDemoSite(t *testing.T) *demoSite {
	t.Helper()
	ctx := context.Background()
	db := testutil.SQLite(t)
	analyzer, err := ingest.NewTextAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	ing := &ingest.Service{DB: db, Analyzer: analyzer}
	creds, err := demo.Seed(ctx, db, ing, demo.Options{Seed: 7, Items: 1500, Months: 3, Now: time.Now()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := &demoSite{db: db, apiKey: creds.APIKey}
	if s.ws, err = db.WorkspaceBySlug(ctx, demo.MainWorkspace); err != nil {
		t.Fatal(err)
	}
	res, err := db.InsertFeedback(ctx, s.ws.ID, []store.NewFeedback{{
		Item: store.FeedbackItem{Kind: "review", Channel: "web", Text: xssText, Lang: "en", Sentiment: "positive",
			OccurredAt: time.Now().Add(-time.Minute)},
		Customer: store.CustomerInput{Name: `Mallory <b onmouseover="x()">`,
			Identities: []store.Identity{{Kind: store.IdentityEmail, Value: "mallory@example.com"}}},
	}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.xssID = res.IDs[0]
	mux := http.NewServeMux()
	mux.Handle("/api/", api.New(db, ing, nil, nil).Handler())
	s.smtp = notifytest.NewSMTPServer(t)
	alerts := alert.New(db, alert.Options{Mailer: &notify.Mailer{Addr: s.smtp.Addr, From: "Vox <vox@example.com>"}})
	db.AddFeedbackHook(alerts.OnFeedback)
	s.alerts = alerts
	web := New(db, Options{Alerts: alerts})
	web.eventsPoll = 200 * time.Millisecond
	mux.Handle("/", web.Handler())
	s.srv = httptest.NewServer(mux)
	t.Cleanup(s.srv.Close)
	return s
}

// login signs in through the form in the browser.
func (s *demoSite) login(b *testutil.Browser, email string) {
	b.Do(chromedp.Navigate(s.srv.URL+"/login?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SetValue(chromedp.CSS("#email"), email),
		chromedp.SetValue(chromedp.CSS("#password"), demo.DemoPassword),
		chromedp.Submit(chromedp.CSS("form.login")),
		chromedp.WaitVisible(chromedp.CSS(".topbar h1")))
}

func (s *demoSite) logout(b *testutil.Browser) {
	b.Do(chromedp.Click(chromedp.CSS(".topbar form button")), chromedp.WaitVisible(chromedp.CSS("form.login")))
}

// open navigates to path and waits for the page's heading.
func (s *demoSite) open(b *testutil.Browser, path string) {
	b.Do(chromedp.Navigate(s.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(".topbar h1")))
}

// apiGet calls the REST API with the demo key and decodes the JSON answer.
func (s *demoSite) apiGet(t *testing.T, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+s.apiKey)
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

// TestBrowser drives the UI in headless Chromium over the demo data. One
// browser and one data set serve every step, to keep the run cheap.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	br := testutil.NewBrowser(t)
	s := newDemoSite(t)

	t.Run("login", func(t *testing.T) {
		b := br.For(t)
		s.login(b, demo.OwnerEmail)
		if loc := b.Location(); strings.Contains(loc, "/login") {
			t.Fatalf("still on %s after login", loc)
		}
		if n := testutil.Eval[int](b, `document.querySelectorAll(".card.stat").length`); n < 4 {
			t.Errorf("overview shows %d stat cards", n)
		}
		b.Screenshot("overview-en")
	})

	t.Run("overview equals the metrics API", func(t *testing.T) {
		b := br.For(t)
		read := func() (float64, int) {
			card := testutil.Eval[map[string]string](b, `({...document.querySelector('[data-metric="nps"]').dataset})`)
			v, err := strconv.ParseFloat(card["value"], 64)
			if err != nil {
				t.Fatalf("nps card: %v", card)
			}
			n, _ := strconv.Atoi(card["n"])
			return v, n
		}
		api := func(query string) (float64, int) {
			var res struct {
				Groups []struct {
					Value float64 `json:"value"`
					N     int     `json:"n"`
				} `json:"groups"`
			}
			s.apiGet(t, "/api/v1/metrics/nps"+query, &res)
			if len(res.Groups) != 1 {
				t.Fatalf("api groups: %+v", res)
			}
			return res.Groups[0].Value, res.Groups[0].N
		}
		s.open(b, "/")
		all, allN := read()
		if v, n := api(""); v != all || n != allN {
			t.Errorf("overview NPS %v (n %d), API %v (n %d)", all, allN, v, n)
		}
		// Changing a filter changes the URL and the numbers, which still match the API.
		b.Do(chromedp.SetValue(chromedp.CSS("#channel"), "telegram"),
			chromedp.Submit(chromedp.CSS("form.filters")),
			chromedp.WaitReady(chromedp.CSS(`#channel option[value="telegram"][selected]`)))
		if u, _ := url.Parse(b.Location()); u.Query().Get("channel") != "telegram" {
			t.Fatalf("filter not in the URL: %s", b.Location())
		}
		tg, tgN := read()
		if tgN == allN {
			t.Errorf("n did not change with the channel filter: %d", tgN)
		}
		if v, n := api("?filter[channel]=telegram"); v != tg || n != tgN {
			t.Errorf("telegram: overview NPS %v (n %d), API %v (n %d)", tg, tgN, v, n)
		}
		b.Screenshot("overview-telegram")
		// The topic and employee filters too: kept in the URL, equal to the API.
		b.Do(chromedp.SetValue(chromedp.CSS("#channel"), ""), chromedp.SetValue(chromedp.CSS("#topic"), "delivery"),
			chromedp.Submit(chromedp.CSS("form.filters")),
			chromedp.WaitReady(chromedp.CSS(`#topic option[value="delivery"][selected]`)))
		if u, _ := url.Parse(b.Location()); u.Query().Get("topic") != "delivery" {
			t.Fatalf("topic not in the URL: %s", b.Location())
		}
		if tp, tpN := read(); tpN == allN {
			t.Errorf("n did not change with the topic filter: %d", tpN)
		} else if v, n := api("?filter[topic]=delivery"); v != tp || n != tpN {
			t.Errorf("topic: overview NPS %v (n %d), API %v (n %d)", tp, tpN, v, n)
		}
		emp := testutil.Eval[string](b, `document.querySelector("#employee option:nth-child(2)").value`)
		b.Do(chromedp.SetValue(chromedp.CSS("#topic"), ""), chromedp.SetValue(chromedp.CSS("#employee"), emp),
			chromedp.Submit(chromedp.CSS("form.filters")),
			chromedp.WaitReady(chromedp.CSS(`#employee option[value="`+emp+`"][selected]`)))
		if ev, eN := read(); eN == allN {
			t.Errorf("n did not change with the employee filter: %d", eN)
		} else if v, n := api("?filter[employee]=" + emp); v != ev || n != eN {
			t.Errorf("employee %s: overview NPS %v (n %d), API %v (n %d)", emp, ev, eN, v, n)
		}
	})

	t.Run("pages", func(t *testing.T) {
		b := br.For(t)
		ctx := context.Background()
		item, err := s.db.ListFeedback(ctx, s.ws.ID, store.FeedbackFilter{Kind: "survey_response", Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		var custID, itemID int64
		for _, it := range item.Items {
			// An NPS answer, so that the customer page has an NPS history to
			// chart (the newest answers vary with the time of day of the seed).
			if it.CustomerID != nil && it.Text != "" && len(it.Topics) > 0 && it.NPS != nil {
				custID, itemID = *it.CustomerID, it.ID
				break
			}
		}
		if custID == 0 {
			t.Fatal("no survey answer with a customer and topics")
		}
		s.open(b, "/feedback/"+strconv.FormatInt(itemID, 10))
		if n := testutil.Eval[int](b, `document.querySelectorAll(".chip-topic").length`); n == 0 {
			t.Error("item page shows no topics")
		}
		b.Screenshot("feedback-item")
		s.open(b, "/customers/"+strconv.FormatInt(custID, 10))
		if n := testutil.Eval[int](b, `document.querySelectorAll("svg.line-chart circle").length`); n == 0 {
			t.Error("customer page has no NPS history")
		}
		b.Screenshot("customer-360")
		s.open(b, "/employees")
		if n := testutil.Eval[int](b, `document.querySelectorAll("table.leaderboard tbody tr").length`); n == 0 {
			t.Error("leaderboard is empty")
		}
		b.Screenshot("employees")
		s.open(b, "/mentions")
		if n := testutil.Eval[int](b, `document.querySelectorAll("svg.bar-chart rect").length`); n == 0 {
			t.Error("mentions chart is empty")
		}
		b.Screenshot("mentions")
	})

	t.Run("explorer filter", func(t *testing.T) {
		b := br.For(t)
		s.open(b, "/feedback")
		before := testutil.Eval[[]string](b, `[...document.querySelectorAll("li.item")].map(e => e.dataset.channel)`)
		if len(before) == 0 {
			t.Fatal("explorer lists nothing")
		}
		b.Do(chromedp.SetValue(chromedp.CSS("#channel"), "telegram"),
			chromedp.Submit(chromedp.CSS("form.filters")),
			chromedp.WaitReady(chromedp.CSS(`#channel option[value="telegram"][selected]`)))
		u, err := url.Parse(b.Location())
		if err != nil || u.Query().Get("channel") != "telegram" {
			t.Fatalf("filter not in the URL: %s", b.Location())
		}
		after := testutil.Eval[[]string](b, `[...document.querySelectorAll("li.item")].map(e => e.dataset.channel)`)
		if len(after) == 0 {
			t.Fatal("no telegram items in the demo data")
		}
		for _, ch := range after {
			if ch != "telegram" {
				t.Errorf("filtered list shows a %s item", ch)
			}
		}
		if strings.Join(before, ",") == strings.Join(after, ",") {
			t.Error("the list did not change with the filter")
		}
		b.Screenshot("explorer-telegram")
	})

	t.Run("live feedback", func(t *testing.T) {
		b := br.For(t)
		s.open(b, "/feedback")
		if testutil.Eval[bool](b, `!document.getElementById("live").hidden`) {
			t.Fatal("live notice shown before anything arrived")
		}
		if _, err := s.db.InsertFeedback(context.Background(), s.ws.ID, []store.NewFeedback{{Item: store.FeedbackItem{
			Kind: "review", Channel: "web", Text: "Arrived while you watched", OccurredAt: time.Now()}}}, nil); err != nil {
			t.Fatal(err)
		}
		b.Do(chromedp.WaitVisible(chromedp.CSS("#live")))
		if n := testutil.Run(b, chromedp.Text(chromedp.CSS("#live [data-count]"))); n != "1" {
			t.Errorf("live count %q", n)
		}
		b.Screenshot("explorer-live")
		b.Do(chromedp.Click(chromedp.CSS("#live a")), chromedp.WaitVisible(chromedp.CSS(".topbar h1")))
		if first := testutil.Run(b, chromedp.Text(chromedp.CSS("li.item .item-text"))); first != "Arrived while you watched" {
			t.Errorf("after reload the first item is %q", first)
		}
	})

	t.Run("customer text is inert", func(t *testing.T) {
		b := br.For(t)
		for _, path := range []string{"/feedback?q=" + url.QueryEscape("Great shop"), "/feedback/" + strconv.FormatInt(s.xssID, 10)} {
			s.open(b, path)
			b.Do(chromedp.Sleep(300 * time.Millisecond)) // give an onerror a chance to fire
			if v := testutil.Eval[any](b, `window.__voxPwned === undefined ? null : window.__voxPwned`); v != nil {
				t.Errorf("%s: payload ran: __voxPwned = %v", path, v)
			}
			dom := testutil.Eval[map[string]int](b, `({
				imgs: document.querySelectorAll("main img").length,
				scripts: [...document.scripts].filter(s => !s.src).length,
				bold: document.querySelectorAll("main b").length,
				text: [...document.querySelectorAll(".item-text")].filter(e => e.textContent.includes("<script>window.__voxPwned")
					&& e.textContent.includes("<img src=x onerror=")).length})`)
			if dom["imgs"] != 0 || dom["scripts"] != 0 || dom["bold"] != 0 || dom["text"] != 1 {
				t.Errorf("%s: payload did not stay text: %v", path, dom)
			}
		}
		b.Screenshot("xss-item")
	})

	t.Run("language switch", func(t *testing.T) {
		b := br.For(t)
		s.open(b, "/")
		cat, _ := loadCatalogs()
		for _, lang := range []string{"ru", "zh", "en"} {
			b.Do(chromedp.Click(chromedp.CSS(`.langs a[hreflang="`+lang+`"]`)),
				chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"] .topbar h1`)))
			h1 := testutil.Run(b, chromedp.Text(chromedp.CSS(".topbar h1")))
			if h1 != cat[lang]["overview.title"] {
				t.Errorf("%s: heading %q, want %q", lang, h1, cat[lang]["overview.title"])
			}
			nav := testutil.Run(b, chromedp.Text(chromedp.CSS("nav.nav")))
			if !strings.Contains(nav, cat[lang]["nav.feedback"]) {
				t.Errorf("%s: nav %q lacks %q", lang, nav, cat[lang]["nav.feedback"])
			}
			if lang != "en" {
				b.Screenshot("overview-" + lang)
			}
		}
		// The choice is remembered without ?lang=.
		s.open(b, "/feedback")
		if l := testutil.Eval[string](b, `document.documentElement.lang`); l != "en" {
			t.Errorf("language not remembered: %s", l)
		}
	})

	t.Run("employee sees own feedback", func(t *testing.T) {
		b := br.For(t)
		s.logout(b)
		s.login(b, "anna.smirnova@vox.local")
		ctx := context.Background()
		u, err := s.db.UserByEmail(ctx, "anna.smirnova@vox.local")
		if err != nil {
			t.Fatal(err)
		}
		empID, err := s.db.EmployeeIDForUser(ctx, s.ws.ID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		s.open(b, "/feedback")
		ids := testutil.Eval[[]string](b, `[...document.querySelectorAll("li.item")].map(e => e.dataset.id)`)
		want, err := s.db.ListFeedback(ctx, s.ws.ID, store.FeedbackFilter{EmployeeID: empID, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 || len(ids) != len(want.Items) {
			t.Fatalf("employee sees %d items, has %d", len(ids), len(want.Items))
		}
		for _, v := range ids {
			id, _ := strconv.ParseInt(v, 10, 64)
			it, err := s.db.Feedback(ctx, s.ws.ID, id)
			if err != nil || it.EmployeeID == nil || *it.EmployeeID != empID {
				t.Errorf("employee sees item %s of another employee", v)
			}
		}
		b.Screenshot("employee-feedback")
		// Someone else's item is not found, and the customer pages are closed.
		other, err := s.db.ListFeedback(ctx, s.ws.ID, store.FeedbackFilter{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range other.Items {
			if it.EmployeeID == nil || *it.EmployeeID != empID {
				b.Do(chromedp.Navigate(s.srv.URL + "/feedback/" + strconv.FormatInt(it.ID, 10)))
				if h := testutil.Run(b, chromedp.Text(chromedp.CSS("h1, h2"))); !strings.Contains(h, "Не найдено") && !strings.Contains(h, "Not found") {
					t.Errorf("employee opened item %d of another employee: %q", it.ID, h)
				}
				break
			}
		}
		s.logout(b)
	})
}
