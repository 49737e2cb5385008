package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/analytics"
	"vox/internal/store"
	"vox/internal/survey"
)

// settingsSampleData gives the settings pages realistic content for the
// every-template test: errors on fields, a lossy rule, a failing endpoint
// with dead letters, secrets set.
func settingsSampleData(rows []feedbackRow) map[string]any {
	at := time.Date(2026, 5, 14, 9, 30, 0, 0, time.UTC)
	fieldErr := &formError{Key: "settings.err.value", Detail: "must be a number"}
	form := ruleForm{ID: 4, Name: "Детракторы о доставке <b>", Enabled: true, Match: "any", Lossy: true,
		Conds: []condRow{{Field: "nps", Op: "lte", Value: "6"}, {Field: "topic", Op: "contains", Value: "delivery, 快递"},
			{Field: "csat", Op: "lt", Value: "abc", ValueErr: fieldErr}, {Field: "nope", Op: "eq", FieldErr: &formError{Key: "settings.err.field"}}},
		Tag: true, Tags: "detractor", Case: true, SLAHours: "4", Owner: "round_robin", Team: "Care", Email: true, EmailTo: "owner, cx@example.com",
		Telegram: true, ChatID: "-100123", Slack: true, SlackSet: "hooks.slack.com", Webhook: true,
		Errors: map[string]formError{"name": {Key: "settings.err.name"}, "act_email": {Key: "settings.err.to", Detail: `"x" is not an email address`}}}
	failing := at.Add(-2 * time.Hour)
	ep := store.WebhookEndpoint{ID: 3, URL: "https://crm.example.com/hooks/vox?a=1&b=<2>", Events: []string{"case.created", "alert.triggered"},
		LastSuccessAt: &at, LastFailureAt: &at, FailingSince: &failing, LastStatus: 502, LastError: "HTTP 502 Bad Gateway",
		Successes: 1234, Failures: 17, CreatedAt: at, PrevSecret: "whsec_old", PrevSecretUntil: &at}
	disabled := store.WebhookEndpoint{ID: 4, URL: "https://old.example.com/", Events: []string{"*"}, Disabled: true,
		DisabledReason: "the receiver answered 410 Gone", CreatedAt: at}
	fresh := store.WebhookEndpoint{ID: 5, URL: "https://new.example.com/", Events: []string{"feedback.created"}, CreatedAt: at}
	whForm := newWebhookForm("http://10.0.0.5/x", []string{"case.created"})
	whForm.Errors = map[string]formError{"url": {Key: "settings.err.url", Detail: "forbidden address: 10.0.0.5 is in 10.0.0.0/8"}}
	// Rule fields named like catalog keys (customer.segment…) would read
	// as leaked keys to the every-template test; the real page shows them
	// (TestSettingsPagesRender).
	var fields []alert.RuleField
	for _, rf := range alert.RuleFields() {
		if !strings.HasPrefix(rf.Name, "customer.") {
			fields = append(fields, rf)
		}
	}
	tax := topicsData{Langs: languages}
	for _, tp := range analytics.DefaultTaxonomy().Topics[:3] {
		tax.Topics = append(tax.Topics, topicRow{Key: tp.Key, Terms: [][]string{tp.Terms["en"], tp.Terms["ru"], tp.Terms["zh"]}})
	}
	return map[string]any{
		"settings": settingsIndexData{Rules: 3, RulesEnabled: 2, Webhooks: 2, WebhooksDown: 1, HasAlerts: true, HasSurveys: false,
			Users: true, APIKeys: true, Audit: true},
		"settings_unavailable": settingsUnavailableData{Section: "settings.rules.title"},
		"settings_rules": rulesData{Days: 7, Flash: "settings.flash.created", Rules: []ruleRow{
			{Rule: store.Rule{ID: 4, Name: form.Name, Enabled: true, Match: "any"}, Conds: form.Conds, Actions: form.summary(), Fired: 1234},
			{Rule: store.Rule{ID: 5, Name: "old"}, Broken: true}}},
		"settings_rule": ruleEditData{Form: form, Fields: fields, Ops: alert.RuleOperators(), Owners: alert.OwnerStrategies(),
			Employees: []store.Employee{{ID: 1, Name: "Ольга", Team: "Care"}, {ID: 2, Name: "王伟"}}, Teams: []string{"Care"},
			Flash: "settings.flash.saved", TestDays: 7,
			Test: &ruleTestView{Result: alert.RuleTest{Evaluated: 12040, Matched: 37, Truncated: true}, Samples: rows}},
		"settings_webhooks": webhooksData{Endpoints: []store.WebhookEndpoint{ep, disabled, fresh}, Form: whForm, Flash: "settings.flash.deleted"},
		"settings_webhook": webhookData{EP: ep, NewSecret: "whsec_c2VjcmV0c2VjcmV0c2VjcmV0", Created: true, PrevUntil: at, Flash: "settings.flash.test_sent",
			Deliveries: []alert.Delivery{
				{JobID: 9, MessageID: "msg_1", Event: "case.created", Status: "dead", Attempts: 10, MaxAttempts: 10, LastError: "HTTP 500", CreatedAt: at},
				{JobID: 8, MessageID: "msg_2", Event: "webhook.test", Status: "pending", Attempts: 2, MaxAttempts: 10, RunAt: at, CreatedAt: at},
				{JobID: 7, MessageID: "msg_3", Event: "alert.triggered", Status: "done", Attempts: 1, MaxAttempts: 10, CreatedAt: at}}},
		"settings_channels": channelsData{Hours: dayHours, Flash: "settings.flash.saved", Form: channelsForm{ThrottleDays: "400", QuietStart: 22, QuietEnd: 8,
			EmailFrom: "Acme <care@acme.example>", SMSBaseURL: "https://sms.example.com", SMSUser: "acme", SMSTokenSet: true, TelegramTokenSet: true,
			Keywords: "acme, доставка", Errors: map[string]formError{"throttle_days": {Key: "settings.err.throttle_days"}}}},
		"settings_topics":     tax,
		"settings_adaptation": sampleAdaptation(),
	}
}

