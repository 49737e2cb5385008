package web

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vox/internal/demo"
	"vox/internal/testutil"
)

// TestSettingsBrowser builds a rule and a webhook endpoint in headless
// Chromium over the demo data, with the page's own forms: "add a
// condition" gives a slot, Enter saves, the rule tests against the last
// week, and the new endpoint's secret is shown once.
func TestSettingsBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	br := testutil.NewBrowser(t)
	s := newDemoSite(t)
	ctx := context.Background()
	b := br.For(t)
	s.login(b, demo.OwnerEmail)

	s.open(b, "/settings?lang=en")
	if n := testutil.Eval[int](b, `document.querySelectorAll(".settings-index .card").length`); n < 4 {
		t.Fatalf("settings index shows %d cards", n)
	}
	b.Screenshot("settings-index")

	before, err := s.db.Rules(ctx, s.ws.ID)
	if err != nil {
		t.Fatal(err)
	}
	s.open(b, "/settings/rules/new")
	slots := func() int {
		return testutil.Eval[int](b, `document.querySelectorAll('input[name="cond_field"]').length`)
	}
	if n := slots(); n != 1 {
		t.Fatalf("a new rule has %d condition slots", n)
	}
	b.Do(chromedp.SetValue(chromedp.CSS(`#rule-name`), "Delivery detractors"),
		chromedp.SetValue(chromedp.CSS(`input[name="cond_field"]`), "nps"),
		chromedp.SetValue(chromedp.CSS(`select[name="cond_op"]`), "lte"),
		chromedp.SetValue(chromedp.CSS(`input[name="cond_value"]`), "6"),
		chromedp.Click(chromedp.CSS(`button[value="add_condition"]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr:nth-child(2) input[name="cond_field"]`)))
	if n := slots(); n != 2 {
		t.Fatalf("after adding a condition: %d slots", n)
	}
	if v := testutil.Eval[string](b, `document.querySelector('input[name="cond_value"]').value`); v != "6" {
		t.Fatalf("the first condition was lost: value %q", v)
	}
	b.Do(chromedp.SetValue(chromedp.CSS(`tr:nth-child(2) input[name="cond_field"]`), "text"),
		chromedp.SetValue(chromedp.CSS(`tr:nth-child(2) select[name="cond_op"]`), "exists"),
		chromedp.Click(chromedp.CSS(`input[name="act_tag"]`)),
		chromedp.SetValue(chromedp.CSS(`#tags`), "detractor"))
	b.Screenshot("settings-rule-form")
	// Enter in a text field saves (the hidden first button), it does not add a slot.
	b.Do(chromedp.SendKeys(chromedp.CSS(`#tags`), "\n"), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if !strings.Contains(b.Location(), "done=created") {
		t.Fatalf("after Enter: %s", b.Location())
	}
	after, err := s.db.Rules(ctx, s.ws.ID)
	if err != nil || len(after) != len(before)+1 || after[len(after)-1].Name != "Delivery detractors" {
		t.Fatalf("rules after save: %d (before %d) %v", len(after), len(before), err)
	}

	b.Do(chromedp.Click(chromedp.CSS(`form[action$="/test#test"] button`)), chromedp.WaitVisible(chromedp.CSS(`#test`)))
	// The demo's last week has detractors who wrote something: the rule
	// would have fired, and some of those items are shown.
	if n := testutil.Eval[string](b, `document.querySelector('#test .big-inline').textContent`); n == "" || n == "0" {
		t.Errorf("the rule test counts %q matches", n)
	}
	if n := testutil.Eval[int](b, `document.querySelectorAll('#test .item').length`); n == 0 {
		t.Error("the rule test shows no sample items")
	}
	b.Screenshot("settings-rule-test")

	s.open(b, "/settings/webhooks")
	b.Do(chromedp.SetValue(chromedp.CSS(`#wh-url`), "https://crm.example.com/hooks/vox"),
		chromedp.Click(chromedp.CSS(`input[name="events"][value="case.created"]`)),
		chromedp.Submit(chromedp.CSS(`#wh-url`)),
		chromedp.WaitVisible(chromedp.CSS(`.secret-once`)))
	secret := testutil.Eval[string](b, `document.querySelector('[data-secret]').textContent`)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret shown: %q", secret)
	}
	b.Screenshot("settings-webhook-created")
	s.open(b, "/settings/webhooks")
	if strings.Contains(testutil.Eval[string](b, `document.body.textContent`), secret) {
		t.Error("the endpoints list shows the secret")
	}
	b.Screenshot("settings-webhooks")
	// The demo site runs without the survey service: the page says so.
	s.open(b, "/settings/channels")
	b.Screenshot("settings-channels-unavailable")
	s.open(b, "/settings/topics")
	b.Screenshot("settings-topics")
}
