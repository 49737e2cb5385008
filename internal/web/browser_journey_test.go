package web

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vox/internal/demo"
	"vox/internal/insights"
	"vox/internal/testutil"
)

// TestBrowserJourneyAndReports opens the journey map and the reports page
// in headless Chromium over the demo data: the map is a real table whose
// cells carry their numbers as text and equal the API's, the metric switch
// works without scripts, and a report link downloads a PDF.
func TestBrowserJourneyAndReports(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	br := testutil.NewBrowser(t)
	s := newDemoSite(t)
	b := br.For(t)
	s.login(b, demo.OwnerEmail)

	t.Run("journey", func(t *testing.T) {
		b := br.For(t)
		s.open(b, "/journey?lang=en")
		shape := testutil.Eval[map[string]int](b, `({
			caption: document.querySelectorAll("table.heatmap caption").length,
			cols: document.querySelectorAll("table.heatmap thead th[scope=col]").length,
			rows: document.querySelectorAll("table.heatmap tbody th[scope=row]").length,
			cells: document.querySelectorAll("table.heatmap td.cell[data-value]").length,
			silent: [...document.querySelectorAll("table.heatmap td.cell[data-value]")].filter(td => !td.innerText.trim()).length,
			coloured: [...document.querySelectorAll("table.heatmap td.cell[data-value]")].filter(td => getComputedStyle(td).backgroundColor !== "rgba(0, 0, 0, 0)").length,
		})`)
		if shape["caption"] != 1 || shape["cols"] < 6 || shape["rows"] < 5 || shape["cells"] < 5 {
			t.Fatalf("heat map shape %v", shape)
		}
		if shape["silent"] != 0 || shape["coloured"] != shape["cells"] {
			t.Errorf("cells without text or colour: %v", shape)
		}
		var m insights.JourneyMap
		s.apiGet(t, "/api/v1/journey/map", &m)
		cells := testutil.Eval[[]map[string]string](b, `[...document.querySelectorAll("table.heatmap td.cell[data-value]")].map(td => ({...td.dataset}))`)
		want := map[string]insights.Score{}
		for _, c := range m.Cells {
			if c.NPS.N > 0 {
				want[c.Stage+"/"+c.Touchpoint] = c.NPS
			}
		}
		if len(cells) != len(want) {
			t.Errorf("page shows %d NPS cells, API %d", len(cells), len(want))
		}
		for _, c := range cells {
			v, _ := strconv.ParseFloat(c["value"], 64)
			n, _ := strconv.Atoi(c["n"])
			if w := want[c["stage"]+"/"+c["touchpoint"]]; w.Value != v || w.N != n {
				t.Errorf("cell %s/%s: page %v n %d, API %v n %d", c["stage"], c["touchpoint"], v, n, w.Value, w.N)
			}
		}
		b.Screenshot("journey-nps")

		// The metric switch is a plain link; the filters keep it.
		b.Do(chromedp.Click(chromedp.CSS(`.journey-map .pills a[href*="metric=sentiment"]`)),
			chromedp.WaitVisible(chromedp.CSS(`table.heatmap[data-metric="sentiment"]`)))
		b.Do(chromedp.SetValue(chromedp.CSS("#channel"), "telegram"),
			chromedp.Submit(chromedp.CSS("form.filters")),
			chromedp.WaitReady(chromedp.CSS(`#channel option[value="telegram"][selected]`)))
		u, _ := url.Parse(b.Location())
		if u.Query().Get("metric") != "sentiment" || u.Query().Get("channel") != "telegram" {
			t.Errorf("switch and filter not in the URL: %s", b.Location())
		}
		if n := testutil.Eval[int](b, `document.querySelectorAll("table.heatmap td.cell[data-value]").length`); n == 0 {
			t.Error("no telegram cells")
		}
		b.Screenshot("journey-sentiment-telegram")
	})

	t.Run("reports", func(t *testing.T) {
		b := br.For(t)
		s.open(b, "/reports")
		if n := testutil.Eval[int](b, `document.querySelectorAll("a[data-format=pdf]").length`); n != len(reportPresets) {
			t.Errorf("%d PDF links", n)
		}
		b.Screenshot("reports")
		// The link as the browser follows it, with the session cookie.
		got := testutil.Run(b, chromedp.Evaluate[map[string]string](`(async () => {
			const a = document.querySelector('tr[data-period="30d"] a[data-format=pdf]');
			const r = await fetch(a.href);
			const head = new Uint8Array(await r.arrayBuffer()).slice(0, 5);
			return {status: String(r.status), type: r.headers.get("content-type"),
				disposition: r.headers.get("content-disposition"), head: String.fromCharCode(...head)};
		})()`, chromedp.EvalAwaitPromise))
		if got["status"] != "200" || got["type"] != "application/pdf" || got["head"] != "%PDF-" ||
			!strings.HasPrefix(got["disposition"], `attachment; filename="vox-report-`) {
			t.Errorf("PDF link answered %v", got)
		}
	})
}
