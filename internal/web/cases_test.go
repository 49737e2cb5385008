package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/channel/notify"
	"vox/internal/channel/notify/notifytest"
	"vox/internal/jobs"
	"vox/internal/store"
)

// openTestCase stores a feedback item from a customer with an email
// address in ws and opens a manual case for it, owned by nobody.
func (f *fixture) openTestCase(ws int64, text string, nps int) store.Case {
	f.t.Helper()
	ids := f.seedFeedback(ws, "anna@example.com", store.FeedbackItem{Kind: "survey_response", Channel: "web", Text: text,
		NPS: ptr(nps), Sentiment: "negative", OccurredAt: f.clock.Now().Add(-time.Hour)})
	c, created, err := f.alerts.OpenManualCase(context.Background(), ws, alert.ManualCase{FeedbackID: ids[0], Actor: "test"})
	if err != nil || !created {
		f.t.Fatalf("open case: %v (created %v)", err, created)
	}
	return c
}

// storedCase reads a case straight from the database.
func (f *fixture) storedCase(ws, id int64) store.Case {
	f.t.Helper()
	c, err := f.db.Case(context.Background(), ws, id)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// setEscalation marks a case escalated as the SLA job would.
func (f *fixture) setEscalation(ws, id int64, level int) {
	f.t.Helper()
	err := f.db.InTx(context.Background(), func(tx *store.Tx) error {
		c, err := tx.LockCase(context.Background(), ws, id)
		if err != nil {
			return err
		}
		c.EscalationLevel = level
		return tx.SaveCase(context.Background(), c)
	})
	if err != nil {
		f.t.Fatal(err)
	}
}

var caseRowRe = regexp.MustCompile(`<tr class="([^"]*)" data-case="(\d+)">`)

// listedCases returns the ids of the inbox rows with their classes.
func listedCases(body string) map[int64]string {
	out := map[int64]string{}
	for _, m := range caseRowRe.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[2], 10, 64)
		out[id] = m[1]
	}
	return out
}

func has(rows map[int64]string, id int64) bool { _, ok := rows[id]; return ok }

func TestCasesInboxAndBoard(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	late := f.openTestCase(f.wsA.ID, "Courier never came", 2)
	f.clock.Advance(18*time.Hour + 48*time.Minute)
	fresh := f.openTestCase(f.wsA.ID, "Refund is slow", 5)
	f.setEscalation(f.wsA.ID, fresh.ID, 1)
	other := f.openTestCase(f.wsB.ID, "Globex secret complaint", 0)

	c := f.loggedIn("agent")
	page := c.get("/cases")
	if page.StatusCode != http.StatusOK {
		t.Fatalf("inbox: %d", page.StatusCode)
	}
	rows := listedCases(page.Body)
	if len(rows) != 2 {
		t.Fatalf("inbox lists %v, want cases %d and %d", rows, late.ID, fresh.ID)
	}
	mustContain(t, page.Body, "Courier never came", "Anna Petrova", "NPS 2", "due in 5 h 12 min", "due in 1 d 0 h",
		`href="/customers/`, "Unassigned")
	mustNotContain(t, page.Body, "Globex secret complaint")
	if !strings.Contains(rows[fresh.ID], "case-escalated") || strings.Contains(rows[late.ID], "case-escalated") {
		t.Errorf("escalation highlight: %v", rows)
	}
	// Most urgent first.
	if strings.Index(page.Body, `data-case="`+strconv.FormatInt(late.ID, 10)) > strings.Index(page.Body, `data-case="`+strconv.FormatInt(fresh.ID, 10)) {
		t.Error("the case due first is not listed first")
	}

	f.clock.Advance(6 * time.Hour)
	page = c.get("/cases?overdue=1")
	rows = listedCases(page.Body)
	if len(rows) != 1 || !strings.Contains(rows[late.ID], "case-overdue") {
		t.Fatalf("overdue filter: %v", rows)
	}
	mustContain(t, page.Body, "overdue by 48 min")
	if rows = listedCases(c.get("/cases?escalated=1").Body); len(rows) != 1 || !has(rows, fresh.ID) {
		t.Errorf("escalated filter: %v", rows)
	}

	// Take one: it leaves Unassigned and shows under Mine.
	if res := c.postForm(fmt.Sprintf("/cases/%d", fresh.ID), fmt.Sprintf("/cases/%d/take", fresh.ID), nil); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("take: %d\n%s", res.StatusCode, res.Body)
	}
	if rows = listedCases(c.get("/cases?owner=mine").Body); len(rows) != 1 || !has(rows, fresh.ID) {
		t.Errorf("mine: %v", rows)
	}
	if rows = listedCases(c.get("/cases?owner=unassigned").Body); len(rows) != 1 || !has(rows, late.ID) {
		t.Errorf("unassigned: %v", rows)
	}
	if rows = listedCases(c.get("/cases?owner=mine&status=open").Body); len(rows) != 0 {
		t.Errorf("mine and open (the taken case is in progress): %v", rows)
	}

	// Resolved cases leave the default list and appear under status=resolved.
	if _, err := f.alerts.PatchCase(ctx, f.wsA.ID, late.ID, alert.CasePatch{Status: ptr(store.CaseResolved), RootCause: ptr("courier")}); err != nil {
		t.Fatal(err)
	}
	if rows = listedCases(c.get("/cases").Body); len(rows) != 1 || !has(rows, fresh.ID) {
		t.Errorf("default list after resolving: %v", rows)
	}
	if rows = listedCases(c.get("/cases?status=resolved").Body); len(rows) != 1 || !has(rows, late.ID) {
		t.Errorf("resolved list: %v", rows)
	}

	// The board puts every case in its status column.
	board := c.get("/cases?view=board")
	if board.StatusCode != http.StatusOK {
		t.Fatalf("board: %d", board.StatusCode)
	}
	for status, id := range map[string]int64{store.CaseInProgress: fresh.ID, store.CaseResolved: late.ID} {
		col := board.Body[strings.Index(board.Body, `data-status="`+status+`"`):]
		col = col[:strings.Index(col, "</section>")]
		if !strings.Contains(col, fmt.Sprintf(`data-case="%d"`, id)) {
			t.Errorf("board column %s lacks case %d", status, id)
		}
	}
	mustNotContain(t, board.Body, "Globex secret complaint")
	if _, err := f.db.Case(ctx, f.wsB.ID, other.ID); err != nil {
		t.Fatal(err)
	}

	for _, bad := range []string{"/cases?owner=everyone", "/cases?status=closed", "/cases?view=grid", "/cases?cursor=zzz"} {
		if res := c.get(bad); res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", bad, res.StatusCode)
		}
	}
}

