package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"vox/internal/testutil"
)

// TestSurveyManagerInBrowser builds, saves and sends a survey in headless
// Chromium with JavaScript off: the form's "add question" round trip, the
// save and the list upload all work as plain HTML.
func TestSurveyManagerInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	b := testutil.NewBrowser(t)
	f := newFixture(t)
	noJS := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	submit := func(button string, wait string) {
		b.Do(chromedp.Click(chromedp.CSS(button)), chromedp.WaitVisible(chromedp.CSS(wait)))
	}
	b.Do(noJS, chromedp.Navigate(f.http.URL+"/login?lang=en"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "manager@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword))
	submit(`form.login button[type="submit"]`, ".topbar h1")
	b.Do(chromedp.Navigate(f.http.URL+"/surveys"), chromedp.WaitVisible(chromedp.CSS(".survey-actions a")))
	submit(".survey-actions a", "form.survey-form")

	b.Do(chromedp.SendKeys(chromedp.CSS("#name"), "Checkout NPS"),
		chromedp.SendKeys(chromedp.CSS("#touchpoint"), "checkout"),
		chromedp.SendKeys(chromedp.CSS("#q1-text-en"), "Would you recommend our shop?"),
		chromedp.SendKeys(chromedp.CSS("#q1-text-ru"), "Порекомендуете наш магазин?"))
	// "Add question" posts the form and comes back with a third slot,
	// keeping what was typed.
	submit(`button[name="add"]`, "#q3")
	if v := testutil.Run(b, chromedp.Value(chromedp.CSS("#name"))); v != "Checkout NPS" {
		t.Fatalf("name after adding a question: %q", v)
	}
	b.Do(chromedp.SendKeys(chromedp.CSS("#q2-text-en"), "What should we improve?"),
		chromedp.SetValue(chromedp.CSS("#q3-kind"), "single"),
		chromedp.SendKeys(chromedp.CSS("#q3-text-en"), "How did you pay?"))
	// A single choice without choices is refused next to the question.
	submit(`.form-actions button.primary`, ".sv-error")
	if msg := testutil.Run(b, chromedp.Text(chromedp.CSS("#q3 .sv-error"))); !strings.Contains(msg, "Give 2 to 30 choices") {
		t.Fatalf("error beside the choices: %q", msg)
	}
	b.Screenshot("survey-form-error")
	b.Do(chromedp.SendKeys(chromedp.CSS("#q3-options-en"), "Card\nCash\nOn delivery"))
	submit(`.form-actions button.primary`, ".survey-head")
	if got := testutil.Run(b, chromedp.Text(chromedp.CSS(".notice"))); !strings.Contains(got, "version 1") {
		t.Errorf("after saving: %q", got)
	}
	if n := testutil.Eval[int](b, `document.querySelectorAll(".survey-questions > li").length`); n != 3 {
		t.Errorf("the survey page lists %d questions", n)
	}

	// A list pasted into the send form: one bad line, one link queued.
	b.Do(chromedp.SetValue(chromedp.CSS("#channel"), "link"),
		chromedp.SetValue(chromedp.CSS("#contacts_text"), "email,name\nanna@example.com,Anna\nnot-an-email,Bob\n"))
	submit(`.send-form button.primary`, ".send-result")
	if got := testutil.Run(b, chromedp.Text(chromedp.CSS(".send-result"))); !strings.Contains(got, "1 of 2 contacts queued.") ||
		!strings.Contains(got, "not an email address") {
		t.Errorf("send result: %q", got)
	}
	b.Screenshot("survey-page-sent")
	b.Do(chromedp.Navigate(f.http.URL+"/surveys?lang=ru"), chromedp.WaitVisible(chromedp.CSS("table.surveys")))
	if got := testutil.Run(b, chromedp.Text(chromedp.CSS("table.surveys tbody"))); !strings.Contains(got, "Checkout NPS") || !strings.Contains(got, "Активен") {
		t.Errorf("list in Russian: %q", got)
	}
	b.Screenshot("surveys-list-ru")
}
