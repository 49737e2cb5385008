package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestAccountsBrowser drives the account pages in headless Chromium: an
// owner creates an API key and invites someone (no mail server, so the link
// is on the page), the invitee opens the link, creates an account and lands
// signed in; the login page leads to the password reset.
func TestAccountsBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	br := testutil.NewBrowser(t)
	f := newFixture(t)
	b := br.For(t)
	b.Do(chromedp.Navigate(f.http.URL+"/login?lang=en"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SetValue(chromedp.CSS("#email"), "owner@example.com"),
		chromedp.SetValue(chromedp.CSS("#password"), testPassword),
		chromedp.Submit(chromedp.CSS("form.login")),
		chromedp.WaitVisible(chromedp.CSS(".topbar h1")))

	b.Do(chromedp.Navigate(f.http.URL+"/settings/api-keys"),
		chromedp.WaitVisible(chromedp.CSS("#key-name")),
		chromedp.SetValue(chromedp.CSS("#key-name"), "Browser key"),
		chromedp.Submit(chromedp.CSS("#key-name")),
		chromedp.WaitVisible(chromedp.CSS("#secret")))
	if secret := testutil.Eval[string](b, `document.querySelector("#secret").value`); !apiSecretRe.MatchString(secret) {
		t.Fatalf("secret field holds %q", secret)
	}
	b.Screenshot("api-key-created")

	b.Do(chromedp.Navigate(f.http.URL+"/settings/users"),
		chromedp.WaitVisible(chromedp.CSS("#invite-email")),
		chromedp.SetValue(chromedp.CSS("#invite-email"), "browser.user@example.com"),
		chromedp.SetValue(chromedp.CSS("#invite-role"), store.RoleManager),
		chromedp.Submit(chromedp.CSS("#invite-email")),
		chromedp.WaitVisible(chromedp.CSS("#link")))
	link := testutil.Eval[string](b, `document.querySelector("#link").value`)
	m := inviteLinkRe.FindStringSubmatch(link)
	if m == nil {
		t.Fatalf("invitation link field holds %q", link)
	}
	b.Screenshot("invitation-link")

	b.Do(chromedp.Click(chromedp.CSS(".topbar form button")), chromedp.WaitVisible(chromedp.CSS("form.login")))
	if n := testutil.Eval[int](b, `document.querySelectorAll('a[href="/password/forgot"]').length`); n != 1 {
		t.Fatalf("login page has %d forgot-password links", n)
	}
	b.Do(chromedp.Navigate(f.http.URL+"/invite/"+m[1]),
		chromedp.WaitVisible(chromedp.CSS("#name")),
		chromedp.SetValue(chromedp.CSS("#name"), "Browser User"),
		chromedp.SetValue(chromedp.CSS("#password"), "a long browser password"),
		chromedp.SetValue(chromedp.CSS("#confirm"), "a long browser password"))
	b.Screenshot("invitation-accept")
	b.Do(chromedp.Submit(chromedp.CSS("#name")), chromedp.WaitVisible(chromedp.CSS(".topbar h1")))
	if who := testutil.Eval[string](b, `document.querySelector(".who").textContent`); who != "Browser User" {
		t.Fatalf("signed in as %q", who)
	}
	// A manager sees no account settings.
	b.Do(chromedp.Navigate(f.http.URL+"/settings/users"), chromedp.WaitVisible(chromedp.CSS(".error-page")))

	b.Do(chromedp.Click(chromedp.CSS(".topbar form button")), chromedp.WaitVisible(chromedp.CSS("form.login")),
		chromedp.Click(chromedp.CSS(`a[href="/password/forgot"]`)), chromedp.WaitVisible(chromedp.CSS(".notice")))
	if text := testutil.Eval[string](b, `document.querySelector(".notice").textContent`); !strings.Contains(text, "cannot send email") {
		t.Fatalf("forgot page without mailer says %q", text)
	}
}
