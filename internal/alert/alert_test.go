package alert_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/channel/notify"
	"vox/internal/channel/notify/notifytest"
	"vox/internal/channel/webhook"
	"vox/internal/jobs"
	"vox/internal/store"
	"vox/internal/testutil"
)

// clock is a fake time source shared by the service and the worker.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type harness struct {
	t      *testing.T
	db     *store.DB
	svc    *alert.Service
	worker *jobs.Worker
	ws     store.Workspace
}

func newHarness(t *testing.T, db *store.DB, opt alert.Options) *harness {
	t.Helper()
	ws, err := db.CreateWorkspace(context.Background(), "acme", "Acme", "UTC")
	if err != nil {
		t.Fatal(err)
	}
	w := &jobs.Worker{DB: db, Schedule: []time.Duration{20 * time.Millisecond}, Poll: 10 * time.Millisecond, Now: opt.Now}
	if opt.Webhooks == nil {
		opt.Webhooks = &webhook.Sender{Guard: &webhook.Guard{Allow: webhook.LoopbackOnly}, Timeout: 2 * time.Second}
	}
	opt.Wake = w.Notify
	svc := alert.New(db, opt)
	svc.Register(w)
	db.AddFeedbackHook(svc.OnFeedback)
	return &harness{t: t, db: db, svc: svc, worker: w, ws: ws}
}

func (h *harness) run() {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = h.worker.Run(ctx); close(done) }()
	h.t.Cleanup(func() { cancel(); <-done })
}

func (h *harness) rule(body string) store.Rule {
	h.t.Helper()
	var spec alert.RuleSpec
	if err := json.Unmarshal([]byte(body), &spec); err != nil {
		h.t.Fatal(err)
	}
	r, err := h.svc.CreateRule(context.Background(), h.ws.ID, spec)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func ptr[T any](v T) *T { return &v }

func (h *harness) ingest(items ...store.NewFeedback) []int64 {
	h.t.Helper()
	for i := range items {
		if items[i].Item.Kind == "" {
			items[i].Item.Kind = "survey_response"
		}
		if items[i].Item.Channel == "" {
			items[i].Item.Channel = "email"
		}
		if items[i].Item.OccurredAt.IsZero() {
			items[i].Item.OccurredAt = time.Now()
		}
	}
	res, err := h.db.InsertFeedback(context.Background(), h.ws.ID, items, nil)
	if err != nil {
		h.t.Fatal(err)
	}
	h.worker.Notify()
	return res.IDs
}

func detractor(text, email string, nps int) store.NewFeedback {
	return store.NewFeedback{Item: store.FeedbackItem{Text: text, NPS: &nps, Segment: "vip", ExternalID: "ext-" + email},
		Customer: store.CustomerInput{Identities: []store.Identity{{Kind: "email", Value: email}}, Name: "Anna", Segment: "vip"}}
}

// delivery is one request a receiver got.
type delivery struct {
	ID, Timestamp, Signature string
	Body                     []byte
	Status                   int
}

// receiver is a local webhook endpoint that fails the first failFirst
// attempts of every message (as a receiver that is down would) and
// verifies signatures with an independent implementation of the spec.
type receiver struct {
	t         *testing.T
	srv       *httptest.Server
	mu        sync.Mutex
	secret    string
	failFirst int
	status    int // answer while failing; default 503
	attempts  map[string]int
	got       []delivery
	bad       int
	notify    chan struct{}
}

func newReceiver(t *testing.T, failFirst int) *receiver {
	r := &receiver{t: t, failFirst: failFirst, attempts: map[string]int{}, notify: make(chan struct{}, 1000)}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	d := delivery{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"),
		Signature: req.Header.Get("webhook-signature"), Body: body}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !verifySignature(r.secret, d) {
		r.bad++
	}
	r.attempts[d.ID]++
	d.Status = 200
	if r.attempts[d.ID] <= r.failFirst {
		d.Status = r.status
		if d.Status == 0 {
			d.Status = 503
		}
	}
	r.got = append(r.got, d)
	w.WriteHeader(d.Status)
	select {
	case r.notify <- struct{}{}:
	default:
	}
}

// verifySignature recomputes the Standard Webhooks signature by hand:
// base64(HMAC-SHA256(key, "<webhook-id>.<webhook-timestamp>.<body>")) with
// key = base64-decoded secret after "whsec_", compared with every
// space-separated "v1,<sig>" entry.
func verifySignature(secret string, d delivery) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(d.ID + "." + d.Timestamp + "."))
	mac.Write(d.Body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, s := range strings.Fields(d.Signature) {
		if hmac.Equal([]byte(s), []byte(want)) {
			return true
		}
	}
	return false
}

func (r *receiver) delivered() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []delivery
	for _, d := range r.got {
		if d.Status == 200 {
			out = append(out, d)
		}
	}
	return out
}

