package alert_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/channel/notify"
	"vox/internal/channel/notify/notifytest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// drainJobs runs due jobs until none is left.
func (h *harness) drainJobs() {
	h.t.Helper()
	for {
		n, err := h.worker.RunOnce(context.Background())
		if err != nil {
			h.t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
}

// fakeBotAPI is a local Telegram Bot API that records sendMessage calls.
type fakeBotAPI struct {
	srv  *httptest.Server
	mu   sync.Mutex
	sent []map[string]any
}

func newFakeBotAPI(t *testing.T) *fakeBotAPI {
	f := &fakeBotAPI{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		f.mu.Lock()
		f.sent = append(f.sent, m)
		f.mu.Unlock()
		_, _ = w.Write([]byte(`{"ok":true,"result":{}}`))
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeBotAPI) messages() []map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]map[string]any(nil), f.sent...)
}

// linkedEmployee creates a user with a role in ws, linked to a new employee.
func linkedEmployee(t *testing.T, db *store.DB, ws int64, email, name, lang, extID, team string) (userID, empID int64) {
	t.Helper()
	ctx := context.Background()
	u, err := db.CreateUser(ctx, email, name, "", lang)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.AddMember(ctx, ws, u.ID, store.RoleEmployee); err != nil {
		t.Fatal(err)
	}
	empID, err = db.UpsertEmployee(ctx, ws, store.EmployeeInput{ExternalID: extID, Name: name, Team: team})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.LinkEmployeeUser(ctx, ws, empID, u.ID); err != nil {
		t.Fatal(err)
	}
	return u.ID, empID
}

func praiseItem(ext, empExt, text, sentiment string, nps, csat *int, at time.Time) store.NewFeedback {
	return store.NewFeedback{Item: store.FeedbackItem{Kind: "survey_response", Channel: "web", Text: text, Sentiment: sentiment,
		NPS: nps, CSAT: csat, ExternalID: ext, OccurredAt: at}, Employee: store.EmployeeInput{ExternalID: empExt}}
}

// TestPraiseReachesLinkedEmployee sends praise of an employee to the user
// linked to them — in-app, by email and on Telegram, in their language —
// and nothing for complaints, old items, unlinked employees, ratings with
// angry words, another workspace's namesake, or a second evaluation.
func TestPraiseReachesLinkedEmployee(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		smtp := notifytest.NewSMTPServer(t)
		bot := newFakeBotAPI(t)
		h := newHarness(t, db, alert.Options{Mailer: &notify.Mailer{Addr: smtp.Addr, From: "vox@example.com"},
			Telegram: &notify.Telegram{Token: "1:T", BaseURL: bot.srv.URL}, BaseURL: "https://vox.example.com"})
		anna, _ := linkedEmployee(t, db, h.ws.ID, "anna@example.com", "Анна Смирнова", "ru", "E-101", "store")
		if _, err := db.UpsertEmployee(ctx, h.ws.ID, store.EmployeeInput{ExternalID: "E-102", Name: "Bob"}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.SetNotifyPrefs(ctx, h.ws.ID, anna, alert.PrefsPatch{TelegramChatID: ptr("424242")}); err != nil {
			t.Fatal(err)
		}
		// Another workspace has its own E-101, linked to Boris.
		wsB, err := db.CreateWorkspace(ctx, "other", "Other", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		boris, _ := linkedEmployee(t, db, wsB.ID, "boris@example.com", "Boris", "en", "E-101", "store")

		now := time.Now()
		ids := h.ingest(
			praiseItem("p1", "E-101", "Анна <b>молодец</b>, всё объяснила", "positive", ptr(10), nil, now),
			praiseItem("p2", "E-102", "Bob was great", "positive", ptr(10), nil, now),                 // not linked
			praiseItem("p3", "E-101", "ужасно", "negative", ptr(3), nil, now),                         // a complaint
			praiseItem("p4", "E-101", "old praise", "positive", ptr(10), nil, now.AddDate(0, 0, -10)), // not news
			praiseItem("p5", "E-101", "", "", nil, ptr(5), now),                                       // top box CSAT
			praiseItem("p6", "E-101", "Спасибо Анне!", "positive", nil, nil, now),                     // words alone
			praiseItem("p7", "E-101", "ok", "neutral", nil, nil, now),
			praiseItem("p8", "E-101", "9, но курьер нахамил", "negative", ptr(9), nil, now),
			praiseItem("p9", "E-101", "4 of 5", "positive", nil, ptr(4), now),
		)
		want := map[int64]bool{ids[0]: true, ids[4]: true, ids[5]: true}
		h.drainJobs()

		notes, err := db.UserNotifications(ctx, h.ws.ID, anna, 0, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(notes) != 3 {
			t.Fatalf("%d in-app notifications, want 3: %+v", len(notes), notes)
		}
		for _, n := range notes {
			if n.Kind != alert.NotificationPraise || n.FeedbackID == nil || !want[*n.FeedbackID] || n.Title != "Клиент похвалил: Анна Смирнова" {
				t.Errorf("notification %+v", n)
			}
		}
		mails := smtp.Messages()
		if len(mails) != 3 {
			t.Fatalf("%d emails, want 3", len(mails))
		}
		var first notifytest.Message
		for _, m := range mails {
			if m.To[0] != "anna@example.com" || m.Subject != "Клиент похвалил: Анна Смирнова" {
				t.Errorf("email %+v", m)
			}
			if strings.Contains(m.Body, "молодец") {
				first = m
			}
		}
		if !strings.Contains(first.Body, "«Анна <b>молодец</b>, всё объяснила»") || !strings.Contains(first.Body, "NPS 10/10") ||
			!strings.Contains(first.Body, "https://vox.example.com/feedback/") {
			t.Errorf("praise email body:\n%s", first.Body)
		}
		tg := bot.messages()
		if len(tg) != 3 || tg[0]["chat_id"] != "424242" || !strings.HasPrefix(tg[0]["text"].(string), "Клиент похвалил") {
			t.Fatalf("telegram %v", tg)
		}
		if n, _ := db.UserNotifications(ctx, wsB.ID, boris, 0, 50); len(n) != 0 {
			t.Fatalf("another workspace's namesake was praised: %+v", n)
		}

		// The same items evaluated again (a re-run) praise nobody twice.
		var stored []store.FeedbackItem
		for _, id := range ids {
			it, err := db.Feedback(ctx, h.ws.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			stored = append(stored, it)
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return h.svc.OnFeedback(ctx, tx, h.ws.ID, stored) }); err != nil {
			t.Fatal(err)
		}
		h.drainJobs()
		if notes, _ := db.UserNotifications(ctx, h.ws.ID, anna, 0, 50); len(notes) != 3 || len(smtp.Messages()) != 3 || len(bot.messages()) != 3 {
			t.Fatalf("after re-evaluation: %d notifications, %d emails, %d telegram", len(notes), len(smtp.Messages()), len(bot.messages()))
		}

		// A disabled user hears nothing.
		if err := db.SetUserDisabled(ctx, anna, true); err != nil {
			t.Fatal(err)
		}
		h.ingest(praiseItem("p10", "E-101", "great", "positive", ptr(10), nil, now))
		h.drainJobs()
		if len(smtp.Messages()) != 3 {
			t.Fatal("a disabled user was emailed")
		}
	})
}