// settingsClient is a signed-in browser with the session's CSRF token.
type settingsClient struct {
	*client
	csrf string
}

func (f *fixture) settingsAs(role string) settingsClient {
	f.t.Helper()
	c := f.loggedIn(role)
	return settingsClient{client: c, csrf: csrfFrom(f.t, c.get("/").Body)}
}

// send posts a form with the CSRF token.
func (c settingsClient) send(path string, form url.Values) response {
	c.f.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf)
	return c.post(path, form)
}

func wantStatus(t *testing.T, res response, want int) {
	t.Helper()
	if res.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", res.Request.Method, res.Request.URL.Path, res.StatusCode, want, res.Body)
	}
}

var ruleLocation = regexp.MustCompile(`^/settings/rules/(\d+)\?done=created$`)

// detractorRuleForm is the editor filled in for "NPS ≤ 6 and the topic
// is delivery: tag it and open a 4-hour case", with one spare slot.
func detractorRuleForm() url.Values {
	return url.Values{"name": {"Detractors on delivery"}, "enabled": {"1"}, "match": {"all"},
		"cond_field": {"nps", "topic", ""}, "cond_op": {"lte", "contains", "eq"}, "cond_value": {"6", "delivery", ""},
		"act_tag": {"1"}, "tags": {"detractor, delivery"}, "act_case": {"1"}, "sla_hours": {"4"}, "owner": {""}}
}

func TestSettingsPagesRender(t *testing.T) {
	f := newFixture(t)
	c := f.settingsAs("owner")
	for path, wants := range map[string][]string{
		"/settings": {`href="/settings/rules"`, `href="/settings/webhooks"`, `href="/settings/channels"`, `href="/settings/topics"`,
			`href="/settings/users"`, `href="/settings/api-keys"`, `href="/settings/audit"`},
		"/settings/rules":     {"No rules yet.", `href="/settings/rules/new"`},
		"/settings/rules/new": {`name="cond_field"`, `value="add_condition"`, "Open a case", `<option value="regex">matches the pattern`},
		"/settings/webhooks":  {"No endpoints yet.", `value="alert.triggered"`, `value="*"`},
		"/settings/channels":  {`name="throttle_days"`, "Bot token", "not set"},
		"/settings/topics":    {"<code>delivery</code>", "доставк", "快递", "deliver"},
	} {
		res := c.get(path)
		wantStatus(t, res, http.StatusOK)
		mustContain(t, res.Body, wants...)
	}
	// Without the acting service the rules and webhooks pages say so.
	f.srv.opt.Alerts = nil
	defer func() { f.srv.opt.Alerts = f.alerts }()
	for _, path := range []string{"/settings/rules", "/settings/rules/new", "/settings/webhooks"} {
		res := c.get(path)
		wantStatus(t, res, http.StatusServiceUnavailable)
		mustContain(t, res.Body, "not running in this server process")
	}
}

