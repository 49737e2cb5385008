package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/api"
	"vox/internal/channel/webhook"
	"vox/internal/ingest"
	"vox/internal/jobs"
	"vox/internal/store"
	"vox/internal/testutil"
)

// newAlertEnv is newEnv with the acting service wired as cmd/vox wires it:
// the feedback hook, the worker woken after each commit, and a guard that
// allows loopback when allowLoopback is set (as `vox demo` does).
func newAlertEnv(t *testing.T, db *store.DB, allowLoopback bool) (*testEnv, *alert.Service, *jobs.Worker) {
	t.Helper()
	ctx := context.Background()
	ws, err := db.CreateWorkspace(ctx, "acme", "Acme", "Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	_, key, err := db.CreateAPIKey(ctx, ws.ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	w := &jobs.Worker{DB: db, Schedule: []time.Duration{20 * time.Millisecond}, Poll: 20 * time.Millisecond}
	guard := &webhook.Guard{}
	if allowLoopback {
		guard.Allow = webhook.LoopbackOnly
	}
	svc := alert.New(db, alert.Options{Webhooks: &webhook.Sender{Guard: guard, Timeout: 2 * time.Second}, Wake: w.Notify})
	svc.Register(w)
	db.AddFeedbackHook(svc.OnFeedback)
	a := api.New(db, &ingest.Service{DB: db, OnStored: func(int64, []store.FeedbackItem) { w.Notify() }}, nil, nil)
	a.SetAlerts(svc)
	srv := httptest.NewServer(a.Handler())
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { _ = w.Run(runCtx); close(done) }()
	t.Cleanup(func() { cancel(); <-done; srv.Close() })
	return &testEnv{t: t, db: db, srv: srv, ws: ws, key: key}, svc, w
}

// hookReceiver records deliveries and checks each signature against the
// secrets it has been told, recomputed here per the Standard Webhooks spec.
type hookReceiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	secrets []string
	got     []hookDelivery
	arrived chan hookDelivery
}

type hookDelivery struct {
	ID, Timestamp string
	Signatures    []string
	Body          []byte
	Verified      map[string]bool // secret → one of the signatures matches
	At            time.Time
}

func newHookReceiver(t *testing.T) *hookReceiver {
	r := &hookReceiver{arrived: make(chan hookDelivery, 100000)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		d := hookDelivery{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"),
			Signatures: strings.Fields(req.Header.Get("webhook-signature")), Body: body, Verified: map[string]bool{}, At: time.Now()}
		r.mu.Lock()
		for _, s := range r.secrets {
			key, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(s, "whsec_"))
			m := hmac.New(sha256.New, key)
			m.Write([]byte(d.ID + "." + d.Timestamp + "." + string(body)))
			want := "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
			for _, sig := range d.Signatures {
				if sig == want {
					d.Verified[s] = true
				}
			}
		}
		r.got = append(r.got, d)
		r.mu.Unlock()
		r.arrived <- d
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) trust(secret string) {
	r.mu.Lock()
	r.secrets = append(r.secrets, secret)
	r.mu.Unlock()
}

func (r *hookReceiver) next(t *testing.T, eventType string) (hookDelivery, map[string]any) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case d := <-r.arrived:
			var ev map[string]any
			_ = json.Unmarshal(d.Body, &ev)
			if ev["type"] == eventType {
				return d, ev
			}
		case <-timeout:
			t.Fatalf("no %s delivery", eventType)
		}
	}
}

func id(r response) int64 {
	v, _ := r.JSON["id"].(float64)
	return int64(v)
}

