package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vox/internal/testutil"
)

// TestBrowserOverviewCards opens the overview with every card filled in
// headless Chromium, in each UI language, and follows a pain point to the
// feedback explorer filtered by its topic.
func TestBrowserOverviewCards(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	f := newFixture(t) // first, so that the browser (and its live stream) closes before the server
	br := testutil.NewBrowser(t)
	seedOverview(t, f, f.wsA.ID, 1, 2)
	b := br.For(t)
	b.Do(chromedp.Navigate(f.http.URL+"/login?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SetValue(chromedp.CSS("#email"), "owner@example.com"),
		chromedp.SetValue(chromedp.CSS("#password"), testPassword),
		chromedp.Submit(chromedp.CSS("form.login")),
		chromedp.WaitVisible(chromedp.CSS("#ov-revenue")))
	for _, lang := range []string{"en", "ru", "zh"} {
		b.Do(chromedp.Navigate(f.http.URL+"/?lang="+lang), chromedp.WaitVisible(chromedp.CSS("#ov-pain")))
		shown := testutil.Eval[map[string]int](b, `({
			cards: document.querySelectorAll(".overview-cards .ov-card").length,
			rates: document.querySelectorAll("#ov-rates tbody tr").length,
			tone: document.querySelectorAll("#ov-mentions svg.share-bar rect").length,
			spikes: document.querySelectorAll("#ov-mentions .spike-flag").length,
			pain: document.querySelectorAll("#ov-pain li a.chip-topic").length,
			raw: [...document.querySelectorAll("#ov-pain li a.chip-topic")].filter(a => a.textContent === a.parentElement.dataset.topic).length,
			wide: document.documentElement.scrollWidth > window.innerWidth ? 1 : 0})`)
		if shown["cards"] != 5 || shown["rates"] != 2 || shown["tone"] == 0 || shown["spikes"] != 1 || shown["pain"] == 0 || shown["wide"] != 0 {
			t.Errorf("%s: overview shows %v", lang, shown)
		}
		if lang != "en" && shown["raw"] == shown["pain"] {
			t.Errorf("%s: pain point topics are raw ids", lang)
		}
		b.Screenshot("overview-cards-" + lang)
	}
	// A pain point opens the explorer on its topic, and the topic stays chosen.
	topic := testutil.Eval[string](b, `document.querySelector("#ov-pain li").dataset.topic`)
	b.Do(chromedp.Click(chromedp.CSS("#ov-pain li a.chip-topic")), chromedp.WaitVisible(chromedp.CSS("form.filters #topic")))
	if u, _ := url.Parse(b.Location()); u.Path != "/feedback" || u.Query().Get("topic") != topic {
		t.Fatalf("pain point link went to %s", b.Location())
	}
	items := testutil.Eval[[]string](b, `[...document.querySelectorAll("li.item")].map(li =>
		[...li.querySelectorAll(".chip-topic")].map(c => c.dataset.topic).join(","))`)
	if len(items) == 0 {
		t.Fatalf("no feedback about %s", topic)
	}
	for _, tps := range items {
		if !strings.Contains(","+tps+",", ","+topic+",") {
			t.Errorf("explorer filtered by %s lists an item about %q", topic, tps)
		}
	}
	if v := testutil.Eval[string](b, `document.querySelector("#topic").value`); v != topic {
		t.Errorf("topic select shows %q, want %q", v, topic)
	}
	b.Screenshot("explorer-topic")
}