func (r *receiver) waitDelivered(n int) []delivery {
	r.t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		if got := r.delivered(); len(got) >= n {
			return got
		}
		select {
		case <-r.notify:
		case <-time.After(50 * time.Millisecond):
		case <-deadline:
			r.t.Fatalf("only %d of %d messages delivered", len(r.delivered()), n)
		}
	}
}

func eventType(d delivery) string {
	var e struct{ Type string }
	_ = json.Unmarshal(d.Body, &e)
	return e.Type
}

// TestDetractorWebhookSurvivesReceiverOutage: a VIP detractor fires a rule;
// the receiver is down for the first two attempts of every message; all
// events arrive, each under one webhook-id across its retries, signed
// verifiably, and none is delivered twice.
func TestDetractorWebhookSurvivesReceiverOutage(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db, alert.Options{})
		rcv := newReceiver(t, 2)
		ep, secret, err := h.svc.CreateWebhook(context.Background(), h.ws.ID, rcv.srv.URL, []string{"*"})
		if err != nil {
			t.Fatal(err)
		}
		rcv.secret = secret
		h.rule(`{"name":"VIP detractor","match":"all","conditions":[{"field":"nps","op":"lte","value":6},{"field":"segment","op":"eq","value":"vip"}],
			"actions":[{"type":"webhook"},{"type":"open_case","sla_hours":24},{"type":"tag","tags":["vip-detractor"]}]}`)
		h.run()
		ids := h.ingest(detractor("Курьер опоздал, 很差", "anna@example.com", 2))
		// Promoters fire nothing but feedback.created/response.created.
		h.ingest(store.NewFeedback{Item: store.FeedbackItem{Text: "great", NPS: ptr(10), ExternalID: "p1"}})

		// Detractor: feedback.created, response.created, alert.triggered,
		// case.created; promoter: feedback.created, response.created.
		got := rcv.waitDelivered(6)
		time.Sleep(200 * time.Millisecond) // anything extra would show up now
		got = rcv.delivered()
		if len(got) != 6 {
			t.Fatalf("%d deliveries, want 6", len(got))
		}
		seen := map[string]bool{}
		types := map[string]int{}
		for _, d := range got {
			if seen[d.ID] {
				t.Fatalf("message %s delivered twice", d.ID)
			}
			seen[d.ID] = true
			types[eventType(d)]++
			if rcv.attempts[d.ID] != 3 {
				t.Errorf("message %s: %d attempts under its id, want 3 (2 failures + success)", d.ID, rcv.attempts[d.ID])
			}
		}
		if rcv.bad != 0 {
			t.Fatalf("%d requests failed independent signature verification", rcv.bad)
		}
		for typ, n := range map[string]int{"feedback.created": 2, "response.created": 2, "alert.triggered": 1, "case.created": 1} {
			if types[typ] != n {
				t.Errorf("%s delivered %d times, want %d (%v)", typ, types[typ], n, types)
			}
		}
		// alert.triggered carries the whole item, the customer and the case.
		for _, d := range got {
			if eventType(d) != "alert.triggered" {
				continue
			}
			var ev struct {
				Type string
				Data struct {
					Item     store.FeedbackItem
					Customer store.Customer
					Case     store.Case
					Rule     alert.RuleRef
				}
			}
			if err := json.Unmarshal(d.Body, &ev); err != nil {
				t.Fatal(err)
			}
			it := ev.Data.Item
			if it.ID != ids[0] || it.Text != "Курьер опоздал, 很差" || it.NPS == nil || *it.NPS != 2 || it.Segment != "vip" ||
				it.ExternalID != "ext-anna@example.com" || len(it.Tags) != 1 || it.Tags[0] != "vip-detractor" {
				t.Errorf("item payload %+v", it)
			}
			if ev.Data.Customer.Segment != "vip" || len(ev.Data.Customer.Identities) != 1 || ev.Data.Customer.Identities[0].Value != "anna@example.com" {
				t.Errorf("customer payload %+v", ev.Data.Customer)
			}
			if ev.Data.Case.ID == 0 || ev.Data.Case.Status != "open" || ev.Data.Rule.Name != "VIP detractor" {
				t.Errorf("case/rule payload %+v %+v", ev.Data.Case, ev.Data.Rule)
			}
		}
		health, err := db.Webhook(context.Background(), h.ws.ID, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if health.Successes != 6 || health.Failures != 12 || health.FailingSince != nil || health.Disabled {
			t.Errorf("endpoint health %+v", health)
		}
		cases, _ := h.svc.ListCases(context.Background(), h.ws.ID, store.CaseFilter{})
		if len(cases) != 1 || *cases[0].FeedbackID != ids[0] {
			t.Fatalf("cases %+v", cases)
		}
		it, _ := db.Feedback(context.Background(), h.ws.ID, ids[0])
		if len(it.Tags) != 1 || it.Tags[0] != "vip-detractor" {
			t.Errorf("stored tags %v", it.Tags)
		}
	})
}

