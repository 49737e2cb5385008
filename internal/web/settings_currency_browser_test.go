package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vox/internal/business"
	"vox/internal/demo"
	"vox/internal/testutil"
)

// TestCurrencySettingsBrowser works the currency page in headless Chromium
// over the demo company (rubles, yuan and dollars): deleting the yuan rate
// makes the overview's revenue card say yuan customers are left out, a bad
// rate is refused on its row, and a rate typed with a decimal comma puts
// them back.
func TestCurrencySettingsBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	br := testutil.NewBrowser(t)
	s := newDemoSite(t)
	if _, err := (&business.Service{DB: s.db, Now: time.Now}).Train(context.Background(), s.ws.ID, business.TrainOptions{}); err != nil {
		t.Fatal(err)
	}
	b := br.For(t)
	s.login(b, demo.OwnerEmail)

	s.open(b, "/?lang=en")
	if card := testutil.Eval[string](b, `document.querySelector("#ov-revenue").textContent`); !strings.Contains(card, "RUB") {
		t.Errorf("the revenue card names no currency: %s", card)
	}
	if n := testutil.Eval[int](b, `document.querySelectorAll("#ov-revenue .unconverted").length`); n != 0 {
		t.Errorf("the demo leaves %d currencies out", n)
	}

	s.open(b, "/settings/currency?lang=en")
	rates := func() []string {
		return testutil.Eval[[]string](b, `[...document.querySelectorAll("#rates tbody tr")].map(tr =>
			[...tr.querySelectorAll("input")].map(i => i.value).join("|")).filter(r => r !== "||")`)
	}
	if got := rates(); len(got) != 3 || got[0] != "CNY|12.4|" || !strings.HasPrefix(got[1], "USD|92|") || !strings.HasPrefix(got[2], "USD|84|20") {
		t.Fatalf("the demo's rates: %v", got)
	}
	if v := testutil.Eval[string](b, `document.querySelector("#reporting").value`); v != "RUB" {
		t.Errorf("reporting currency %q", v)
	}
	b.Screenshot("settings-currency")

	// Clear the yuan row: its rate is deleted.
	testutil.Eval[bool](b, `document.querySelectorAll("#rates tbody tr:nth-child(1) input").forEach(i => i.value = ""), true`)
	b.Do(chromedp.Submit(chromedp.CSS(`#reporting`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice.done`)))
	if !strings.Contains(b.Location(), "done=saved") || len(rates()) != 2 {
		t.Fatalf("after deleting the yuan rate: %s %v", b.Location(), rates())
	}
	if n := testutil.Eval[int](b, `document.querySelectorAll('#currency-usage tr[data-currency="CNY"] td.bad').length`); n != 2 {
		t.Errorf("the usage table marks %d yuan cells without a rate", n)
	}
	b.Do(chromedp.WaitVisible(chromedp.CSS(`#missing-rates`)))
	b.Screenshot("settings-currency-missing")

	s.open(b, "/?lang=en")
	note := testutil.Eval[string](b, `(document.querySelector('#ov-revenue .unconverted[data-currency="CNY"]') || {}).textContent || ""`)
	if !strings.Contains(note, "CNY") || !strings.Contains(note, "not included") {
		t.Errorf("the revenue card's note: %q", note)
	}
	b.Screenshot("overview-revenue-unconverted")
	b.Do(chromedp.Click(chromedp.CSS(`#ov-revenue .unconverted a`)), chromedp.WaitVisible(chromedp.CSS(`#rates`)))

	// A negative rate is refused on its row; nothing is saved.
	row := `#rates tbody tr:nth-child(3) `
	b.Do(chromedp.SetValue(chromedp.CSS(row+`input[name="rate_currency"]`), "cny"),
		chromedp.SetValue(chromedp.CSS(row+`input[name="rate_value"]`), "-1"),
		chromedp.Submit(chromedp.CSS(`#reporting`)),
		chromedp.WaitVisible(chromedp.CSS(`#rates .field-error`)))
	if v := testutil.Eval[string](b, `document.querySelector('#rates input[aria-invalid="true"]').value`); v != "-1" {
		t.Errorf("the invalid input holds %q", v)
	}
	b.Screenshot("settings-currency-error")
	b.Do(chromedp.SetValue(chromedp.CSS(row+`input[name="rate_value"]`), "12,4"),
		chromedp.Submit(chromedp.CSS(`#reporting`)),
		chromedp.WaitVisible(chromedp.CSS(`.notice.done`)))
	if got := rates(); len(got) != 3 || got[0] != "CNY|12.4|" {
		t.Errorf("after adding the yuan rate again: %v", got)
	}
	s.open(b, "/?lang=en")
	if n := testutil.Eval[int](b, `document.querySelectorAll("#ov-revenue .unconverted").length`); n != 0 {
		t.Errorf("after the rate: %d notes", n)
	}
}
