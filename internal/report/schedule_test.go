package report_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"vox/internal/channel/email/emailtest"
	"vox/internal/channel/notify"
	"vox/internal/jobs"
	"vox/internal/report"
	"vox/internal/store"
	"vox/internal/testutil"
)

// clock is a settable fake time.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

func weeklyJobs(t *testing.T, db *store.DB, ws int64, status string) []store.Job {
	t.Helper()
	js, err := db.Jobs(context.Background(), ws, status, report.KindWeekly, 100)
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func subscribe(t *testing.T, db *store.DB, ws int64, in store.ReportSubscription) store.ReportSubscription {
	t.Helper()
	s, err := db.CreateReportSubscription(context.Background(), ws, in, store.AuditActor{Name: "test"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// The scheduler queues one job per subscription and week once the
// subscription's weekday and hour have struck in the workspace's zone —
// however often it ticks and however many replicas run it.
func TestScheduleOncePerWeek(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, err := db.CreateWorkspace(ctx, "sched", "Sched", "Asia/Shanghai") // UTC+8
		if err != nil {
			t.Fatal(err)
		}
		sh, _ := time.LoadLocation("Asia/Shanghai")
		// Wednesday 2026-03-04 09:00 local is the time of the order.
		created := time.Date(2026, 2, 20, 12, 0, 0, 0, sh)
		sub := subscribe(t, db, ws.ID, store.ReportSubscription{Recipients: []string{"a@x.example"}, Lang: "zh", Weekday: 3, Hour: 9,
			Enabled: true, CreatedAt: created})
		late := subscribe(t, db, ws.ID, store.ReportSubscription{Recipients: []string{"b@x.example"}, Lang: "en", Weekday: 3, Hour: 9,
			Enabled: true, CreatedAt: time.Date(2026, 3, 4, 10, 0, 0, 0, sh)})
		subscribe(t, db, ws.ID, store.ReportSubscription{Recipients: []string{"c@x.example"}, Lang: "en", Weekday: 1, Hour: 0,
			Enabled: false, CreatedAt: created})

		clk := &clock{}
		a := &report.Scheduler{DB: db, Now: clk.Now}
		b := &report.Scheduler{DB: db, Now: clk.Now} // a second replica
		tick := func(at time.Time) {
			t.Helper()
			clk.Set(at)
			for _, s := range []*report.Scheduler{a, b, a} {
				if err := s.Schedule(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
		tick(time.Date(2026, 3, 4, 8, 59, 0, 0, sh)) // a minute early
		if js := weeklyJobs(t, db, ws.ID, store.JobPending); len(js) != 0 {
			t.Fatalf("queued before its hour: %+v", js)
		}
		tick(time.Date(2026, 3, 4, 9, 0, 0, 0, sh))
		tick(time.Date(2026, 3, 6, 23, 0, 0, 0, sh)) // later the same week: nothing new
		js := weeklyJobs(t, db, ws.ID, store.JobPending)
		if len(js) != 1 || !strings.Contains(js[0].Payload, `"from":"2026-02-23"`) || !strings.Contains(js[0].Payload, `"to":"2026-03-01"`) ||
			js[0].DedupeKey != "report:"+itoa(sub.ID)+":2026-02-23" {
			t.Fatalf("first week: %+v", js)
		}
		// Next week both subscriptions are due: the late one got none the
		// week it was made after the time.
		tick(time.Date(2026, 3, 11, 9, 30, 0, 0, sh))
		tick(time.Date(2026, 3, 11, 9, 35, 0, 0, sh))
		js = weeklyJobs(t, db, ws.ID, store.JobPending)
		keys := map[string]bool{}
		for _, j := range js {
			keys[j.DedupeKey] = true
		}
		if len(js) != 3 || !keys["report:"+itoa(sub.ID)+":2026-03-02"] || !keys["report:"+itoa(late.ID)+":2026-03-02"] {
			t.Fatalf("second week: %v", keys)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// mailParts decodes a received message down to its leaf parts.
func mailParts(t *testing.T, raw []byte) (*mail.Message, map[string][]byte) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	var walk func(ctype string, body io.Reader)
	walk = func(ctype string, body io.Reader) {
		mt, params, err := mime.ParseMediaType(ctype)
		if err != nil {
			t.Fatal(err)
		}
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("%s: %v", mt, err)
			}
			pt := p.Header.Get("Content-Type")
			if strings.HasPrefix(pt, "multipart/") {
				walk(pt, p)
				continue
			}
			b, _ := io.ReadAll(p)
			if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
				if b, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(b)), "")); err != nil {
					t.Fatal(err)
				}
			}
			leaf, _, _ := mime.ParseMediaType(pt)
			if d, dp, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition")); d == "attachment" {
				leaf += ";" + dp["filename"]
			}
			out[leaf] = b
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body)
	return msg, out
}

// The job renders last full week's PDF and mails it through a real SMTP
// server: text and HTML with the KPIs, the PDF attached; the PDF's text
// names the workspace and the week. A rerun of the job after the send
// mails nothing more.
func TestWeeklyReportSentByEmail(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := seedReport(t, db) // UTC, "Acme <b>&</b>", answers 2025-05-01..14
		if err := db.PutSurveySettings(ctx, ws, `{"email_from":"Acme CX <cx@acme.example>"}`); err != nil {
			t.Fatal(err)
		}
		srv := emailtest.Start(t)
		clk := &clock{t: time.Date(2025, 5, 19, 8, 30, 0, 0, time.UTC)} // Monday
		s := &report.Scheduler{DB: db, Now: clk.Now, BaseURL: "https://vox.example/",
			Mailer: &notify.Mailer{Addr: srv.Addr, From: "Vox <vox@example.com>"}}
		w := &jobs.Worker{DB: db}
		s.Register(w)
		sub := subscribe(t, db, ws, store.ReportSubscription{Recipients: []string{"ceo@example.com", "cx@example.com"}, Lang: "ru",
			Weekday: 1, Hour: 8, Enabled: true, CreatedAt: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)})
		if err := s.Schedule(ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := w.RunOnce(ctx); err != nil || n != 1 {
			t.Fatalf("ran %d jobs: %v", n, err)
		}
		got := srv.Wait(1, 10*time.Second)
		if len(got) != 1 || got[0].From != "cx@acme.example" || strings.Join(got[0].To, ",") != "ceo@example.com,cx@example.com" {
			t.Fatalf("mail %+v", got)
		}
		msg, parts := mailParts(t, got[0].Data)
		subject, _ := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if !strings.Contains(subject, "2025-05-12 — 2025-05-18") || !strings.Contains(subject, "Acme <b>&</b>") {
			t.Errorf("subject %q", subject)
		}
		text, html := string(parts["text/plain"]), string(parts["text/html"])
		for _, want := range []string{"NPS: -100.0", "n = 1", "2025-05-12", "https://vox.example/reports"} {
			if !strings.Contains(text, want) {
				t.Errorf("text lacks %q:\n%s", want, text)
			}
		}
		if !strings.Contains(html, "Acme &lt;b&gt;&amp;&lt;/b&gt;") || strings.Contains(html, "<b>&</b>") {
			t.Errorf("workspace name not escaped in the HTML:\n%s", html)
		}
		pdf := parts["application/pdf;vox-report-"+itoa(ws)+"-2025-05-12-2025-05-18-ru.pdf"]
		if !bytes.HasPrefix(pdf, []byte("%PDF")) {
			t.Fatalf("no PDF attachment: parts %v", keysOf(parts))
		}
		pdfTxt := pdfText(t, pdf)
		for _, want := range []string{"Acme <b>&</b>", "2025-05-12", "2025-05-18", "Отчёт о клиентском опыте"} {
			if !strings.Contains(pdfTxt, want) {
				t.Errorf("PDF text lacks %q:\n%s", want, pdfTxt)
			}
		}
		after, err := db.ReportSubscription(ctx, ws, sub.ID)
		if err != nil || after.LastPeriod != "2025-05-12" || after.LastSentAt == nil || after.LastError != "" {
			t.Fatalf("subscription after send %+v %v", after, err)
		}

		// The worker died before marking the job done: its rerun (and any
		// later tick this week) sends nothing.
		if _, err := db.EnqueueJobs(ctx, ws, []store.NewJob{{Kind: report.KindWeekly, Payload: `{"subscription_id":` + itoa(sub.ID) +
			`,"from":"2025-05-12","to":"2025-05-18"}`}}); err != nil {
			t.Fatal(err)
		}
		clk.Set(clk.Now().Add(2 * time.Hour))
		if err := s.Schedule(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.Messages()); n != 1 {
			t.Fatalf("%d mails after the rerun", n)
		}

		// Send now: a double click queues one job, which mails at once
		// and leaves the schedule's week as it was.
		for range 2 {
			if _, err := s.SendNow(ctx, ws, sub.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if got := srv.Wait(2, 10*time.Second); len(got) != 2 {
			t.Fatalf("send now: %d mails", len(got))
		}
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if n := len(srv.Messages()); n != 2 {
			t.Fatalf("double click sent %d mails", n-1)
		}
		if _, err := s.SendNow(ctx, ws+1000, sub.ID); err == nil {
			t.Fatal("send now across workspaces accepted")
		}
	})
}

func keysOf(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A refused recipient is permanent: the job dies on its first attempt and
// the subscription says why. A server that cannot be reached is retried.
func TestWeeklyReportFailures(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := seedReport(t, db)
		srv := emailtest.Start(t)
		srv.Reject["gone@example.com"] = true
		clk := &clock{t: time.Date(2025, 5, 19, 9, 0, 0, 0, time.UTC)}
		mailer := &notify.Mailer{Addr: srv.Addr, From: "Vox <vox@example.com>"}
		s := &report.Scheduler{DB: db, Now: clk.Now, Mailer: mailer}
		w := &jobs.Worker{DB: db}
		s.Register(w)
		sub := subscribe(t, db, ws, store.ReportSubscription{Recipients: []string{"gone@example.com"}, Lang: "en",
			Weekday: 1, Hour: 8, Enabled: true, CreatedAt: time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC)})
		if err := s.Schedule(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		dead := weeklyJobs(t, db, ws, store.JobDead)
		if len(dead) != 1 || dead[0].Attempts != 1 {
			t.Fatalf("refused recipient: dead jobs %+v", dead)
		}
		got, _ := db.ReportSubscription(ctx, ws, sub.ID)
		if !strings.Contains(got.LastError, "rejected") || got.LastPeriod != "" {
			t.Fatalf("refusal not recorded: %+v", got)
		}

		// One of two refused: the other gets it; the refusal is noted.
		got.Recipients, got.UpdatedAt = []string{"gone@example.com", "ok@example.com"}, clk.Now()
		if err := db.UpdateReportSubscription(ctx, ws, got, store.AuditActor{Name: "test"}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SendNow(ctx, ws, sub.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if m := srv.Wait(1, 10*time.Second); len(m) != 1 || strings.Join(m[0].To, ",") != "ok@example.com" {
			t.Fatalf("partly refused: %+v", m)
		}
		got, _ = db.ReportSubscription(ctx, ws, sub.ID)
		if !strings.Contains(got.LastError, "gone@example.com") || got.LastSentAt == nil {
			t.Fatalf("partial refusal not noted: %+v", got)
		}

		// No server listening: retried later, the error is shown meanwhile.
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		mailer.Addr = ln.Addr().String()
		ln.Close()
		clk.Set(clk.Now().Add(time.Minute))
		if _, err := s.SendNow(ctx, ws, sub.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		pending := weeklyJobs(t, db, ws, store.JobPending)
		if len(pending) != 1 || pending[0].Attempts != 1 || !strings.Contains(pending[0].LastError, "dial") {
			t.Fatalf("unreachable server: pending %+v", pending)
		}
		got, _ = db.ReportSubscription(ctx, ws, sub.ID)
		if !strings.Contains(got.LastError, "dial") {
			t.Fatalf("transient error not shown: %+v", got)
		}

		// Without an SMTP server the send fails for good, saying so.
		off := &report.Scheduler{DB: db, Now: clk.Now}
		w2 := &jobs.Worker{DB: db}
		off.Register(w2)
		clk.Set(clk.Now().Add(time.Minute))
		if _, err := off.SendNow(ctx, ws, sub.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w2.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		got, _ = db.ReportSubscription(ctx, ws, sub.ID)
		if got.LastError != report.ErrEmailOff.Error() {
			t.Fatalf("email off: %+v", got)
		}
	})
}

func TestSubscriptionValidation(t *testing.T) {
	str := func(s string) *string { return &s }
	num := func(n int) *int { return &n }
	list := func(s ...string) *[]string { return &s }
	for _, c := range []struct {
		in    report.SubscriptionInput
		field string
	}{
		{report.SubscriptionInput{}, "recipients"},
		{report.SubscriptionInput{Recipients: list()}, "recipients"},
		{report.SubscriptionInput{Recipients: list("not-an-address")}, "recipients"},
		{report.SubscriptionInput{Recipients: list("a@x.org"), Lang: str("de")}, "lang"},
		{report.SubscriptionInput{Recipients: list("a@x.org"), Weekday: []byte(`0`)}, "weekday"},
		{report.SubscriptionInput{Recipients: list("a@x.org"), Weekday: []byte(`8`)}, "weekday"},
		{report.SubscriptionInput{Recipients: list("a@x.org"), Weekday: []byte(`"someday"`)}, "weekday"},
		{report.SubscriptionInput{Recipients: list("a@x.org"), Hour: num(24)}, "hour"},
		{report.SubscriptionInput{Recipients: list("a@x.org"), Hour: num(-1)}, "hour"},
	} {
		_, err := report.NewSubscription(c.in)
		ie, ok := err.(*report.InvalidError)
		if !ok || ie.Field != c.field {
			t.Errorf("%+v: %v, want field %s", c.in, err, c.field)
		}
	}
	sub, err := report.NewSubscription(report.SubscriptionInput{Recipients: list(" A <a@x.org>", "a@x.org", "b@x.org"), Weekday: []byte(`"Friday"`)})
	if err != nil || strings.Join(sub.Recipients, ",") != "a@x.org,b@x.org" || sub.Weekday != 5 || sub.Hour != report.DefaultHour ||
		sub.Lang != "en" || !sub.Enabled {
		t.Fatalf("defaults %+v %v", sub, err)
	}
	if n, ok := report.ParseWeekday("7"); !ok || n != 7 {
		t.Error("weekday 7")
	}
}