func TestCasesInboxPages(t *testing.T) {
	f := newFixture(t)
	ids := make([]store.NewFeedback, casesPerPage+5)
	for i := range ids {
		ids[i] = store.NewFeedback{Item: store.FeedbackItem{Kind: "review", Channel: "web", Text: fmt.Sprintf("item %d", i),
			OccurredAt: f.clock.Now()}}
	}
	res, err := f.db.InsertFeedback(context.Background(), f.wsA.ID, ids, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range res.IDs {
		if _, _, err := f.alerts.OpenManualCase(context.Background(), f.wsA.ID, alert.ManualCase{FeedbackID: id}); err != nil {
			t.Fatal(err)
		}
	}
	c := f.loggedIn("manager")
	first := c.get("/cases")
	next := regexp.MustCompile(`href="(/cases\?cursor=[^"]+)" rel="next"`).FindStringSubmatch(first.Body)
	if next == nil {
		t.Fatal("no next page link")
	}
	second := c.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	a, b := listedCases(first.Body), listedCases(second.Body)
	if len(a) != casesPerPage || len(b) != 5 {
		t.Fatalf("pages of %d and %d cases", len(a), len(b))
	}
	for id := range b {
		if has(a, id) {
			t.Errorf("case %d on both pages", id)
		}
	}
}

func TestCasePageShowsItemEscaped(t *testing.T) {
	f := newFixture(t)
	cs := f.openTestCase(f.wsA.ID, `Broken <script>alert(1)</script> & "quotes"`, 1)
	c := f.loggedIn("agent")
	page := c.get(fmt.Sprintf("/cases/%d", cs.ID))
	if page.StatusCode != http.StatusOK {
		t.Fatalf("case page: %d", page.StatusCode)
	}
	mustContain(t, page.Body, "Broken &lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;",
		fmt.Sprintf(`href="/customers/%d"`, *cs.CustomerID), fmt.Sprintf(`href="/feedback/%d"`, *cs.FeedbackID),
		"due in 1 d 0 h", "Opened the case", "Take (assign to me)", "Anna Petrova")
	mustNotContain(t, page.Body, "<script>alert(1)")

	// Without a mailer or Telegram the page says a reply cannot be sent.
	mustContain(t, page.Body, "No reply is possible: the feedback came from Web")
	mustNotContain(t, page.Body, `action="/cases/`+strconv.FormatInt(cs.ID, 10)+`/reply"`)
}

func TestCaseActionsChangeTheStoredCase(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cs := f.openTestCase(f.wsA.ID, "Parcel arrived broken", 3)
	c := f.loggedIn("agent")
	page := fmt.Sprintf("/cases/%d", cs.ID)
	do := func(action string, form url.Values) response {
		t.Helper()
		return c.postForm(page, page+"/"+action, form)
	}
	redirected := func(res response, action string) {
		t.Helper()
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != page+"?done="+action {
			t.Fatalf("%s: %d → %q\n%s", action, res.StatusCode, res.Header.Get("Location"), res.Body)
		}
	}

	// Take: the agent gets an employee record and owns the case.
	redirected(do("take", nil), "take")
	me, err := f.db.EmployeeIDForUser(ctx, f.wsA.ID, f.users["agent"].ID)
	if err != nil {
		t.Fatalf("no employee record for the agent: %v", err)
	}
	got := f.storedCase(f.wsA.ID, cs.ID)
	if got.OwnerEmployeeID == nil || *got.OwnerEmployeeID != me || got.Status != store.CaseInProgress || got.FirstActionAt == nil {
		t.Fatalf("after take: %+v", got)
	}
	mustContain(t, c.get(page+"?done=take").Body, "You took the case.", "Assigned to Agent User")

	// Assign to the manager, a member without an employee record yet.
	redirected(do("assign", url.Values{"owner": {"u:" + strconv.FormatInt(f.users["manager"].ID, 10)}}), "assign")
	mgr, err := f.db.EmployeeIDForUser(ctx, f.wsA.ID, f.users["manager"].ID)
	if err != nil {
		t.Fatal(err)
	}
	if got = f.storedCase(f.wsA.ID, cs.ID); *got.OwnerEmployeeID != mgr {
		t.Fatalf("after assign: owner %d, want %d", *got.OwnerEmployeeID, mgr)
	}
	// Members who do not work cases, users of other workspaces and
	// employees of other workspaces are refused with a clear error.
	bEmp, err := f.db.UpsertEmployee(ctx, f.wsB.ID, store.EmployeeInput{ExternalID: "B1", Name: "Globex Bob"})
	if err != nil {
		t.Fatal(err)
	}
	for _, owner := range []string{"u:" + strconv.FormatInt(f.users["viewer"].ID, 10), "u:999999", "e:" + strconv.FormatInt(bEmp, 10), "x"} {
		res := do("assign", url.Values{"owner": {owner}})
		if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Choose a member or employee of this workspace.") {
			t.Errorf("assign to %s: %d", owner, res.StatusCode)
		}
	}
	if got = f.storedCase(f.wsA.ID, cs.ID); *got.OwnerEmployeeID != mgr {
		t.Fatalf("a refused assignment changed the owner to %d", *got.OwnerEmployeeID)
	}

	// Status.
	redirected(do("status", url.Values{"status": {"waiting"}}), "status")
	if got = f.storedCase(f.wsA.ID, cs.ID); got.Status != store.CaseWaiting {
		t.Fatalf("status %s", got.Status)
	}
	if res := do("status", url.Values{"status": {"resolved"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("resolve through the status form: %d", res.StatusCode)
	}

	// Note: empty is refused, text is stored and shown escaped.
	if res := do("note", url.Values{"note": {"  "}}); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "Write the note first.") {
		t.Errorf("empty note: %d", res.StatusCode)
	}
	redirected(do("note", url.Values{"note": {"Called <b>her</b> back"}}), "note")
	mustContain(t, c.get(page).Body, "Called &lt;b&gt;her&lt;/b&gt; back")

	// Reply without a channel: 422, nothing recorded, the text kept.
	res := do("reply", url.Values{"text": {"We are sorry about the parcel"}})
	if res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "no channel reaches this customer") ||
		!strings.Contains(res.Body, "We are sorry about the parcel") {
		t.Errorf("reply without channel: %d", res.StatusCode)
	}
	if n := countEvents(t, f, f.wsA.ID, cs.ID, "reply"); n != 0 {
		t.Errorf("%d reply events after a refused reply", n)
	}

	// Resolve needs a root cause; with one it resolves.
	if res := do("resolve", url.Values{"root_cause": {""}, "note": {"keep me"}}); res.StatusCode != http.StatusUnprocessableEntity ||
		!strings.Contains(res.Body, "Give a root cause") || !strings.Contains(res.Body, "keep me") {
		t.Errorf("resolve without root cause: %d", res.StatusCode)
	}
	if got = f.storedCase(f.wsA.ID, cs.ID); got.Status == store.CaseResolved {
		t.Fatal("resolved without a root cause")
	}
	redirected(do("resolve", url.Values{"root_cause": {"  courier   damage "}, "note": {"Refunded"}}), "resolve")
	got = f.storedCase(f.wsA.ID, cs.ID)
	if got.Status != store.CaseResolved || got.RootCause != "courier damage" || got.ResolvedAt == nil {
		t.Fatalf("after resolve: %+v", got)
	}
	body := c.get(page).Body
	mustContain(t, body, "Resolved the case", "courier damage", "Reopen")
	mustNotContain(t, body, `action="`+page+`/resolve"`)
	if res := do("resolve", url.Values{"root_cause": {"again"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("resolving a resolved case: %d", res.StatusCode)
	}

	// Reopen: a fresh SLA from now (two days on: sign in again).
	f.clock.Advance(48 * time.Hour)
	c = f.loggedIn("agent")
	redirected(do("reopen", nil), "reopen")
	got = f.storedCase(f.wsA.ID, cs.ID)
	if got.Status != store.CaseOpen || got.ResolvedAt != nil || !got.DueAt.After(f.clock.Now().Add(23*time.Hour)) {
		t.Fatalf("after reopen: %+v", got)
	}
	if res := do("reopen", nil); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("reopening an open case: %d", res.StatusCode)
	}
	mustContain(t, c.get(page).Body, "Reopened the case (Open)")
}

func countEvents(t *testing.T, f *fixture, ws, caseID int64, kind string) int {
	t.Helper()
	evs, err := f.db.CaseEvents(context.Background(), ws, caseID)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Kind == kind {
			n++
		}
	}
	return n
}