// TestRuleFormCreatesFiringRule creates a rule through the form and proves
// it acts on the next matching item, is counted in the list, and tests
// against the last week.
func TestRuleFormCreatesFiringRule(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.settingsAs("admin")
	res := c.send("/settings/rules", detractorRuleForm())
	wantStatus(t, res, http.StatusSeeOther)
	m := ruleLocation.FindStringSubmatch(res.Header.Get("Location"))
	if m == nil {
		t.Fatalf("redirect to %q", res.Header.Get("Location"))
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	ru, err := f.db.Rule(ctx, f.wsA.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	var conds []alert.Condition
	if err := json.Unmarshal(ru.Conditions, &conds); err != nil {
		t.Fatal(err)
	}
	if !ru.Enabled || ru.Name != "Detractors on delivery" || len(conds) != 2 || conds[0].Value != 6.0 || conds[1].Value != "delivery" {
		t.Fatalf("stored rule: %+v %+v", ru, conds)
	}
	page := c.get(res.Header.Get("Location"))
	wantStatus(t, page, http.StatusOK)
	mustContain(t, page.Body, "Created.", `value="Detractors on delivery"`, `value="detractor, delivery"`, `value="4"`)

	// A matching item fires it inside its insert; a promoter does not.
	at := f.clock.Now().Add(-time.Hour)
	ids := f.seedFeedback(f.wsA.ID, "anna@example.com",
		store.FeedbackItem{Kind: "survey_response", Channel: "email", Text: "Курьер опоздал на три дня", NPS: ptr(3), Topics: []string{"delivery"}, OccurredAt: at},
		store.FeedbackItem{Kind: "survey_response", Channel: "email", Text: "Всё отлично", NPS: ptr(10), Topics: []string{"delivery"}, OccurredAt: at})
	alerts, err := f.db.Alerts(ctx, f.wsA.ID, store.AlertRule, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 1 || *alerts[0].RuleID != id || *alerts[0].FeedbackID != ids[0] || alerts[0].CaseID == nil {
		t.Fatalf("alerts: %+v", alerts)
	}
	it, err := f.db.Feedback(ctx, f.wsA.ID, ids[0])
	if err != nil || strings.Join(it.Tags, ",") != "detractor,delivery" {
		t.Fatalf("tags of the detractor: %v %v", it.Tags, err)
	}
	kase, err := f.db.Case(ctx, f.wsA.ID, *alerts[0].CaseID)
	if err != nil || kase.SLAMinutes != 240 {
		t.Fatalf("case: %+v %v", kase, err)
	}

	list := c.get("/settings/rules")
	mustContain(t, list.Body, "Detractors on delivery", "<code>nps</code> is at most <code>6</code>", "Open a case · 4 h",
		"Tag the item: detractor, delivery")
	if !regexp.MustCompile(`<td class="num">1</td>`).MatchString(list.Body) {
		t.Errorf("fired count 1 not shown:\n%s", list.Body)
	}

	f.clock.Advance(time.Minute)
	test := c.send(fmt.Sprintf("/settings/rules/%d/test", id), nil)
	wantStatus(t, test, http.StatusOK)
	mustContain(t, test.Body, `<span class="big-inline">1</span> items would have fired the rule, of 2 checked.`, "Курьер опоздал на три дня")
	mustNotContain(t, test.Body, "Всё отлично")
	if n, _ := f.db.Alerts(ctx, f.wsA.ID, store.AlertRule, 0, 10); len(n) != 1 {
		t.Errorf("testing a rule stored alerts: %d", len(n))
	}
}

// TestRuleFormErrors: an invalid rule is shown again with the reason next
// to the field and the user's input kept, and nothing is stored.
func TestRuleFormErrors(t *testing.T) {
	f := newFixture(t)
	c := f.settingsAs("admin")
	cases := []struct {
		name  string
		edit  func(url.Values)
		wants []string
	}{
		{"value not a number", func(v url.Values) { v["cond_value"] = []string{"six", "delivery", ""} },
			[]string{`value="six"`, `<p class="field-error" role="alert">Check the value for this operator. <small class="muted" lang="en">must be a number</small>`}},
		{"unknown field", func(v url.Values) { v["cond_field"] = []string{"nps", "mood", ""} },
			[]string{`value="mood"`, "Unknown field."}},
		{"operator for the field", func(v url.Values) { v["cond_op"] = []string{"regex", "contains", "eq"} },
			[]string{"This operator does not apply to this field."}},
		{"no name", func(v url.Values) { v.Set("name", " ") }, []string{"Enter a name."}},
		{"no condition", func(v url.Values) { v["cond_field"], v["cond_value"] = []string{"", ""}, []string{"", ""} },
			[]string{"A rule needs between 1 and 50 conditions."}},
		{"no action", func(v url.Values) { v.Del("act_tag"); v.Del("act_case") }, []string{"Choose at least one action."}},
		{"bad email", func(v url.Values) { v.Set("act_email", "1"); v.Set("email_to", "owner, not-an-address") },
			[]string{"Enter email addresses, or “owner” for the case owner", `value="owner, not-an-address"`}},
		{"slack to loopback", func(v url.Values) { v.Set("act_slack", "1"); v.Set("slack_url", "http://127.0.0.1:8080/hook") },
			[]string{"This URL cannot be used.", "127.0.0.1"}},
		{"sla not a number", func(v url.Values) { v.Set("sla_hours", "soon") },
			[]string{"The time to resolve must be a number of hours"}},
		{"sla out of range", func(v url.Values) { v.Set("sla_hours", "5000") },
			[]string{"The time to resolve must be a number of hours"}},
		{"round robin without team", func(v url.Values) { v.Set("owner", "round_robin") }, []string{"Round robin needs a team."}},
	}
	for _, tc := range cases {
		form := detractorRuleForm()
		tc.edit(form)
		res := c.send("/settings/rules", form)
		if res.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d", tc.name, res.StatusCode)
			continue
		}
		for _, w := range tc.wants {
			if !strings.Contains(res.Body, w) {
				t.Errorf("%s: page lacks %q", tc.name, w)
			}
		}
	}
	if rules, _ := f.db.Rules(context.Background(), f.wsA.ID); len(rules) != 0 {
		t.Fatalf("invalid forms stored %d rules", len(rules))
	}
	// "Add a condition" re-renders with one more slot and stores nothing.
	form := detractorRuleForm()
	form.Set("do", "add_condition")
	res := c.send("/settings/rules", form)
	wantStatus(t, res, http.StatusOK)
	if n := strings.Count(res.Body, `name="cond_field"`); n != 4 {
		t.Errorf("after add condition: %d slots, want 4", n)
	}
	mustContain(t, res.Body, `value="Detractors on delivery"`)
	if rules, _ := f.db.Rules(context.Background(), f.wsA.ID); len(rules) != 0 {
		t.Fatalf("add condition stored %d rules", len(rules))
	}
}

// TestRuleEditToggleDelete edits a rule through the form, switches it off
// and on, and deletes it; a Slack URL, holding a token, is never rendered
// back but kept when the field is left empty.
func TestRuleEditToggleDelete(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.settingsAs("owner")
	form := detractorRuleForm()
	form.Set("act_slack", "1")
	form.Set("slack_url", "https://hooks.slack.example/services/T0/B0/SECRETTOKEN")
	res := c.send("/settings/rules", form)
	wantStatus(t, res, http.StatusSeeOther)
	id, _ := strconv.ParseInt(ruleLocation.FindStringSubmatch(res.Header.Get("Location"))[1], 10, 64)
	path := fmt.Sprintf("/settings/rules/%d", id)
	page := c.get(path)
	mustContain(t, page.Body, "A URL is set (hooks.slack.example)")
	mustNotContain(t, page.Body, "SECRETTOKEN")
	mustNotContain(t, c.get("/settings/rules").Body, "SECRETTOKEN")

	form = detractorRuleForm()
	form.Set("name", "Detractors, any topic")
	form.Set("match", "any")
	form.Set("act_slack", "1")
	form.Del("enabled")
	wantStatus(t, c.send(path, form), http.StatusSeeOther)
	ru, err := f.db.Rule(ctx, f.wsA.ID, id)
	if err != nil || ru.Name != "Detractors, any topic" || ru.Match != "any" || ru.Enabled {
		t.Fatalf("after edit: %+v %v", ru, err)
	}
	if !strings.Contains(string(ru.Actions), "SECRETTOKEN") {
		t.Errorf("an empty Slack field dropped the stored URL: %s", ru.Actions)
	}

	wantStatus(t, c.send(path+"/enabled", url.Values{"enabled": {"1"}}), http.StatusSeeOther)
	if ru, _ = f.db.Rule(ctx, f.wsA.ID, id); !ru.Enabled {
		t.Error("enable did not enable")
	}
	wantStatus(t, c.send(path+"/enabled", url.Values{"enabled": {"0"}}), http.StatusSeeOther)
	if ru, _ = f.db.Rule(ctx, f.wsA.ID, id); ru.Enabled {
		t.Error("disable did not disable")
	}
	wantStatus(t, c.send(path+"/delete", nil), http.StatusSeeOther)
	if _, err := f.db.Rule(ctx, f.wsA.ID, id); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after delete: %v", err)
	}
	wantStatus(t, c.get(path), http.StatusNotFound)
}

var secretRe = regexp.MustCompile(`whsec_[A-Za-z0-9+/=]+`)

func TestWebhookSettings(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.settingsAs("admin")
	create := url.Values{"url": {"https://crm.example.com/hooks/vox"}, "events": {"case.created", "alert.triggered"}}
	res := c.send("/settings/webhooks", create)
	wantStatus(t, res, http.StatusCreated)
	secret := secretRe.FindString(html.UnescapeString(res.Body))
	mustContain(t, res.Body, "Copy the signing secret now")
	eps, err := f.db.Webhooks(ctx, f.wsA.ID)
	if err != nil || len(eps) != 1 {
		t.Fatalf("endpoints: %v %v", eps, err)
	}
	ep := eps[0]
	if secret == "" || ep.Secret != secret || strings.Join(ep.Events, ",") != "case.created,alert.triggered" {
		t.Fatalf("secret shown %q, stored %+v", secret, ep)
	}
	path := fmt.Sprintf("/settings/webhooks/%d", ep.ID)
	for _, p := range []string{"/settings/webhooks", path} {
		page := c.get(p)
		wantStatus(t, page, http.StatusOK)
		mustContain(t, page.Body, "https://crm.example.com/hooks/vox")
		mustNotContain(t, html.UnescapeString(page.Body), secret, "whsec_")
	}

	// Refused URLs and no events: the reason on the field, nothing stored.
	for _, bad := range []url.Values{
		{"url": {"http://127.0.0.1:9000/hook"}, "events": {"*"}},
		{"url": {"http://10.1.2.3/hook"}, "events": {"*"}},
		{"url": {"http://[::1]/hook"}, "events": {"*"}},
		{"url": {"ftp://example.com/hook"}, "events": {"*"}},
	} {
		res := c.send("/settings/webhooks", bad)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		mustContain(t, res.Body, "This URL cannot be used.", `value="`+bad.Get("url")+`"`)
	}
	res = c.send("/settings/webhooks", url.Values{"url": {"https://crm.example.com/other"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	mustContain(t, res.Body, "Choose at least one event.")
	if eps, _ := f.db.Webhooks(ctx, f.wsA.ID); len(eps) != 1 {
		t.Fatalf("refused forms stored endpoints: %d", len(eps))
	}

	// Rotation shows the new secret once; the old one keeps signing.
	res = c.send(path+"/rotate", nil)
	wantStatus(t, res, http.StatusOK)
	rotated := secretRe.FindString(html.UnescapeString(res.Body))
	mustContain(t, res.Body, "New secret issued")
	ep, _ = f.db.Webhook(ctx, f.wsA.ID, ep.ID)
	if rotated == "" || rotated == secret || ep.Secret != rotated || ep.PrevSecret != secret || len(ep.Secrets(f.clock.Now())) != 2 {
		t.Fatalf("rotation: shown %q, stored %+v", rotated, ep)
	}
	page := c.get(path)
	mustContain(t, page.Body, "The previous secret also signs until")
	mustNotContain(t, page.Body, "whsec_")

	// A test event is a real queued delivery, listed on the page.
	res = c.send(path+"/test", nil)
	wantStatus(t, res, http.StatusSeeOther)
	page = c.get(res.Header.Get("Location"))
	mustContain(t, page.Body, "A test event was queued", "<code>webhook.test</code>", ">queued<")
	jobs, err := f.db.JobsWithPayloadPrefix(ctx, f.wsA.ID, alert.KindWebhook, fmt.Sprintf(`{"endpoint_id":%d,`, ep.ID), 10)
	if err != nil || len(jobs) != 1 || jobs[0].Status != store.JobPending || !strings.Contains(jobs[0].Payload, `"event":"webhook.test"`) {
		t.Fatalf("test event job: %+v %v", jobs, err)
	}
	job := jobs[0].ID
	retry := fmt.Sprintf("%s/deliveries/%d/retry", path, job)
	wantStatus(t, c.send(retry, nil), http.StatusNotFound) // not dead: nothing to retry

	// A dead delivery gets a retry button that requeues it.
	if err := f.db.RetryJob(ctx, job, errors.New("HTTP 500 from receiver"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	page = c.get(path)
	mustContain(t, page.Body, "dead letter", "HTTP 500 from receiver", `action="`+retry+`"`)
	wantStatus(t, c.send(retry, nil), http.StatusSeeOther)
	j, err := f.db.Job(ctx, f.wsA.ID, job)
	if err != nil || j.Status != store.JobPending || j.Attempts != 0 {
		t.Fatalf("after retry: %+v %v", j, err)
	}

	// Disable, enable, delete.
	wantStatus(t, c.send(path+"/enabled", url.Values{"enabled": {"0"}}), http.StatusSeeOther)
	if ep, _ = f.db.Webhook(ctx, f.wsA.ID, ep.ID); !ep.Disabled || ep.DisabledReason != "disabled by an admin" {
		t.Fatalf("disable: %+v", ep)
	}
	mustContain(t, c.get("/settings/webhooks").Body, "disabled by an admin")
	wantStatus(t, c.send(path+"/enabled", url.Values{"enabled": {"1"}}), http.StatusSeeOther)
	if ep, _ = f.db.Webhook(ctx, f.wsA.ID, ep.ID); ep.Disabled {
		t.Fatal("enable did not enable")
	}
	wantStatus(t, c.send(path+"/delete", nil), http.StatusSeeOther)
	if _, err := f.db.Webhook(ctx, f.wsA.ID, ep.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
}

// TestSettingsOtherWorkspace: a rule, endpoint or delivery of workspace B
// is not found from workspace A, by GET or POST, and stays untouched.
func TestSettingsOtherWorkspace(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	var spec alert.RuleSpec
	if err := json.Unmarshal([]byte(`{"name":"B rule","match":"all","conditions":[{"field":"nps","op":"lte","value":6}],
		"actions":[{"type":"tag","tags":["b"]}]}`), &spec); err != nil {
		t.Fatal(err)
	}
	ruleB, err := f.alerts.CreateRule(ctx, f.wsB.ID, spec)
	if err != nil {
		t.Fatal(err)
	}
	epB, secretB, err := f.alerts.CreateWebhook(ctx, f.wsB.ID, "https://b.example.com/hook", []string{"*"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.alerts.SendTestEvent(ctx, f.wsB.ID, epB.ID); err != nil {
		t.Fatal(err)
	}
	dsB, _ := f.alerts.Deliveries(ctx, f.wsB.ID, epB.ID, 10)
	if err := f.db.RetryJob(ctx, dsB[0].JobID, errors.New("down"), time.Time{}); err != nil {
		t.Fatal(err)
	}
	epA, _, err := f.alerts.CreateWebhook(ctx, f.wsA.ID, "https://a.example.com/hook", []string{"*"})
	if err != nil {
		t.Fatal(err)
	}
	c := f.settingsAs("admin")
	rp, wp := fmt.Sprintf("/settings/rules/%d", ruleB.ID), fmt.Sprintf("/settings/webhooks/%d", epB.ID)
	for _, p := range []string{rp, wp} {
		wantStatus(t, c.get(p), http.StatusNotFound)
	}
	for _, p := range []string{rp, rp + "/enabled", rp + "/delete", rp + "/test", wp + "/rotate", wp + "/test", wp + "/enabled", wp + "/delete",
		fmt.Sprintf("%s/deliveries/%d/retry", wp, dsB[0].JobID),
		fmt.Sprintf("/settings/webhooks/%d/deliveries/%d/retry", epA.ID, dsB[0].JobID)} {
		form := detractorRuleForm()
		res := c.send(p, form)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("POST %s: %d, want 404", p, res.StatusCode)
		}
		mustNotContain(t, res.Body, "B rule", "b.example.com", secretB)
	}
	mustNotContain(t, c.get("/settings/rules").Body, "B rule")
	mustNotContain(t, c.get("/settings/webhooks").Body, "b.example.com")
	if ru, err := f.db.Rule(ctx, f.wsB.ID, ruleB.ID); err != nil || ru.Name != "B rule" || !ru.Enabled {
		t.Errorf("B's rule changed: %+v %v", ru, err)
	}
	ep, err := f.db.Webhook(ctx, f.wsB.ID, epB.ID)
	if err != nil || ep.Secret != secretB || ep.Disabled {
		t.Errorf("B's endpoint changed: %+v %v", ep, err)
	}
	if j, _ := f.db.Job(ctx, f.wsB.ID, dsB[0].JobID); j.Status != store.JobDead {
		t.Errorf("B's dead letter was retried: %+v", j)
	}
}

// TestSettingsRolesAndCSRF: only owners and admins reach settings, and a
// POST without the CSRF token is refused before anything is stored.
func TestSettingsRolesAndCSRF(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, role := range []string{store.RoleManager, store.RoleAgent, store.RoleViewer, store.RoleEmployee} {
		c := f.settingsAs(role)
		for _, p := range []string{"/settings", "/settings/rules", "/settings/rules/new", "/settings/webhooks", "/settings/channels", "/settings/topics"} {
			if res := c.get(p); res.StatusCode != http.StatusForbidden {
				t.Errorf("%s GET %s: %d", role, p, res.StatusCode)
			}
		}
		if res := c.send("/settings/rules", detractorRuleForm()); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST rule: %d", role, res.StatusCode)
		}
		if res := c.send("/settings/webhooks", url.Values{"url": {"https://x.example.com/"}, "events": {"*"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST webhook: %d", role, res.StatusCode)
		}
		if res := c.send("/settings/channels", url.Values{"throttle_days": {"3"}}); res.StatusCode != http.StatusForbidden {
			t.Errorf("%s POST channels: %d", role, res.StatusCode)
		}
	}
	c := f.settingsAs("admin")
	for p, form := range map[string]url.Values{
		"/settings/rules":    detractorRuleForm(),
		"/settings/webhooks": {"url": {"https://x.example.com/"}, "events": {"*"}},
		"/settings/channels": {"throttle_days": {"3"}},
	} {
		if res := c.post(p, form); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without CSRF: %d", p, res.StatusCode)
		}
		form.Set("csrf", "forged")
		if res := c.post(p, form); res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s with a wrong CSRF token: %d", p, res.StatusCode)
		}
	}
	rules, _ := f.db.Rules(ctx, f.wsA.ID)
	eps, _ := f.db.Webhooks(ctx, f.wsA.ID)
	st, _ := f.surveys.Settings(ctx, f.wsA.ID)
	if len(rules) != 0 || len(eps) != 0 || st.ThrottleDays == 3 {
		t.Fatalf("refused posts stored something: %d rules, %d endpoints, %+v", len(rules), len(eps), st)
	}
}

// TestChannelSettings edits contact rules and accounts; tokens are stored
// but never rendered, kept when left empty and removed when cleared.
func TestChannelSettings(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := f.settingsAs("admin")
	form := url.Values{"throttle_days": {"14"}, "quiet_start": {"22"}, "quiet_end": {"8"}, "email_from": {"Acme Care <care@acme.example>"},
		"sms_base_url": {"https://sms.example.com/api"}, "sms_user": {"acme"}, "sms_sender": {"ACME"}, "sms_token": {"sms-SECRET-1"},
		"telegram_token": {"123:BOT-SECRET"}, "telegram_secret": {"tg-hook-SECRET"}, "keywords": {"acme, доставка\n快递"}}
	res := c.send("/settings/channels", form)
	wantStatus(t, res, http.StatusSeeOther)
	st, err := f.surveys.Settings(ctx, f.wsA.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := survey.Settings{ThrottleDays: 14, QuietHours: survey.QuietHours{Start: 22, End: 8}, EmailFrom: "Acme Care <care@acme.example>",
		SMS:      survey.SMSAccount{BaseURL: "https://sms.example.com/api", User: "acme", Token: "sms-SECRET-1", Sender: "ACME"},
		Telegram: survey.TelegramAccount{Token: "123:BOT-SECRET", WebhookSecret: "tg-hook-SECRET", Keywords: []string{"acme", "доставка", "快递"}}}
	if fmt.Sprint(st) != fmt.Sprint(want) {
		t.Fatalf("stored %+v\nwant %+v", st, want)
	}
	page := c.get("/settings/channels?done=saved")
	mustContain(t, page.Body, "Saved.", `value="14"`, `<option value="22" selected>`, "sms.example.com", "acme, доставка, 快递", ">set<")
	mustNotContain(t, page.Body, "SECRET")

	// Empty secret fields keep the tokens; "remove it" clears one.
	form = url.Values{"throttle_days": {"7"}, "quiet_start": {"0"}, "quiet_end": {"0"}, "telegram_secret_clear": {"1"}}
	wantStatus(t, c.send("/settings/channels", form), http.StatusSeeOther)
	st, _ = f.surveys.Settings(ctx, f.wsA.ID)
	if st.ThrottleDays != 7 || st.SMS.Token != "sms-SECRET-1" || st.Telegram.Token != "123:BOT-SECRET" || st.Telegram.WebhookSecret != "" || st.EmailFrom != "" {
		t.Fatalf("after keep/clear: %+v", st)
	}

	// Invalid input: the reason on the field, nothing changed.
	for _, bad := range []struct {
		form url.Values
		want string
	}{
		{url.Values{"throttle_days": {"400"}}, "Enter a whole number of days from 0 to 365."},
		{url.Values{"throttle_days": {"two"}}, "Enter a whole number of days from 0 to 365."},
		{url.Values{"throttle_days": {"3"}, "email_from": {"not an address"}}, "This is not an email address."},
		{url.Values{"throttle_days": {"3"}, "sms_base_url": {"file:///etc/passwd"}}, "Enter an http or https address"},
		{url.Values{"throttle_days": {"3"}, "quiet_start": {"25"}}, "Quiet hours must be hours from 0 to 23."},
	} {
		res := c.send("/settings/channels", bad.form)
		wantStatus(t, res, http.StatusUnprocessableEntity)
		mustContain(t, res.Body, bad.want)
		mustNotContain(t, res.Body, "SECRET")
	}
	if after, _ := f.surveys.Settings(ctx, f.wsA.ID); fmt.Sprint(after) != fmt.Sprint(st) {
		t.Fatalf("invalid input changed settings: %+v", after)
	}
}

// TestRuleFormRoundTrip reads stored rules into the editor and back: what
// the form can show survives unchanged, and what it cannot is flagged.
func TestRuleFormRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		conds, acts string
		lossy       bool
	}{
		{`[{"field":"nps","op":"lte","value":6},{"field":"topic","op":"in","value":["delivery","returns"]},
			{"field":"customer.plan","op":"eq","value":"gold"},{"field":"text","op":"regex","value":"late|slow"},
			{"field":"sentiment_score","op":"lt","value":-0.5},{"field":"segment","op":"exists"}]`,
			`[{"type":"tag","tags":["vip","late"]},{"type":"open_case","sla_hours":4.5,"owner":"round_robin","team":"Care"},
			{"type":"notify","channel":"email","to":["owner","cx@example.com"]},{"type":"notify","channel":"telegram","chat_id":"-100"},
			{"type":"notify","channel":"slack","url":"https://hooks.slack.example/T/B/X"},{"type":"webhook"}]`, false},
		{`[{"field":"nps","op":"lte","value":6}]`,
			`[{"type":"notify","channel":"slack","url":"https://a.example/1"},{"type":"notify","channel":"slack","url":"https://a.example/2"}]`, true},
		{`[{"field":"nps","op":"lte","value":6}]`, `[{"type":"assign","owner":"account_owner"}]`, true},
	} {
		ru := store.Rule{ID: 1, Name: "r", Enabled: true, Match: "any", Conditions: json.RawMessage(tc.conds), Actions: json.RawMessage(tc.acts)}
		f, err := ruleFormOf(ru)
		if err != nil {
			t.Fatal(err)
		}
		if f.Lossy != tc.lossy {
			t.Errorf("%s: lossy %v, want %v", tc.acts, f.Lossy, tc.lossy)
		}
		if tc.lossy {
			continue
		}
		// Through the form's own inputs, as a browser would post them.
		v := url.Values{"name": {f.Name}, "match": {f.Match}, "enabled": {"1"}, "tags": {f.Tags}, "sla_hours": {f.SLAHours},
			"owner": {f.Owner}, "team": {f.Team}, "employee_id": {f.EmployeeID}, "email_to": {f.EmailTo}, "chat_id": {f.ChatID}}
		for _, c := range f.Conds {
			v.Add("cond_field", c.Field)
			v.Add("cond_op", c.Op)
			v.Add("cond_value", c.Value)
		}
		for key, on := range map[string]bool{"act_tag": f.Tag, "act_case": f.Case, "act_email": f.Email, "act_telegram": f.Telegram,
			"act_slack": f.Slack, "act_webhook": f.Webhook} {
			if on {
				v.Set(key, "1")
			}
		}
		back := parseRuleForm(v)
		back.slackStored = f.slackStored
		spec, _, _, ok := back.spec()
		if !ok {
			t.Fatalf("spec: %v", back.Errors)
		}
		if _, err := alert.Compile(spec, nil); err != nil {
			t.Fatalf("round trip does not compile: %v", err)
		}
		var wantConds, wantActs any
		_ = json.Unmarshal([]byte(tc.conds), &wantConds)
		_ = json.Unmarshal([]byte(tc.acts), &wantActs)
		gotConds, _ := json.Marshal(spec.Conditions)
		gotActs, _ := json.Marshal(spec.Actions)
		var gc, ga any
		_ = json.Unmarshal(gotConds, &gc)
		_ = json.Unmarshal(gotActs, &ga)
		if fmt.Sprint(gc) != fmt.Sprint(wantConds) {
			t.Errorf("conditions:\n got %v\nwant %v", gc, wantConds)
		}
		if fmt.Sprint(ga) != fmt.Sprint(wantActs) {
			t.Errorf("actions:\n got %v\nwant %v", ga, wantActs)
		}
	}
}
