package web

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"vox/internal/survey"
	"vox/internal/testutil"
)

// TestSurveySegmentInBrowser sends a survey to a segment from the survey
// page in headless Chromium with JavaScript off: choosing the segment and
// region in the plain form is enough.
func TestSurveySegmentInBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	b := testutil.NewBrowser(t)
	f := newFixture(t)
	seedSegments(t, f)
	id, err := f.surveys.CreateSurvey(context.Background(), f.wsA.ID, survey.Input{Name: "Segment NPS", Definition: survey.Definition{
		Questions: []survey.Question{{Type: survey.TypeNPS, Text: survey.Text{"en": "Recommend us?"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	noJS := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	})
	b.Do(noJS, chromedp.Navigate(f.http.URL+"/login?lang=en"), chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), "manager@example.com"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`form.login button[type="submit"]`)), chromedp.WaitVisible(chromedp.CSS(".topbar h1")))
	b.Do(chromedp.Navigate(f.http.URL+"/surveys/"+strconv.FormatInt(id, 10)), chromedp.WaitVisible(chromedp.CSS("#segment")),
		chromedp.SetValue(chromedp.CSS("#channel"), "email"),
		chromedp.SendKeys(chromedp.CSS("#wave"), "2026-05"),
		chromedp.SetValue(chromedp.CSS("#segment"), "vip"),
		chromedp.SetValue(chromedp.CSS("#region"), "north"),
		chromedp.Click(chromedp.CSS(".send-form button.primary")), chromedp.WaitVisible(chromedp.CSS(".send-result")))
	got := testutil.Run(b, chromedp.Text(chromedp.CSS(".send-result")))
	if !strings.Contains(got, "Sending to the segment “vip” in the background") {
		t.Errorf("send result: %q", got)
	}
	// The walk runs as a job; the page shows its progress on the next visit.
	runSurveyJobs(t, f, &recordingSender{})
	b.Do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(".segment-sends")))
	got = testutil.Run(b, chromedp.Text(chromedp.CSS(".segment-sends")))
	if !strings.Contains(got, "Done") || !strings.Contains(got, "3 customers walked: 2 queued") || !strings.Contains(got, "1 without an address") {
		t.Errorf("segment sends: %q", got)
	}
	b.Screenshot("survey-segment-sent")
}