// withAlerts serves the fixture's database again with another alert
// service (e.g. one with a mailer).
func (f *fixture) withAlerts(svc *alert.Service) *fixture {
	g := *f
	g.alerts = svc
	g.srv = New(f.db, Options{Now: f.clock.Now, Alerts: svc, PublicURL: "http://vox.test"})
	g.http = httptest.NewServer(g.srv.Handler())
	f.t.Cleanup(g.http.Close)
	return &g
}

// TestCaseReplyReachesTheCustomer replies through the page and runs the
// send job against a real in-process SMTP server.
func TestCaseReplyReachesTheCustomer(t *testing.T) {
	f := newFixture(t)
	smtp := notifytest.NewSMTPServer(t)
	svc := alert.New(f.db, alert.Options{Now: f.clock.Now, Mailer: &notify.Mailer{Addr: smtp.Addr, From: "Vox <vox@example.com>"}})
	worker := &jobs.Worker{DB: f.db, Now: f.clock.Now}
	svc.Register(worker)
	g := f.withAlerts(svc)
	cs := f.openTestCase(f.wsA.ID, "Where is my order?", 4)
	c := g.loggedIn("agent")
	page := fmt.Sprintf("/cases/%d", cs.ID)
	body := c.get(page).Body
	mustContain(t, body, "The feedback came from Web, which cannot carry a reply: the answer goes by email to anna@example.com.")
	res := c.postForm(page, page+"/reply", url.Values{"text": {"Your order ships today. Sorry for the wait!"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply: %d\n%s", res.StatusCode, res.Body)
	}
	if res := c.postForm(page, page+"/reply", url.Values{"text": {""}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("empty reply: %d", res.StatusCode)
	}
	mustContain(t, c.get(page).Body, "Replied by email to anna@example.com: queued")
	if _, err := worker.RunOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-smtp.Received():
	case <-time.After(5 * time.Second):
		t.Fatal("no email arrived")
	}
	msgs := smtp.Messages()
	if len(msgs) != 1 || msgs[0].To[0] != "anna@example.com" || !strings.Contains(msgs[0].Body, "Your order ships today.") {
		t.Fatalf("messages: %+v", msgs)
	}
	mustContain(t, c.get(page).Body, "Replied by email to anna@example.com: sent")
	if got := f.storedCase(f.wsA.ID, cs.ID); got.FirstActionAt == nil {
		t.Error("a reply is not the case's first action")
	}
}

func TestCasesOtherWorkspaceIsNotFound(t *testing.T) {
	f := newFixture(t)
	theirs := f.openTestCase(f.wsB.ID, "Globex only", 1)
	c := f.loggedIn("owner")
	path := fmt.Sprintf("/cases/%d", theirs.ID)
	if res := c.get(path); res.StatusCode != http.StatusNotFound || strings.Contains(res.Body, "Globex only") {
		t.Fatalf("other workspace's case: %d", res.StatusCode)
	}
	csrf := csrfFrom(t, c.get("/cases").Body)
	for action, form := range map[string]url.Values{
		"take": {}, "assign": {"owner": {"u:" + strconv.FormatInt(f.users["owner"].ID, 10)}}, "status": {"status": {"waiting"}},
		"note": {"note": {"x"}}, "reply": {"text": {"x"}}, "resolve": {"root_cause": {"x"}}, "reopen": {},
	} {
		form.Set("csrf", csrf)
		if res := c.post(path+"/"+action, form); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s on another workspace's case: %d", action, res.StatusCode)
		}
	}
	got := f.storedCase(f.wsB.ID, theirs.ID)
	if got.Status != store.CaseOpen || got.OwnerEmployeeID != nil || countEvents(t, f, f.wsB.ID, theirs.ID, "note") != 0 {
		t.Errorf("another workspace changed the case: %+v", got)
	}
	// Nor can an item of another workspace get a case from here.
	item := f.seedFeedback(f.wsB.ID, "", store.FeedbackItem{Kind: "review", Channel: "web", Text: "b", OccurredAt: time.Now()})
	if res := c.post(fmt.Sprintf("/feedback/%d/case", item[0]), url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusNotFound {
		t.Errorf("open case on another workspace's item: %d", res.StatusCode)
	}
}

func TestCaseFormsNeedCSRF(t *testing.T) {
	f := newFixture(t)
	cs := f.openTestCase(f.wsA.ID, "csrf", 2)
	c := f.loggedIn("agent")
	for _, form := range []url.Values{{}, {"csrf": {"forged"}}} {
		for _, path := range []string{fmt.Sprintf("/cases/%d/take", cs.ID), fmt.Sprintf("/cases/%d/note", cs.ID), fmt.Sprintf("/feedback/%d/case", *cs.FeedbackID)} {
			form.Set("note", "sneaky")
			if res := c.post(path, form); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s with csrf %q: %d", path, form.Get("csrf"), res.StatusCode)
			}
		}
	}
	if got := f.storedCase(f.wsA.ID, cs.ID); got.OwnerEmployeeID != nil || countEvents(t, f, f.wsA.ID, cs.ID, "note") != 0 {
		t.Errorf("a forged post changed the case: %+v", got)
	}
}

func TestOpenCaseFromFeedbackOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	item := f.seedFeedback(f.wsA.ID, "anna@example.com", store.FeedbackItem{Kind: "review", Channel: "web",
		Text: "The app logs me out", Sentiment: "negative", OccurredAt: f.clock.Now()})[0]
	c := f.loggedIn("agent")
	itemPage := fmt.Sprintf("/feedback/%d", item)
	body := c.get(itemPage).Body
	mustContain(t, body, `action="/feedback/`+strconv.FormatInt(item, 10)+`/case"`, "Open a case", "Agent User (me)")

	res := c.postForm(itemPage, itemPage+"/case", url.Values{"owner": {""}, "sla_hours": {"8"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "?done=opened") {
		t.Fatalf("open case: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	first := res.Header.Get("Location")
	res = c.postForm(itemPage, itemPage+"/case", url.Values{"sla_hours": {"24"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != strings.Replace(first, "opened", "exists", 1) {
		t.Fatalf("second click: %d %s (first %s)", res.StatusCode, res.Header.Get("Location"), first)
	}
	list, err := f.db.ListCases(ctx, f.wsA.ID, store.CaseFilter{})
	if err != nil || len(list) != 1 {
		t.Fatalf("%d cases after two clicks (%v)", len(list), err)
	}
	got := list[0]
	me, _ := f.db.EmployeeIDForUser(ctx, f.wsA.ID, f.users["agent"].ID)
	if got.FeedbackID == nil || *got.FeedbackID != item || got.SLAMinutes != 8*60 || got.OwnerEmployeeID == nil || *got.OwnerEmployeeID != me ||
		got.Title != "The app logs me out" {
		t.Errorf("case %+v", got)
	}
	mustContain(t, c.get(first).Body, "A case was opened for this feedback.", "The app logs me out")
	// The item page now links its case instead of the form.
	body = c.get(itemPage).Body
	mustContain(t, body, fmt.Sprintf(`href="/cases/%d"`, got.ID))
	mustNotContain(t, body, "Open a case</button>")

	// Forged choices are refused.
	other := f.seedFeedback(f.wsA.ID, "", store.FeedbackItem{Kind: "review", Channel: "web", Text: "x", OccurredAt: f.clock.Now()})[0]
	for _, form := range []url.Values{{"sla_hours": {"9999"}}, {"owner": {"u:999999"}}} {
		p := fmt.Sprintf("/feedback/%d", other)
		if res := c.postForm(p, p+"/case", form); res.StatusCode != http.StatusBadRequest {
			t.Errorf("open case with %v: %d", form, res.StatusCode)
		}
	}
	// Owner "nobody".
	p := fmt.Sprintf("/feedback/%d", other)
	if res := c.postForm(p, p+"/case", url.Values{"owner": {"none"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("open unassigned: %d", res.StatusCode)
	}
	if cs, err := f.db.CaseForFeedback(ctx, f.wsA.ID, other); err != nil || cs.OwnerEmployeeID != nil {
		t.Errorf("unassigned case: %+v %v", cs, err)
	}
}

func TestCasesClosedToViewersAndEmployees(t *testing.T) {
	f := newFixture(t)
	cs := f.openTestCase(f.wsA.ID, "hidden from viewers", 2)
	for _, role := range []string{store.RoleViewer, store.RoleEmployee} {
		c := f.loggedIn(role)
		for _, path := range []string{"/cases", fmt.Sprintf("/cases/%d", cs.ID)} {
			if res := c.get(path); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", role, path, res.StatusCode)
			}
		}
		csrf := csrfFrom(t, c.get("/feedback").Body)
		for _, path := range []string{fmt.Sprintf("/cases/%d/take", cs.ID), fmt.Sprintf("/feedback/%d/case", *cs.FeedbackID)} {
			if res := c.post(path, url.Values{"csrf": {csrf}}); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s POST %s: %d", role, path, res.StatusCode)
			}
		}
	}
	// A viewer opening the item sees no case box.
	body := f.loggedIn(store.RoleViewer).get(fmt.Sprintf("/feedback/%d", *cs.FeedbackID)).Body
	mustContain(t, body, "hidden from viewers")
	mustNotContain(t, body, "/cases/", "Open a case")
	if got := f.storedCase(f.wsA.ID, cs.ID); got.OwnerEmployeeID != nil {
		t.Error("a viewer took the case")
	}
}

func TestCasesUnavailableWithoutAlerts(t *testing.T) {
	f := newFixture(t)
	g := *f
	g.srv = New(f.db, Options{Now: f.clock.Now})
	g.http = httptest.NewServer(g.srv.Handler())
	t.Cleanup(g.http.Close)
	c := g.loggedIn("agent")
	for _, path := range []string{"/cases", "/cases/1"} {
		res := c.get(path)
		if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.Body, "without the alerting service") {
			t.Errorf("%s without alerts: %d", path, res.StatusCode)
		}
	}
}

func TestSLAWording(t *testing.T) {
	f := newFixture(t)
	l := f.srv.cat.localizer("en", time.UTC)
	now := time.Date(2026, 5, 14, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		due   time.Duration
		sla   int64
		want  string
		class string
	}{
		{5*time.Hour + 12*time.Minute, 24 * 60, "due in 5 h 12 min", "sla-soon"},
		{20 * time.Hour, 24 * 60, "due in 20 h 0 min", "sla-ok"},
		{50 * time.Hour, 72 * 60, "due in 2 d 2 h", "sla-ok"},
		{7 * time.Minute, 60, "due in 7 min", "sla-soon"},
		{-(3*time.Hour + 5*time.Minute), 60, "overdue by 3 h 5 min", "sla-overdue"},
	} {
		got := slaOf(l, store.Case{Status: store.CaseOpen, DueAt: now.Add(tc.due), SLAMinutes: tc.sla}, now)
		if got.Text != tc.want || got.Class != tc.class {
			t.Errorf("%v: %+v, want %q %s", tc.due, got, tc.want, tc.class)
		}
	}
	ru := f.srv.cat.localizer("ru", time.UTC)
	if got := slaOf(ru, store.Case{Status: store.CaseOpen, DueAt: now.Add(-90 * time.Minute), SLAMinutes: 60}, now); got.Text != "просрочено на 1 ч 30 мин" {
		t.Errorf("ru: %q", got.Text)
	}
}

// TestCaseKeysExist checks the message keys the cases code names in Go
// (form errors, timeline wording) and the closed vocabularies it labels.
func TestCaseKeysExist(t *testing.T) {
	cat, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("cases.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`"(cases\.[a-z_.]+[a-z_])"`).FindAllStringSubmatch(string(src), -1)
	if len(keys) < 30 {
		t.Fatalf("found only %d keys in cases.go", len(keys))
	}
	want := map[string]bool{}
	for _, k := range keys {
		want[k[1]] = true
	}
	for _, v := range store.CaseStatuses {
		want["cases.status."+v] = true
	}
	for _, v := range caseDone {
		want["cases.done."+v] = true
	}
	for _, v := range []string{"mine", "unassigned", "all"} {
		want["cases.owner."+v] = true
	}
	for _, v := range []string{"email", "telegram"} {
		want["cases.via."+v] = true
	}
	for k := range want {
		if k == "cases.status" || k == "cases.done" || k == "cases.via" {
			continue // prefixes of Label
		}
		for _, lang := range languages {
			if cat[lang][k] == "" {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
	}
}

// sampleCases is the inbox with an overdue, an escalated and a plain case.
func sampleCases(at time.Time) casesData {
	cust := int64(7)
	owner := int64(3)
	rows := []caseRow{
		{CaseRow: store.CaseRow{Case: store.Case{ID: 12, CustomerID: &cust, Title: "NPS 2: Доставка опоздала <b>на три дня</b>",
			Status: store.CaseOpen, DueAt: at.Add(-2 * time.Hour), SLAMinutes: 1440, EscalationLevel: 2, Team: "support"},
			CustomerName: "Анна Петрова", NPS: ptr(2), Sentiment: "negative", Channel: "telegram"},
			SLA: slaInfo{Text: "overdue by 2 h 0 min", Class: "sla-overdue"}, Overdue: true},
		{CaseRow: store.CaseRow{Case: store.Case{ID: 11, OwnerEmployeeID: &owner, Title: "服务很差", Status: store.CaseInProgress,
			DueAt: at.Add(5 * time.Hour), SLAMinutes: 1440, EscalationLevel: 1}, OwnerName: "王伟", Sentiment: "negative"},
			SLA: slaInfo{Text: "due in 5 h 0 min", Class: "sla-soon"}},
		{CaseRow: store.CaseRow{Case: store.Case{ID: 10, CustomerID: &cust, Title: "Checkout fails", Status: store.CaseResolved,
			DueAt: at, SLAMinutes: 240, ResolvedAt: &at, RootCause: "payments"}},
			SLA: slaInfo{Text: "resolved", Class: "sla-done"}},
	}
	d := casesData{Owner: "all", Status: "", Team: "support", Teams: []string{"support", "销售"}, Statuses: caseStatusFilters,
		Counts: store.CaseCounts{Active: 2, Mine: 1, Unassigned: 1, Overdue: 1, Escalated: 2}, Rows: rows, ShowCustomers: true,
		ListURL: "/cases", BoardURL: "/cases?view=board", NextURL: "/cases?cursor=1.2", FirstURL: "/cases", Overdue: true}
	for _, k := range []string{"mine", "unassigned", "all"} {
		d.Tabs = append(d.Tabs, caseTab{Key: k, URL: "/cases?owner=" + k, Count: 1, Active: k == "all"})
	}
	for _, st := range store.CaseStatuses {
		col := caseColumn{Status: st}
		for _, r := range rows {
			if r.Status == st {
				col.Rows = append(col.Rows, r)
			}
		}
		d.Columns = append(d.Columns, col)
	}
	return d
}

// sampleCase is a case page with a full history.
func sampleCase(at time.Time) casePageData {
	cust, item, owner := int64(7), int64(1), int64(3)
	c := store.Case{ID: 12, FeedbackID: &item, CustomerID: &cust, OwnerEmployeeID: &owner, Title: "NPS 2: Доставка опоздала",
		Status: store.CaseWaiting, SLAMinutes: 1440, DueAt: at.Add(3 * time.Hour), FirstActionAt: &at, EscalationLevel: 1,
		Team: "support", CreatedAt: at.Add(-21 * time.Hour)}
	it := store.FeedbackItem{ID: item, CustomerID: &cust, Kind: "survey_response", Channel: "telegram", Text: "Доставка опоздала <script>x</script>",
		Sentiment: "negative", NPS: ptr(2), Topics: []string{"delivery"}, OccurredAt: at.Add(-22 * time.Hour)}
	cu := store.Customer{ID: cust, Name: "Анна Петрова", Segment: "vip", Region: "Москва"}
	ev := func(kind, actor, body string, d map[string]any) store.CaseEvent {
		return store.CaseEvent{Kind: kind, Actor: actor, Body: body, Details: d, CreatedAt: at}
	}
	l := sampleLocalizer()
	return casePageData{Case: c, SLA: slaInfo{Text: "due in 3 h 0 min", Class: "sla-soon"}, SLAHours: "24", Item: &it, Customer: &cu,
		CustomerLink: true, OwnerName: "王伟", Members: []caseAssignee{{Value: "u:1", Label: "Olga (me)"}, {Value: "u:2", Label: "Oleg", Selected: true}},
		Employees: []caseAssignee{{Value: "e:9", Label: "Ivan · store"}}, Statuses: []string{store.CaseOpen, store.CaseInProgress},
		Reply: alert.ReplyTarget{Channel: "email", To: "anna@example.com", ItemChannel: "telegram"}, CanReply: true,
		RootCauses: []string{"delivery", "courier"}, Done: "note", Error: "cases.error.note_empty", ErrorForm: "note",
		Form: url.Values{"note": {"draft <i>kept</i>"}},
		Events: caseEventViews(l, []store.CaseEvent{
			ev("created", "rule:Detractors", "", map[string]any{"rule_id": 1.0}),
			ev("assign", "agent@example.com", "", map[string]any{"owner_employee_id": 3.0}),
			ev("status", "agent@example.com", "", map[string]any{"from": "open", "to": "waiting"}),
			ev("note", "agent@example.com", "Called, no answer", nil),
			ev("reply", "agent@example.com", "Sorry for the delay", map[string]any{"channel": "email", "to": "anna@example.com", "status": "failed: 550 no such user"}),
			ev("escalation", "sla", "75% of its SLA used", map[string]any{"level": 1.0}),
			ev("escalation", "sla", "SLA breached", map[string]any{"level": 2.0}),
			ev("status", "agent@example.com", "", map[string]any{"from": "open", "to": "resolved"}),
			ev("status", "agent@example.com", "", map[string]any{"from": "resolved", "to": "open"}),
		}, map[int64]string{3: "王伟"})}
}

// sampleLocalizer is the English localizer, for building sample data.
func sampleLocalizer() *Localizer {
	cat, err := loadCatalogs()
	if err != nil {
		panic(err)
	}
	return cat.localizer("en", time.UTC)
}

// sampleCaseBox is a feedback item's case form.
func sampleCaseBox() *feedbackCaseBox {
	return &feedbackCaseBox{ItemID: 1, SLAChoices: caseSLAChoices, Members: []caseAssignee{{Value: "u:1", Label: "Olga (me)", Selected: true}},
		Employees: []caseAssignee{{Value: "e:9", Label: "Ivan"}}}
}

// TestCasePagesRenderEveryState renders the states the template-coverage
// samples do not reach: the board, a resolved case without a reply
// channel, an item that already has its case, and the 503 page.
func TestCasePagesRenderEveryState(t *testing.T) {
	f := newFixture(t)
	at := time.Date(2026, 5, 14, 9, 30, 0, 0, time.UTC)
	board := sampleCases(at)
	board.Board, board.Truncated = true, true
	resolved := sampleCase(at)
	resolved.Case.Status, resolved.Case.ResolvedAt, resolved.Case.RootCause = store.CaseResolved, &at, "courier <damage>"
	resolved.CanReply, resolved.Reply, resolved.Error, resolved.ErrorForm = false, alert.ReplyTarget{ItemChannel: "review_site"}, "cases.error.no_channel", "reply"
	resolved.Form = url.Values{"text": {"kept <reply>"}}
	noItem := sampleCase(at)
	noItem.Item, noItem.Customer, noItem.Events, noItem.Reply, noItem.CanReply = nil, nil, nil, alert.ReplyTarget{}, false
	withCase := feedbackItemData{Item: store.FeedbackItem{ID: 1, Kind: "review", Channel: "web", Text: "x", OccurredAt: at},
		CaseBox: &feedbackCaseBox{ItemID: 1, Case: &store.Case{ID: 12, Status: store.CaseWaiting}}}
	for name, tc := range map[string]struct {
		page  string
		data  any
		wants []string
	}{
		"board":       {"cases", board, []string{`class="case-board"`, `data-status="resolved"`, "case-overdue", "case-escalated"}},
		"resolved":    {"case", resolved, []string{"courier &lt;damage&gt;", "/reopen", "kept &lt;reply&gt;", "Review site"}},
		"no item":     {"case", noItem, []string{"no longer exists", "Nothing has happened yet."}},
		"item case":   {"feedback_item", withCase, []string{`href="/cases/12"`, "Case #12", "Waiting"}},
		"unavailable": {"cases", casesData{Unavailable: true}, []string{"without the alerting service"}},
		"no own":      {"cases", casesData{NoEmployee: true, Owner: "mine"}, []string{"You have no cases yet"}},
	} {
		for _, lang := range languages {
			rc := &reqCtx{L: f.srv.cat.localizer(lang, time.UTC), CSRF: "tok", Session: &store.WebSession{},
				User: store.User{ID: 1, Name: "Olga"}, Role: store.RoleAgent, Workspace: store.Workspace{ID: 1, Name: "Acme"}}
			rec := httptest.NewRecorder()
			f.srv.render(rec, httptest.NewRequest("GET", "/x?lang="+lang, nil), rc, http.StatusOK, tc.page, "cases", "T", tc.data)
			body := rec.Body.String()
			if rec.Code != http.StatusOK || !strings.Contains(body, "</html>") {
				t.Fatalf("%s/%s: %d\n%s", name, lang, rec.Code, body)
			}
			if strings.Contains(body, "%!") || regexp.MustCompile(`[>"]cases\.[a-z_.]+[<"]`).MatchString(body) {
				t.Errorf("%s/%s: bad format or untranslated key", name, lang)
			}
			if lang == "en" {
				mustContain(t, body, tc.wants...)
			}
		}
	}
}
