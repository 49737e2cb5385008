package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vox/internal/testutil"
)

// TestWeeklyEmailInBrowser orders the weekly report in headless Chromium:
// a refused address comes back beside the field with what was typed, a
// good order is listed, and "Send now" says the report is on its way.
func TestWeeklyEmailInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	b := testutil.NewBrowser(t)
	f := newFixture(t)
	submit := func(button, wait string) {
		b.Do(chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(wait)))
	}
	b.Do(chromedp.Navigate(f.http.URL+"/login?lang=en"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "manager@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword))
	submit(`form.login button[type="submit"]`, ".topbar h1")
	b.Do(chromedp.Navigate(f.http.URL+"/reports"), chromedp.WaitVisible(chromedp.CSS("#weekly-recipients")))

	b.Do(chromedp.SendKeys(chromedp.CSS("#weekly-recipients"), "ceo@acme.example, not-an-address"),
		chromedp.SetValue(chromedp.CSS("#weekly-lang"), "zh"),
		chromedp.SetValue(chromedp.CSS("#weekly-weekday"), "5"),
		chromedp.SetValue(chromedp.CSS("#weekly-hour"), "17"))
	submit(`.weekly-form button.primary`, ".weekly-form .field-error")
	if msg := testutil.Run(b, chromedp.Text(chromedp.CSS(".weekly-form .field-error"))); !strings.Contains(msg, "valid email addresses") {
		t.Fatalf("error beside the recipients: %q", msg)
	}
	if v := testutil.Run(b, chromedp.Value(chromedp.CSS("#weekly-recipients"))); v != "ceo@acme.example, not-an-address" {
		t.Fatalf("typed addresses lost: %q", v)
	}
	b.Do(chromedp.Clear(chromedp.CSS("#weekly-recipients")),
		chromedp.SendKeys(chromedp.CSS("#weekly-recipients"), "ceo@acme.example\ncx@acme.example"),
		chromedp.SetValue(chromedp.CSS("#weekly-lang"), "zh"),
		chromedp.SetValue(chromedp.CSS("#weekly-weekday"), "5"),
		chromedp.SetValue(chromedp.CSS("#weekly-hour"), "17"))
	submit(`.weekly-form button.primary`, ".report-subscriptions")
	row := testutil.Run(b, chromedp.Text(chromedp.CSS(".report-subscriptions tbody tr")))
	for _, want := range []string{"ceo@acme.example, cx@acme.example", "中文", "Friday, 17:00", "on"} {
		if !strings.Contains(row, want) {
			t.Errorf("row lacks %q: %q", want, row)
		}
	}
	// From the page without the "set up" notice, so the wait is for the new one.
	b.Do(chromedp.Navigate(f.http.URL+"/reports"), chromedp.WaitVisible(chromedp.CSS(".report-subscriptions")))
	submit(`.report-subscriptions form[action$="/send"] button`, ".weekly-email .flash")
	if got := testutil.Run(b, chromedp.Text(chromedp.CSS(".weekly-email .flash"))); !strings.Contains(got, "being sent") {
		t.Errorf("after send now: %q", got)
	}
	b.Screenshot("reports-weekly-email")
}
