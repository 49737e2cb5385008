package alert_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/channel/notify"
	"vox/internal/channel/notify/notifytest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// mailParts splits a multipart/alternative message into its decoded parts
// by content type.
func mailParts(t *testing.T, raw string) map[string]string {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	out := map[string]string{}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			if body, err = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), "")); err != nil {
				t.Fatal(err)
			}
		}
		ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		out[ct] = string(body)
	}
}

func TestLastDigestPeriod(t *testing.T) {
	msk, _ := time.LoadLocation("Europe/Moscow")
	at := func(day, hh, mm int) time.Time { return time.Date(2026, 5, day, hh, mm, 0, 0, msk) } // 2026-05-11 is a Monday
	for _, tc := range []struct {
		freq     string
		now      time.Time
		from, to string
		due      time.Time
	}{
		{"daily", at(12, 8, 0), "2026-05-11", "2026-05-12", at(12, 8, 0)},
		{"daily", at(12, 7, 59), "2026-05-10", "2026-05-11", at(11, 8, 0)},
		{"daily", at(12, 23, 59), "2026-05-11", "2026-05-12", at(12, 8, 0)},
		{"weekly", at(11, 8, 0), "2026-05-04", "2026-05-11", at(11, 8, 0)},
		{"weekly", at(11, 7, 59), "2026-04-27", "2026-05-04", at(4, 8, 0)},
		{"weekly", at(17, 23, 0), "2026-05-04", "2026-05-11", at(11, 8, 0)}, // Sunday
		{"weekly", at(13, 10, 0), "2026-05-04", "2026-05-11", at(11, 8, 0)},
	} {
		p, due := alert.LastDigestPeriod(tc.freq, tc.now.UTC(), msk)
		if p.From.String() != tc.from || p.To.String() != tc.to || !due.Equal(tc.due) {
			t.Errorf("%s at %s: %s..%s due %s, want %s..%s due %s", tc.freq, tc.now.Format("Mon 01-02 15:04"), p.From, p.To,
				due.In(msk).Format("Mon 01-02 15:04"), tc.from, tc.to, tc.due.Format("Mon 01-02 15:04"))
		}
	}
}

