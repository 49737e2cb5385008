package web

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"vox/internal/alert"
	"vox/internal/jobs"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestBrowserCases drives the cases loop in headless Chromium over the demo
// data: an agent opens the inbox, takes a case, replies to the customer
// (the email really leaves through SMTP) and resolves it; then opens a
// case from a feedback item. The stored cases are checked, not the DOM only.
func TestBrowserCases(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test in -short mode")
	}
	br := testutil.NewBrowser(t)
	s := newDemoSite(t)
	ctx := context.Background()
	// The case is on the item whose text and customer name carry markup:
	// the inbox and the case page must keep them inert.
	cs, created, err := s.alerts.OpenManualCase(ctx, s.ws.ID, alert.ManualCase{FeedbackID: s.xssID, Actor: "rule:test"})
	if err != nil || !created {
		t.Fatalf("open case: %v %v", err, created)
	}
	casePath := "/cases/" + strconv.FormatInt(cs.ID, 10)
	agent, err := s.db.UserByEmail(ctx, "agent@vox.local")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("take, reply, resolve", func(t *testing.T) {
		b := br.For(t)
		s.login(b, "agent@vox.local")
		s.open(b, "/cases?lang=en")
		if n := testutil.Eval[int](b, `document.querySelectorAll("tr[data-case]").length`); n == 0 {
			t.Fatal("the inbox lists no case")
		}
		if sla := testutil.Run(b, chromedp.Text(chromedp.CSS(`tr[data-case="`+strconv.FormatInt(cs.ID, 10)+`"] .sla`))); !strings.HasPrefix(sla, "due in 1 d") &&
			!strings.HasPrefix(sla, "due in 23 h") {
			t.Errorf("SLA countdown %q", sla)
		}
		checkInert(t, b, "inbox")
		b.Screenshot("cases-inbox")
		// The countdown script rewords a row from its due time (here moved
		// 90 minutes into the past) when the tab regains focus.
		sel := `tr[data-case="` + strconv.FormatInt(cs.ID, 10) + `"] .sla`
		tick := testutil.Eval[[]string](b, `(() => {
			const el = document.querySelector('`+sel+`');
			el.setAttribute("data-due", String(Date.now() - 90*60000));
			window.dispatchEvent(new Event("focus"));
			return [el.textContent, el.className];
		})()`)
		if tick[0] != "overdue by 1 h 30 min" || tick[1] != "sla sla-overdue" {
			t.Errorf("countdown after the due time: %q", tick)
		}

		b.Do(chromedp.Click(chromedp.CSS(`tr[data-case="`+strconv.FormatInt(cs.ID, 10)+`"] a.case-title`)),
			chromedp.WaitVisible(chromedp.CSS("#case-take")))
		if loc := b.Location(); !strings.HasSuffix(loc, casePath) {
			t.Fatalf("clicked into %s", loc)
		}
		checkInert(t, b, "case page")
		b.Do(chromedp.Click(chromedp.CSS("#case-take")), chromedp.WaitVisible(chromedp.CSS(".notice.done")))
		if owner := testutil.Run(b, chromedp.Text(chromedp.CSS(".case-owner"))); owner != agent.Name {
			t.Errorf("owner shown %q, want %q", owner, agent.Name)
		}
		if hint := testutil.Run(b, chromedp.Text(chromedp.CSS("#reply p.muted"))); !strings.Contains(hint, "mallory@example.com") {
			t.Errorf("reply hint %q", hint)
		}
		b.Do(chromedp.SendKeys(chromedp.CSS("#reply-text"), "Thank you, Mallory. We fixed it."),
			chromedp.Click(chromedp.CSS("#case-send")), chromedp.WaitVisible(chromedp.CSS(".timeline .ev-reply")))
		if tl := testutil.Run(b, chromedp.Text(chromedp.CSS(".timeline"))); !strings.Contains(tl, "Replied by email to mallory@example.com") ||
			!strings.Contains(tl, "Thank you, Mallory. We fixed it.") {
			t.Errorf("timeline lacks the reply: %q", tl)
		}
		b.Do(chromedp.SendKeys(chromedp.CSS("#root-cause"), "checkout bug"),
			chromedp.Click(chromedp.CSS("#case-resolve")), chromedp.WaitVisible(chromedp.CSS("#case-reopen")))
		if st := testutil.Eval[string](b, `document.querySelector(".case-head [data-status]").dataset.status`); st != store.CaseResolved {
			t.Errorf("page shows status %q", st)
		}
		b.Screenshot("case-resolved")

		got, err := s.db.Case(ctx, s.ws.ID, cs.ID)
		if err != nil {
			t.Fatal(err)
		}
		me, err := s.db.EmployeeIDForUser(ctx, s.ws.ID, agent.ID)
		if err != nil {
			t.Fatalf("the agent has no employee record: %v", err)
		}
		if got.Status != store.CaseResolved || got.RootCause != "checkout bug" || got.ResolvedAt == nil || got.FirstActionAt == nil ||
			got.OwnerEmployeeID == nil || *got.OwnerEmployeeID != me {
			t.Fatalf("stored case %+v", got)
		}
		// The queued reply leaves through the mail server.
		w := &jobs.Worker{DB: s.db}
		s.alerts.Register(w)
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		select {
		case <-s.smtp.Received():
		case <-time.After(10 * time.Second):
			t.Fatal("the reply email never arrived")
		}
		// (PatchCase also emails the new owner, here the agent who took it.)
		replies := 0
		for _, m := range s.smtp.Messages() {
			if m.To[0] == "mallory@example.com" && strings.Contains(m.Body, "We fixed it.") {
				replies++
			}
		}
		if replies != 1 {
			t.Fatalf("%d replies reached the customer", replies)
		}

		s.open(b, "/cases?view=board&owner=mine")
		if n := testutil.Eval[int](b, `document.querySelectorAll('[data-status="resolved"] [data-case="`+strconv.FormatInt(cs.ID, 10)+`"]').length`); n != 1 {
			t.Error("the board does not show the case as resolved")
		}
		b.Screenshot("cases-board")
	})

	t.Run("open a case from feedback", func(t *testing.T) {
		b := br.For(t)
		list, err := s.db.ListFeedback(ctx, s.ws.ID, store.FeedbackFilter{Sentiment: "negative", Limit: 20})
		if err != nil || len(list.Items) == 0 {
			t.Fatalf("no negative item: %v", err)
		}
		var item int64
		for _, it := range list.Items {
			if _, err := s.db.CaseForFeedback(ctx, s.ws.ID, it.ID); err != nil {
				item = it.ID
				break
			}
		}
		itemPath := fmt.Sprintf("/feedback/%d", item)
		s.open(b, itemPath)
		b.Do(chromedp.SetValue(chromedp.CSS("#case-sla"), "8"), chromedp.Click(chromedp.CSS("#open-case")),
			chromedp.WaitVisible(chromedp.CSS(".notice.done")))
		c, err := s.db.CaseForFeedback(ctx, s.ws.ID, item)
		if err != nil {
			t.Fatal(err)
		}
		if loc := b.Location(); !strings.Contains(loc, fmt.Sprintf("/cases/%d", c.ID)) {
			t.Errorf("after opening: %s", loc)
		}
		if c.SLAMinutes != 8*60 || c.OwnerEmployeeID == nil {
			t.Errorf("case %+v", c)
		}
		b.Screenshot("case-from-feedback")
		// Back on the item, the case is linked and no second one can be opened.
		s.open(b, itemPath)
		if href := testutil.Eval[string](b, `document.querySelector(".case-box a.case-link").getAttribute("href")`); href != fmt.Sprintf("/cases/%d", c.ID) {
			t.Errorf("item links %q", href)
		}
		if n := testutil.Eval[int](b, `document.querySelectorAll("#open-case").length`); n != 0 {
			t.Error("the item still offers to open a case")
		}
	})
}

// checkInert fails when the demo's script payloads ran or became markup.
func checkInert(t *testing.T, b *testutil.Browser, where string) {
	t.Helper()
	b.Do(chromedp.Sleep(200 * time.Millisecond)) // give an onerror a chance to fire
	if v := testutil.Eval[any](b, `window.__voxPwned === undefined ? null : window.__voxPwned`); v != nil {
		t.Errorf("%s: payload ran: %v", where, v)
	}
	if n := testutil.Eval[int](b, `document.querySelectorAll("main img, main b, main script").length`); n != 0 {
		t.Errorf("%s: customer markup became %d elements", where, n)
	}
}