func TestRulesWebhooksCasesAPI(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e, _, _ := newAlertEnv(t, db, true)
		rcv := newHookReceiver(t)
		r := e.do("POST", "/api/v1/webhooks", map[string]any{"url": rcv.srv.URL, "events": []string{"alert.triggered", "case.updated", "case.resolved"}})
		if r.Status != 201 {
			t.Fatalf("create webhook: %d %s", r.Status, r.Raw)
		}
		secret, _ := r.JSON["secret"].(string)
		if !strings.HasPrefix(secret, "whsec_") || id(r) == 0 {
			t.Fatalf("create webhook: %s", r.Raw)
		}
		rcv.trust(secret)
		hookID := id(r)
		if l := e.do("GET", "/api/v1/webhooks", nil); strings.Contains(string(l.Raw), secret) || l.Status != 200 {
			t.Fatalf("secret listed: %s", l.Raw)
		}

		r = e.do("POST", "/api/v1/rules", `{"name":"VIP detractor","match":"all","conditions":[{"field":"nps","op":"lte","value":6},
			{"field":"segment","op":"eq","value":"vip"}],"actions":[{"type":"webhook"},{"type":"open_case","sla_hours":24}]}`)
		if r.Status != 201 {
			t.Fatalf("create rule: %d %s", r.Status, r.Raw)
		}
		ruleID := id(r)
		for body, field := range map[string]string{
			`{"name":"x","conditions":[{"field":"nps","op":"lte","value":"low"}],"actions":[{"type":"webhook"}]}`: "conditions[0].value",
			`{"name":"x","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"call"}]}`:        "actions[0].type",
			`{"name":"x","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[],"extra":1}`:             "extra",
		} {
			if r := e.do("POST", "/api/v1/rules", body); r.Status/100 != 4 || r.ErrorField() != field {
				t.Errorf("%s: %d field %q, want %s", body, r.Status, r.ErrorField(), field)
			}
		}

		start := time.Now()
		r = e.do("POST", "/api/v1/feedback", `{"text":"Ужасная доставка","nps":2,"segment":"vip","external_id":"r-1","customer":{"email":"vip@example.com"}}`)
		if r.Status != 201 {
			t.Fatalf("feedback: %d %s", r.Status, r.Raw)
		}
		itemID := id(r)
		d, ev := rcv.next(t, "alert.triggered")
		t.Logf("detractor → signed webhook in %v", time.Since(start))
		if !d.Verified[secret] || !strings.HasPrefix(d.ID, "msg_") {
			t.Fatalf("delivery not verified: %+v", d)
		}
		data := ev["data"].(map[string]any)
		item := data["item"].(map[string]any)
		if int64(item["id"].(float64)) != itemID || item["text"] != "Ужасная доставка" || item["external_id"] != "r-1" {
			t.Fatalf("payload item %v", item)
		}
		if cust, _ := data["customer"].(map[string]any); cust == nil || !strings.Contains(fmt.Sprint(cust["identities"]), "vip@example.com") {
			t.Fatalf("payload customer %v", data["customer"])
		}

		r = e.do("GET", "/api/v1/cases?status=open", nil)
		items, _ := r.JSON["items"].([]any)
		if r.Status != 200 || len(items) != 1 {
			t.Fatalf("cases: %d %s", r.Status, r.Raw)
		}
		caseID := int64(items[0].(map[string]any)["id"].(float64))
		r = e.do("PATCH", fmt.Sprintf("/api/v1/cases/%d", caseID), map[string]any{"status": "in_progress", "actor": "oleg"})
		if r.Status != 200 || r.JSON["status"] != "in_progress" || r.JSON["first_action_at"] == nil {
			t.Fatalf("patch: %d %s", r.Status, r.Raw)
		}
		rcv.next(t, "case.updated")
		if r := e.do("PATCH", fmt.Sprintf("/api/v1/cases/%d", caseID), map[string]any{"status": "closed"}); r.Status != 422 || r.ErrorField() != "status" {
			t.Fatalf("bad status: %d %s", r.Status, r.Raw)
		}
		if r := e.do("POST", fmt.Sprintf("/api/v1/cases/%d/notes", caseID), map[string]any{"body": "called the customer"}); r.Status != 201 {
			t.Fatalf("note: %d %s", r.Status, r.Raw)
		}
		if r := e.do("POST", fmt.Sprintf("/api/v1/cases/%d/reply", caseID), map[string]any{"text": "sorry"}); r.Status != 422 || r.ErrorCode() != "no_reply_channel" {
			t.Fatalf("reply without mailer: %d %s", r.Status, r.Raw)
		}
		r = e.do("PATCH", fmt.Sprintf("/api/v1/cases/%d", caseID), map[string]any{"status": "resolved", "root_cause": "courier"})
		if r.Status != 200 || r.JSON["resolved_at"] == nil || r.JSON["root_cause"] != "courier" || len(r.JSON["events"].([]any)) != 4 {
			t.Fatalf("resolve: %d %s", r.Status, r.Raw)
		}
		rcv.next(t, "case.resolved")

		r = e.do("POST", fmt.Sprintf("/api/v1/rules/%d/test?from=%s", ruleID, time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)), nil)
		if r.Status != 200 || r.JSON["matched"] != 1.0 || r.JSON["evaluated"] != 1.0 {
			t.Fatalf("rule test: %d %s", r.Status, r.Raw)
		}
		if r := e.do("GET", "/api/v1/alerts?kind=rule", nil); len(r.JSON["items"].([]any)) != 1 {
			t.Fatalf("alerts: %s", r.Raw)
		}

		// Rotation: both secrets sign until the overlap ends.
		r = e.do("POST", fmt.Sprintf("/api/v1/webhooks/%d/rotate", hookID), nil)
		newSecret, _ := r.JSON["secret"].(string)
		if r.Status != 200 || newSecret == secret || r.JSON["previous_secret_valid_until"] == nil {
			t.Fatalf("rotate: %d %s", r.Status, r.Raw)
		}
		rcv.trust(newSecret)
		r = e.do("POST", fmt.Sprintf("/api/v1/webhooks/%d/test", hookID), nil)
		if r.Status != 202 {
			t.Fatalf("test event: %d %s", r.Status, r.Raw)
		}
		d, _ = rcv.next(t, "webhook.test")
		if len(d.Signatures) != 2 || !d.Verified[secret] || !d.Verified[newSecret] || d.ID != r.JSON["message_id"] {
			t.Fatalf("rotated delivery: %+v", d)
		}

		// Disabled endpoint: deliveries go to the dead letters, retried by hand.
		if r := e.do("PATCH", fmt.Sprintf("/api/v1/webhooks/%d", hookID), map[string]any{"disabled": true}); r.Status != 200 || r.JSON["disabled"] != true {
			t.Fatalf("disable: %d %s", r.Status, r.Raw)
		}
		e.do("POST", fmt.Sprintf("/api/v1/webhooks/%d/test", hookID), nil)
		var dead []any
		for deadline := time.Now().Add(5 * time.Second); len(dead) == 0 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			dead, _ = e.do("GET", "/api/v1/dead-letters?kind=webhook.", nil).JSON["items"].([]any)
		}
		if len(dead) != 1 {
			t.Fatalf("dead letters: %v", dead)
		}
		e.do("PATCH", fmt.Sprintf("/api/v1/webhooks/%d", hookID), map[string]any{"disabled": false})
		deadID := int64(dead[0].(map[string]any)["id"].(float64))
		if r := e.do("POST", fmt.Sprintf("/api/v1/dead-letters/%d/retry", deadID), nil); r.Status != 202 {
			t.Fatalf("retry: %d %s", r.Status, r.Raw)
		}
		rcv.next(t, "webhook.test")

		if r := e.do("DELETE", fmt.Sprintf("/api/v1/rules/%d", ruleID), nil); r.Status != 204 {
			t.Fatalf("delete rule: %d", r.Status)
		}
		if r := e.do("DELETE", fmt.Sprintf("/api/v1/webhooks/%d", hookID), nil); r.Status != 204 {
			t.Fatalf("delete webhook: %d", r.Status)
		}
	})
}