// TestWeeklyDigest builds a weekly digest in a Moscow workspace and checks
// that it arrives once, as text and escaped HTML, with the user's open cases
// and their SLA state, NPS and CSAT against the previous week with n, and
// praise for their team; that a duplicate job, a second tick and a late
// opt-in send nothing more; and that the daily one follows the next day.
func TestWeeklyDigest(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		msk, _ := time.LoadLocation("Europe/Moscow")
		at := func(month time.Month, day, hh, mm int) time.Time {
			return time.Date(2026, month, day, hh, mm, 0, 0, msk)
		}
		clk := &clock{t: at(5, 7, 12, 0)} // Thursday
		smtp := notifytest.NewSMTPServer(t)
		h := newHarness(t, db, alert.Options{Now: clk.Now, Mailer: &notify.Mailer{Addr: smtp.Addr, From: "vox@example.com"},
			BaseURL: "https://vox.example.com"})
		ws, err := db.CreateWorkspace(ctx, "msk", "Магазин", "Europe/Moscow")
		if err != nil {
			t.Fatal(err)
		}
		anna, e101 := linkedEmployee(t, db, ws.ID, "anna@example.com", "Анна Смирнова", "ru", "E-101", "store")
		if _, err := db.UpsertEmployee(ctx, ws.ID, store.EmployeeInput{ExternalID: "E-102", Name: "Пётр", Team: "store", ManagerID: &e101}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpsertEmployee(ctx, ws.ID, store.EmployeeInput{ExternalID: "E-103", Name: "Web", Team: "web"}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.CreateRule(ctx, ws.ID, alert.RuleSpec{Name: "Detractor",
			Conditions: []alert.Condition{{Field: "sentiment", Op: "eq", Value: "negative"}},
			Actions:    []alert.Action{{Type: "open_case", SLAHours: 24, Owner: "employee_manager"}}}); err != nil {
			t.Fatal(err)
		}
		n := 0
		item := func(emp string, nps, csat *int, text, sentiment string, when time.Time) store.NewFeedback {
			n++
			return store.NewFeedback{Item: store.FeedbackItem{Kind: "survey_response", Channel: "web", Text: text, Sentiment: sentiment,
				NPS: nps, CSAT: csat, ExternalID: fmt.Sprintf("i%d", n), OccurredAt: when.UTC()}, Employee: store.EmployeeInput{ExternalID: emp}}
		}
		batch := []store.NewFeedback{
			// The week before (Apr 27 – May 3): E-101 NPS 6, 6, 10 → −33.3 (n=3); CSAT 5 → 100 % (n=1).
			item("E-101", ptr(6), nil, "", "", at(4, 28, 10, 0)),
			item("E-101", ptr(6), nil, "", "", at(4, 29, 10, 0)),
			item("E-101", ptr(10), nil, "", "", at(5, 3, 23, 59)),
			item("E-101", nil, ptr(5), "", "", at(4, 30, 10, 0)),
			// The week (May 4 – 10): E-101 NPS 10, 9, 10 (Sunday 23:30 local), and 6 → 50 (n=4).
			item("E-101", ptr(10), nil, "Анна помогла", "positive", at(5, 5, 10, 0)),
			item("E-101", ptr(9), nil, "", "", at(5, 6, 10, 0)),
			item("E-101", ptr(10), nil, "", "", at(5, 10, 23, 30)),
			item("E-101", ptr(6), nil, "", "", at(5, 7, 10, 0)),
			// CSAT 5, 4, 2 → 66.7 % (n=3).
			item("E-101", nil, ptr(5), "", "", at(5, 5, 11, 0)),
			item("E-101", nil, ptr(4), "", "", at(5, 5, 12, 0)),
			item("E-101", nil, ptr(2), "", "", at(5, 5, 13, 0)),
			// Praise for the team mate, with markup to be escaped; none for another team.
			item("E-102", ptr(10), nil, "<script>alert(1)</script> Пётр лучший", "positive", at(5, 8, 15, 0)),
			item("E-103", ptr(10), nil, "web praise", "positive", at(5, 8, 15, 0)),
			// Monday 00:30 local belongs to the next week.
			item("E-101", ptr(0), nil, "", "", at(5, 11, 0, 30)),
		}
		// Angry answers about Пётр open cases owned by his manager, E-101.
		detractors := []store.NewFeedback{
			item("E-102", ptr(2), nil, `<img src=x onerror=alert(1)> опоздали`, "negative", at(5, 7, 12, 0)),
			item("E-102", ptr(3), nil, "грубо", "negative", at(5, 7, 12, 0)),
		}
		if _, err := db.InsertFeedback(ctx, ws.ID, append(batch, detractors...), nil); err != nil {
			t.Fatal(err)
		}
		cases, err := h.svc.ListCases(ctx, ws.ID, store.CaseFilter{})
		if err != nil || len(cases) != 2 || *cases[0].OwnerEmployeeID != e101 {
			t.Fatalf("cases %+v %v", cases, err)
		}
		clk.Set(at(5, 8, 9, 0)) // Friday 09:00: 75 % of 24 h passed for both
		if _, err := h.svc.PatchCase(ctx, ws.ID, cases[0].ID, alert.CasePatch{Status: ptr("resolved")}); err != nil {
			t.Fatal(err)
		}
		h.drainJobs()
		if _, err := h.svc.SetNotifyPrefs(ctx, ws.ID, anna, alert.PrefsPatch{Digest: ptr("weekly")}); err != nil {
			t.Fatal(err)
		}

		digestJobs := func() int {
			t.Helper()
			var total int
			for _, st := range []string{store.JobPending, store.JobDone, store.JobDead} {
				js, err := db.Jobs(ctx, ws.ID, st, alert.KindDigest, 100)
				if err != nil {
					t.Fatal(err)
				}
				total += len(js)
			}
			return total
		}
		clk.Set(at(5, 11, 7, 59))
		if err := h.svc.ScheduleDigests(ctx); err != nil {
			t.Fatal(err)
		}
		if digestJobs() != 0 {
			t.Fatal("a digest was queued for the week before the user chose it")
		}
		sentBefore := len(smtp.Messages())
		clk.Set(at(5, 11, 9, 0))
		start := time.Now()
		for range 2 {
			if err := h.svc.ScheduleDigests(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if digestJobs() != 1 {
			t.Fatalf("%d digest jobs after two ticks, want 1", digestJobs())
		}
		h.drainJobs()
		t.Logf("weekly digest scheduled, built and sent in %v", time.Since(start))
		msgs := smtp.Messages()[sentBefore:]
		if len(msgs) != 1 || msgs[0].To[0] != "anna@example.com" {
			t.Fatalf("digest emails %+v", msgs)
		}
		m := msgs[0]
		if m.Subject != "Vox: сводка за неделю — Магазин, 2026-05-04 – 2026-05-10" {
			t.Errorf("subject %q", m.Subject)
		}
		parts := mailParts(t, m.Raw)
		text, html := parts["text/plain"], parts["text/html"]
		for _, want := range []string{
			"Здравствуйте, Анна Смирнова!",
			"2026-05-04 – 2026-05-10",
			"Открытые обращения ваши и вашей команды",
			"открыто: 1, просрочено: 1",
			"[просрочено, срок 2026-05-08 12:00]",
			"https://vox.example.com/cases/",
			"Вы NPS: 50.0 (n=4); ранее -33.3 (n=3); +83.3",
			"Вы CSAT: 66.7 (n=3); ранее 100.0 (n=1); -33.3",
			"Компания NPS: 25.0 (n=8); ранее -33.3 (n=3); +58.3",
			"Клиентов, похваливших обслуживание: 5.",
			"Пётр (NPS 10): «<script>alert(1)</script> Пётр лучший»",
			"Анна Смирнова (NPS 10): «Анна помогла»",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("text part lacks %q:\n%s", want, text)
			}
		}
		if strings.Contains(text, "web praise") || strings.Contains(text, "грубо") {
			t.Errorf("text part has another team's praise or a resolved case:\n%s", text)
		}
		for _, bad := range []string{"<script>", "<img src=x"} {
			if strings.Contains(html, bad) {
				t.Errorf("HTML part has unescaped %q", bad)
			}
		}
		for _, want := range []string{"&lt;script&gt;alert(1)&lt;/script&gt; Пётр лучший", "&lt;img src=x onerror=alert(1)&gt;",
			`<a href="https://vox.example.com/cases/`, "<b>50.0 (n=4)</b>"} {
			if !strings.Contains(html, want) {
				t.Errorf("HTML part lacks %q:\n%s", want, html)
			}
		}

		// The job delivered again (the worker died before marking it done)
		// finds the digest recorded and sends nothing.
		js, _ := db.Jobs(ctx, ws.ID, store.JobDone, alert.KindDigest, 10)
		if _, err := db.EnqueueJobs(ctx, ws.ID, []store.NewJob{{Kind: alert.KindDigest, Payload: js[0].Payload}}); err != nil {
			t.Fatal(err)
		}
		h.drainJobs()
		if got := len(smtp.Messages()) - sentBefore; got != 1 {
			t.Fatalf("%d digests after a duplicate job, want 1", got)
		}
		all, _ := db.UserNotifications(ctx, ws.ID, anna, 0, 50)
		var notes []store.UserNotification
		for _, n := range all {
			if n.Kind == alert.NotificationDigest {
				notes = append(notes, n)
			}
		}
		if len(notes) != 1 || notes[0].Details["emailed"] != true || notes[0].Body != text {
			t.Fatalf("in-app digest %+v", notes)
		}

		// Switching to daily after today's send time waits for tomorrow.
		if _, err := h.svc.SetNotifyPrefs(ctx, ws.ID, anna, alert.PrefsPatch{Digest: ptr("daily")}); err != nil {
			t.Fatal(err)
		}
		_ = h.svc.ScheduleDigests(ctx)
		h.drainJobs()
		if got := len(smtp.Messages()) - sentBefore; got != 1 {
			t.Fatalf("a late daily digest was sent (%d)", got)
		}
		clk.Set(at(5, 12, 8, 5))
		_ = h.svc.ScheduleDigests(ctx)
		h.drainJobs()
		msgs = smtp.Messages()[sentBefore:]
		if len(msgs) != 2 || msgs[1].Subject != "Vox: сводка за день — Магазин, 2026-05-11" {
			t.Fatalf("daily digest: %+v", msgs)
		}
		if daily := mailParts(t, msgs[1].Raw)["text/plain"]; !strings.Contains(daily, "Вы NPS: -100.0 (n=1)") {
			t.Errorf("daily digest:\n%s", daily)
		}

		// Turned off: nothing the day after.
		if _, err := h.svc.SetNotifyPrefs(ctx, ws.ID, anna, alert.PrefsPatch{Digest: ptr("off")}); err != nil {
			t.Fatal(err)
		}
		clk.Set(at(5, 13, 8, 5))
		_ = h.svc.ScheduleDigests(ctx)
		h.drainJobs()
		if got := len(smtp.Messages()) - sentBefore; got != 2 {
			t.Fatalf("%d digests after turning them off", got)
		}

		// A manager without an employee record sees every open case.
		mgr, _ := db.CreateUser(ctx, "maria@example.com", "Maria", "", "en")
		_ = db.AddMember(ctx, ws.ID, mgr.ID, store.RoleManager)
		pv, err := h.svc.PreviewDigest(ctx, ws.ID, mgr.ID, "weekly")
		if err != nil || pv.Cases.Scope != alert.ScopeWorkspace || pv.Cases.Open != 1 || pv.Praise.Total != 6 || len(pv.KPIs) != 2 ||
			!strings.Contains(pv.Text, "Open cases in the workspace") {
			t.Fatalf("manager preview %+v %v", pv.Digest, err)
		}
		// A user of another workspace is unknown here.
		if _, err := h.svc.PreviewDigest(ctx, h.ws.ID, anna, "weekly"); err == nil {
			t.Fatal("preview of a user of another workspace")
		}
	})
}