// TestEndpointFailureModes covers 410 (disable at once), Retry-After on
// 429, slow receivers timing out, and auto-disable after a long failure
// streak with an admin notification.
func TestEndpointFailureModes(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := &clock{t: time.Now()}
		smtp := notifytest.NewSMTPServer(t)
		h := newHarness(t, db, alert.Options{Now: clk.Now, AutoDisableAfter: 48 * time.Hour,
			Mailer:   &notify.Mailer{Addr: smtp.Addr, From: "vox@example.com"},
			Webhooks: &webhook.Sender{Guard: &webhook.Guard{Allow: webhook.LoopbackOnly}, Timeout: 200 * time.Millisecond}})
		u, _ := db.CreateUser(ctx, "admin@example.com", "Admin", "", "en")
		if err := db.AddMember(ctx, h.ws.ID, u.ID, "admin"); err != nil {
			t.Fatal(err)
		}
		status, retryAfter, sleep := 410, "", time.Duration(0)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(sleep)
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(status)
		}))
		defer srv.Close()
		ep, _, err := h.svc.CreateWebhook(ctx, h.ws.ID, srv.URL, []string{"feedback.created"})
		if err != nil {
			t.Fatal(err)
		}
		runOnce := func() {
			t.Helper()
			if _, err := h.worker.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		lastJob := func() store.Job {
			t.Helper()
			js, err := db.Jobs(ctx, h.ws.ID, "pending", "webhook.", 1)
			if err == nil && len(js) == 1 {
				return js[0]
			}
			js, err = db.Jobs(ctx, h.ws.ID, "dead", "webhook.", 1)
			if err != nil || len(js) != 1 {
				t.Fatalf("no job: %v", err)
			}
			return js[0]
		}

		// 410 Gone: the endpoint is disabled and the delivery dead at once.
		h.ingest(store.NewFeedback{Item: store.FeedbackItem{Text: "a", ExternalID: "a"}})
		runOnce()
		if j := lastJob(); j.Status != "dead" {
			t.Fatalf("410: job %s", j.Status)
		}
		got, _ := db.Webhook(ctx, h.ws.ID, ep.ID)
		if !got.Disabled || !strings.Contains(got.DisabledReason, "410") {
			t.Fatalf("410 did not disable: %+v", got)
		}
		if err := h.svc.SetWebhookEnabled(ctx, h.ws.ID, ep.ID, true); err != nil {
			t.Fatal(err)
		}

		// 429 with Retry-After: the next attempt waits at least that long.
		status, retryAfter = 429, "3600"
		h.ingest(store.NewFeedback{Item: store.FeedbackItem{Text: "b", ExternalID: "b"}})
		runOnce()
		j := lastJob()
		if j.Status != "pending" || j.RunAt.Before(clk.Now().Add(59*time.Minute)) {
			t.Fatalf("429: job %s run at %v (now %v)", j.Status, j.RunAt, clk.Now())
		}

		// A slow receiver times out and the job is retried.
		status, retryAfter, sleep = 200, "", 2*time.Second
		clk.Set(clk.Now().Add(2 * time.Hour))
		start := time.Now()
		runOnce()
		if el := time.Since(start); el > 1500*time.Millisecond {
			t.Fatalf("slow receiver held the worker %v", el)
		}
		j = lastJob()
		if j.Status != "pending" || !strings.Contains(j.LastError, "Timeout") && !strings.Contains(j.LastError, "deadline") {
			t.Fatalf("slow receiver: %s %q", j.Status, j.LastError)
		}

		// Failing for longer than AutoDisableAfter: disabled, admins told.
		sleep, status = 0, 500
		clk.Set(clk.Now().Add(49 * time.Hour))
		runOnce()
		got, _ = db.Webhook(ctx, h.ws.ID, ep.ID)
		if !got.Disabled || !strings.Contains(got.DisabledReason, "failing since") {
			t.Fatalf("not auto-disabled: %+v", got)
		}
		runOnce() // the admin email job
		msgs := smtp.Messages()
		if len(msgs) != 2 || msgs[1].To[0] != "admin@example.com" || !strings.Contains(msgs[1].Body, "failing since") {
			t.Fatalf("admin not notified: %+v", msgs)
		}
		alerts, _ := db.Alerts(ctx, h.ws.ID, "webhook_disabled", 0, 10)
		if len(alerts) != 2 {
			t.Fatalf("%d webhook_disabled alerts, want 2 (410 and streak)", len(alerts))
		}
		// Dead letters can be retried once the endpoint is back.
		dead, _ := db.Jobs(ctx, h.ws.ID, "dead", "webhook.", 10)
		if len(dead) != 2 {
			t.Fatalf("%d dead letters", len(dead))
		}
	})
}