func TestWebhookURLsCheckedForSSRF(t *testing.T) {
	db := testutil.SQLite(t)
	e, _, _ := newAlertEnv(t, db, false)
	for _, u := range []string{"http://127.0.0.1:8080/hook", "http://localhost/hook", "http://169.254.169.254/latest/meta-data",
		"http://10.0.0.5/x", "http://[::1]/x", "http://[fd00::1]/x", "file:///etc/passwd", "http://user:pw@example.com/"} {
		if r := e.do("POST", "/api/v1/webhooks", map[string]any{"url": u, "events": []string{"*"}}); r.Status != 422 || r.ErrorField() != "url" {
			t.Errorf("%s: %d %s", u, r.Status, r.Raw)
		}
	}
	if r := e.do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.com/vox", "events": []string{"nope"}}); r.Status != 422 || r.ErrorField() != "events" {
		t.Errorf("bad event: %d %s", r.Status, r.Raw)
	}
	if r := e.do("POST", "/api/v1/webhooks", map[string]any{"url": "https://hooks.example.com/vox", "events": []string{"case.created"}}); r.Status != 201 {
		t.Errorf("public URL: %d %s", r.Status, r.Raw)
	}
	// With loopback allowed (vox demo), a local receiver is accepted.
	db2 := testutil.SQLite(t)
	e2, _, _ := newAlertEnv(t, db2, true)
	if r := e2.do("POST", "/api/v1/webhooks", map[string]any{"url": "http://127.0.0.1:8080/hook", "events": []string{"*"}}); r.Status != 201 {
		t.Errorf("allowed loopback: %d %s", r.Status, r.Raw)
	}
	if r := e2.do("POST", "/api/v1/webhooks", map[string]any{"url": "http://10.0.0.5/x", "events": []string{"*"}}); r.Status != 422 {
		t.Errorf("private beyond the allow-list: %d %s", r.Status, r.Raw)
	}
}

