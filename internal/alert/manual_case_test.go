package alert_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/channel/notify"
	"vox/internal/channel/notify/notifytest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestManualCaseOncePerItem opens a case by hand twice for one item: one
// case, one case.created event, the owner told once, and the same
// escalations as a rule's case.
func TestManualCaseOncePerItem(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		clk := &clock{t: t0}
		smtp := notifytest.NewSMTPServer(t)
		h := newHarness(t, db, alert.Options{Now: clk.Now, Mailer: &notify.Mailer{Addr: smtp.Addr, From: "vox@example.com"}})
		rcv := newReceiver(t, 0)
		_, secret, err := h.svc.CreateWebhook(ctx, h.ws.ID, rcv.srv.URL, []string{alert.EventCaseCreated})
		if err != nil {
			t.Fatal(err)
		}
		rcv.secret = secret
		mgr, _ := db.UpsertEmployee(ctx, h.ws.ID, store.EmployeeInput{ExternalID: "m1", Name: "Maria", Email: "maria@example.com"})
		oleg, _ := db.UpsertEmployee(ctx, h.ws.ID, store.EmployeeInput{ExternalID: "a1", Name: "Oleg", Email: "oleg@example.com", ManagerID: &mgr})
		item := h.ingest(detractor("The courier  was\nrude", "anna@example.com", 3))[0]

		open := func() (store.Case, bool) {
			t.Helper()
			c, created, err := h.svc.OpenManualCase(ctx, h.ws.ID, alert.ManualCase{FeedbackID: item, OwnerEmployeeID: &oleg,
				SLA: 4 * time.Hour, Actor: "agent@example.com", NotifyOwner: true})
			if err != nil {
				t.Fatal(err)
			}
			return c, created
		}
		c, created := open()
		if !created || c.Title != "NPS 3: The courier was rude" || c.SLAMinutes != 240 || !c.DueAt.Equal(t0.Add(4*time.Hour)) ||
			*c.OwnerEmployeeID != oleg || c.RuleID != nil || c.CustomerID == nil {
			t.Fatalf("case %+v (created %v)", c, created)
		}
		again, created := open()
		if created || again.ID != c.ID {
			t.Fatalf("second open: %+v created %v", again, created)
		}
		list, _ := db.ListCases(ctx, h.ws.ID, store.CaseFilter{})
		view, _ := h.svc.Case(ctx, h.ws.ID, c.ID)
		if len(list) != 1 || len(view.Events) != 1 || view.Events[0].Kind != "created" || view.Events[0].Actor != "agent@example.com" {
			t.Fatalf("%d cases, events %+v", len(list), view.Events)
		}
		h.run()
		if got := rcv.waitDelivered(1); eventType(got[0]) != alert.EventCaseCreated {
			t.Fatalf("webhook %s", eventType(got[0]))
		}
		select {
		case <-smtp.Received():
		case <-time.After(10 * time.Second):
			t.Fatal("owner not told")
		}
		if m := smtp.Messages(); len(m) != 1 || m[0].To[0] != "oleg@example.com" || !strings.Contains(m[0].Body, "courier") {
			t.Fatalf("owner email %+v", m)
		}
		// 75 % of the SLA: the manager hears of it, as for a rule's case.
		clk.Set(t0.Add(3 * time.Hour))
		h.worker.Notify()
		deadline := time.Now().Add(10 * time.Second)
		for {
			v, _ := h.svc.Case(ctx, h.ws.ID, c.ID)
			if v.EscalationLevel == 1 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("not escalated at 75 %%: %+v", v.Case)
			}
			time.Sleep(20 * time.Millisecond)
		}
		if n := len(rcv.delivered()); n != 1 {
			t.Errorf("%d case.created deliveries", n)
		}

		// Another workspace's item or employee is refused.
		other, _ := db.CreateWorkspace(ctx, "other", "Other", "UTC")
		if _, _, err := h.svc.OpenManualCase(ctx, other.ID, alert.ManualCase{FeedbackID: item}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("item of another workspace: %v", err)
		}
		stranger, _ := db.UpsertEmployee(ctx, other.ID, store.EmployeeInput{ExternalID: "x", Name: "X"})
		item2 := h.ingest(detractor("second", "bob@example.com", 1))[0]
		var fe *alert.FieldError
		if _, _, err := h.svc.OpenManualCase(ctx, h.ws.ID, alert.ManualCase{FeedbackID: item2, OwnerEmployeeID: &stranger}); !errors.As(err, &fe) {
			t.Errorf("owner of another workspace: %v", err)
		}
		if _, err := db.CaseForFeedback(ctx, h.ws.ID, item2); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a refused case was stored: %v", err)
		}

		// The reply goes by email to the customer.
		rt, err := h.svc.ReplyTarget(ctx, h.ws.ID, c.ID)
		if err != nil || rt.Channel != "email" || rt.To != "anna@example.com" || rt.ItemChannel != "email" {
			t.Errorf("reply target %+v %v", rt, err)
		}
		if _, err := h.svc.ReplyTarget(ctx, other.ID, c.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("reply target across workspaces: %v", err)
		}
	})
}

// TestReplyTargetWithoutChannels: without a mailer or Telegram no reply
// can be sent, and ReplyTarget says so before Reply does.
func TestReplyTargetWithoutChannels(t *testing.T) {
	db := testutil.SQLite(t)
	h := newHarness(t, db, alert.Options{})
	item := h.ingest(detractor("x", "anna@example.com", 1))[0]
	c, _, err := h.svc.OpenManualCase(context.Background(), h.ws.ID, alert.ManualCase{FeedbackID: item})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.ReplyTarget(context.Background(), h.ws.ID, c.ID); !errors.Is(err, alert.ErrNoReplyChannel) {
		t.Errorf("reply target: %v", err)
	}
	if _, err := h.svc.Reply(context.Background(), h.ws.ID, c.ID, "hello", "me"); !errors.Is(err, alert.ErrNoReplyChannel) {
		t.Errorf("reply: %v", err)
	}
}