// TestAlertRoutesIsolated: workspace B gets 404 for every object of A.
func TestAlertRoutesIsolated(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		e, _, _ := newAlertEnv(t, db, true)
		rule := id(e.do("POST", "/api/v1/rules", `{"name":"secret rule","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"open_case"}]}`))
		e.do("POST", "/api/v1/feedback", `{"text":"A's secret complaint","nps":1,"customer":{"email":"vip@a.com"}}`)
		hook := id(e.do("POST", "/api/v1/webhooks", map[string]any{"url": "https://secret.example.com/h", "events": []string{"*"}}))
		var kase int64
		for deadline := time.Now().Add(5 * time.Second); kase == 0 && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
			if items, _ := e.do("GET", "/api/v1/cases", nil).JSON["items"].([]any); len(items) == 1 {
				kase = int64(items[0].(map[string]any)["id"].(float64))
			}
		}
		// A dead letter of A.
		jobIDs, err := db.EnqueueJobs(context.Background(), e.ws.ID, []store.NewJob{{Kind: "webhook.deliver", Payload: `{"body":"secret"}`}})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.RetryJob(context.Background(), jobIDs[0], fmt.Errorf("x"), time.Time{}); err != nil {
			t.Fatal(err)
		}
		if rule == 0 || hook == 0 || kase == 0 {
			t.Fatalf("setup: rule %d hook %d case %d", rule, hook, kase)
		}
		_, keyB := e.otherWorkspace("b")
		for _, c := range []struct {
			method, path string
			body         any
			want         int
		}{
			{"GET", fmt.Sprintf("/api/v1/rules/%d", rule), nil, 404},
			{"PUT", fmt.Sprintf("/api/v1/rules/%d", rule), `{"name":"x","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"webhook"}]}`, 404},
			{"DELETE", fmt.Sprintf("/api/v1/rules/%d", rule), nil, 404},
			{"POST", fmt.Sprintf("/api/v1/rules/%d/test", rule), nil, 404},
			{"GET", fmt.Sprintf("/api/v1/cases/%d", kase), nil, 404},
			{"PATCH", fmt.Sprintf("/api/v1/cases/%d", kase), map[string]any{"status": "resolved"}, 404},
			{"POST", fmt.Sprintf("/api/v1/cases/%d/notes", kase), map[string]any{"body": "x"}, 404},
			{"POST", fmt.Sprintf("/api/v1/cases/%d/reply", kase), map[string]any{"text": "x"}, 404},
			{"GET", fmt.Sprintf("/api/v1/webhooks/%d", hook), nil, 404},
			{"PATCH", fmt.Sprintf("/api/v1/webhooks/%d", hook), map[string]any{"disabled": true}, 404},
			{"POST", fmt.Sprintf("/api/v1/webhooks/%d/rotate", hook), nil, 404},
			{"POST", fmt.Sprintf("/api/v1/webhooks/%d/test", hook), nil, 404},
			{"DELETE", fmt.Sprintf("/api/v1/webhooks/%d", hook), nil, 404},
			{"POST", fmt.Sprintf("/api/v1/dead-letters/%d/retry", jobIDs[0]), nil, 404},
			{"GET", "/api/v1/rules", nil, 200},
			{"GET", "/api/v1/cases", nil, 200},
			{"GET", "/api/v1/alerts", nil, 200},
			{"GET", "/api/v1/webhooks", nil, 200},
			{"GET", "/api/v1/dead-letters", nil, 200},
		} {
			r := e.doKey(keyB, c.method, c.path, c.body)
			if r.Status != c.want {
				t.Errorf("B %s %s: %d, want %d: %s", c.method, c.path, r.Status, c.want, r.Raw)
			}
			for _, leak := range []string{"secret", "vip@a.com"} {
				if strings.Contains(string(r.Raw), leak) {
					t.Errorf("B %s %s leaked %q: %s", c.method, c.path, leak, r.Raw)
				}
			}
			if items, ok := r.JSON["items"].([]any); ok && len(items) != 0 {
				t.Errorf("B %s %s listed %d of A's objects", c.method, c.path, len(items))
			}
		}
		if r := e.do("GET", fmt.Sprintf("/api/v1/cases/%d", kase), nil); r.JSON["status"] != "open" {
			t.Fatalf("A's case changed: %s", r.Raw)
		}
		if r := e.do("GET", fmt.Sprintf("/api/v1/webhooks/%d", hook), nil); r.JSON["disabled"] != false {
			t.Fatalf("A's webhook changed: %s", r.Raw)
		}
	})
}
