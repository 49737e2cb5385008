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

// TestCaseLifecycleWithFakeClock walks a case through its SLA on a fake
// clock: round-robin owner, escalation to the manager at 75 % and 100 %,
// first action, resolution with a root cause, reopen with a fresh SLA, and
// no escalation of a resolved case.
func TestCaseLifecycleWithFakeClock(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		clk := &clock{t: t0}
		smtp := notifytest.NewSMTPServer(t)
		h := newHarness(t, db, alert.Options{Now: clk.Now, Mailer: &notify.Mailer{Addr: smtp.Addr, From: "vox@example.com"}})
		mgr, _ := db.UpsertEmployee(ctx, h.ws.ID, store.EmployeeInput{ExternalID: "m1", Name: "Maria", Email: "maria@example.com", Team: "leads"})
		a1, _ := db.UpsertEmployee(ctx, h.ws.ID, store.EmployeeInput{ExternalID: "a1", Name: "Oleg", Email: "oleg@example.com", Team: "support", ManagerID: &mgr})
		a2, _ := db.UpsertEmployee(ctx, h.ws.ID, store.EmployeeInput{ExternalID: "a2", Name: "Li", Email: "li@example.com", Team: "support", ManagerID: &mgr})
		h.rule(`{"name":"Detractor","conditions":[{"field":"nps","op":"lte","value":6}],
			"actions":[{"type":"open_case","sla_hours":8,"owner":"round_robin","team":"support"}]}`)
		runDue := func() {
			t.Helper()
			for {
				n, err := h.worker.RunOnce(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					return
				}
			}
		}
		ids := h.ingest(detractor("terrible", "a@example.com", 1), detractor("awful", "b@example.com", 4))
		cases, err := h.svc.ListCases(ctx, h.ws.ID, store.CaseFilter{})
		if err != nil || len(cases) != 2 {
			t.Fatalf("cases %v %v", cases, err)
		}
		c := cases[1] // oldest first after reversing newest-first
		if *c.FeedbackID != ids[0] || c.Status != "open" || !c.DueAt.Equal(t0.Add(8*time.Hour)) || c.SLAMinutes != 480 {
			t.Fatalf("case %+v", c)
		}
		if *c.OwnerEmployeeID != a1 || *cases[0].OwnerEmployeeID != a2 {
			t.Fatalf("round robin gave %d and %d, want %d and %d", *c.OwnerEmployeeID, *cases[0].OwnerEmployeeID, a1, a2)
		}
		runDue() // owner notifications
		owners := map[string]string{}
		for _, m := range smtp.Messages() {
			owners[m.To[0]] = m.Body
		}
		if len(owners) != 2 || !strings.Contains(owners["oleg@example.com"], "terrible") || !strings.Contains(owners["li@example.com"], "awful") {
			t.Fatalf("owner emails %+v", owners)
		}
		level := func(id int64) int {
			t.Helper()
			v, err := h.svc.Case(ctx, h.ws.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			return v.EscalationLevel
		}

		clk.Set(t0.Add(5*time.Hour + 59*time.Minute))
		runDue()
		if level(c.ID) != 0 {
			t.Fatal("escalated before 75 % of the SLA")
		}
		// First action at 2 h... recorded when the agent starts work.
		clk.Set(t0.Add(2 * time.Hour))
		if _, err := h.svc.PatchCase(ctx, h.ws.ID, c.ID, alert.CasePatch{Status: ptr("in_progress"), Actor: "oleg"}); err != nil {
			t.Fatal(err)
		}
		clk.Set(t0.Add(6 * time.Hour))
		runDue()
		if level(c.ID) != 1 {
			t.Fatalf("level %d at 75 %%", level(c.ID))
		}
		msgs := smtp.Messages()
		if last := msgs[len(msgs)-1]; last.To[0] != "maria@example.com" || !strings.Contains(last.Subject, "75%") {
			t.Fatalf("escalation email %+v", last)
		}
		clk.Set(t0.Add(8 * time.Hour))
		runDue()
		v, _ := h.svc.Case(ctx, h.ws.ID, c.ID)
		if v.EscalationLevel != 2 || !v.Overdue == clk.Now().After(v.DueAt) {
			t.Fatalf("at 100 %%: %+v", v.Case)
		}
		if v.FirstActionAt == nil || !v.FirstActionAt.Equal(t0.Add(2*time.Hour)) {
			t.Fatalf("first action %v", v.FirstActionAt)
		}

		// Resolve with a root cause, then reopen: a new SLA from the reopen.
		clk.Set(t0.Add(9 * time.Hour))
		res, err := h.svc.PatchCase(ctx, h.ws.ID, c.ID, alert.CasePatch{Status: ptr("resolved"), RootCause: ptr("courier delay"), Note: ptr("refunded")})
		if err != nil || res.ResolvedAt == nil || !res.ResolvedAt.Equal(t0.Add(9*time.Hour)) || res.RootCause != "courier delay" {
			t.Fatalf("resolve: %+v %v", res, err)
		}
		if _, err := h.svc.PatchCase(ctx, h.ws.ID, c.ID, alert.CasePatch{Status: ptr("waiting")}); !errors.Is(err, alert.ErrInvalid) {
			t.Fatalf("resolved → waiting allowed: %v", err)
		}
		clk.Set(t0.Add(10 * time.Hour))
		re, err := h.svc.PatchCase(ctx, h.ws.ID, c.ID, alert.CasePatch{Status: ptr("open")})
		if err != nil || re.ResolvedAt != nil || re.EscalationLevel != 0 || !re.DueAt.Equal(t0.Add(18*time.Hour)) {
			t.Fatalf("reopen: %+v %v", re, err)
		}
		clk.Set(t0.Add(15 * time.Hour))
		runDue()
		if level(c.ID) != 0 {
			t.Fatal("escalated too early after reopen")
		}
		clk.Set(t0.Add(16 * time.Hour))
		runDue()
		if level(c.ID) != 1 {
			t.Fatalf("no 75 %% escalation after reopen: %d", level(c.ID))
		}
		// A case resolved before its deadline is not escalated at 100 %.
		clk.Set(t0.Add(17 * time.Hour))
		if _, err := h.svc.PatchCase(ctx, h.ws.ID, c.ID, alert.CasePatch{Status: ptr("resolved")}); err != nil {
			t.Fatal(err)
		}
		clk.Set(t0.Add(19 * time.Hour))
		runDue()
		if level(c.ID) != 1 {
			t.Fatal("a resolved case escalated")
		}
		v, _ = h.svc.Case(ctx, h.ws.ID, c.ID)
		var kinds []string
		for _, e := range v.Events {
			kinds = append(kinds, e.Kind)
		}
		want := "created,status,escalation,escalation,status,note,status,escalation,status"
		if strings.Join(kinds, ",") != want {
			t.Fatalf("history %s, want %s", strings.Join(kinds, ","), want)
		}

		// Reply to the customer by email (the item came by email).
		ev, err := h.svc.Reply(ctx, h.ws.ID, cases[0].ID, "Sorry, we refunded your order.", "li")
		if err != nil {
			t.Fatal(err)
		}
		runDue()
		msgs = smtp.Messages()
		if last := msgs[len(msgs)-1]; last.To[0] != "b@example.com" || last.Body != "Sorry, we refunded your order." {
			t.Fatalf("reply %+v", last)
		}
		v, _ = h.svc.Case(ctx, h.ws.ID, cases[0].ID)
		for _, e := range v.Events {
			if e.ID == ev.ID && e.Details["status"] != "sent" {
				t.Fatalf("reply not recorded as sent: %+v", e)
			}
		}
		if v.FirstActionAt == nil {
			t.Fatal("reply is not a first action")
		}
	})
}

// TestWorkspaceIsolation: another workspace cannot read or change rules,
// cases or webhook endpoints by id.
func TestWorkspaceIsolation(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := newHarness(t, db, alert.Options{})
		other, _ := db.CreateWorkspace(ctx, "other", "Other", "UTC")
		r := h.rule(`{"name":"x","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"open_case"}]}`)
		h.ingest(detractor("bad", "x@example.com", 0))
		cases, _ := h.svc.ListCases(ctx, h.ws.ID, store.CaseFilter{})
		ep, _, err := h.svc.CreateWebhook(ctx, h.ws.ID, "https://hooks.example.com/x", []string{"*"})
		if err != nil || len(cases) != 1 {
			t.Fatal(err, cases)
		}
		B := other.ID
		for name, err := range map[string]error{
			"rule":        func() error { _, err := db.Rule(ctx, B, r.ID); return err }(),
			"delete rule": db.DeleteRule(ctx, B, r.ID),
			"test rule":   func() error { _, err := h.svc.TestRule(ctx, B, r.ID, time.Time{}, time.Now()); return err }(),
			"case":        func() error { _, err := h.svc.Case(ctx, B, cases[0].ID); return err }(),
			"patch case": func() error {
				_, err := h.svc.PatchCase(ctx, B, cases[0].ID, alert.CasePatch{Status: ptr("resolved")})
				return err
			}(),
			"reply":       func() error { _, err := h.svc.Reply(ctx, B, cases[0].ID, "hi", ""); return err }(),
			"webhook":     func() error { _, err := db.Webhook(ctx, B, ep.ID); return err }(),
			"rotate":      func() error { _, _, err := h.svc.RotateWebhookSecret(ctx, B, ep.ID); return err }(),
			"test event":  func() error { _, err := h.svc.SendTestEvent(ctx, B, ep.ID); return err }(),
			"delete hook": db.DeleteWebhook(ctx, B, ep.ID),
		} {
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("%s from another workspace: %v", name, err)
			}
		}
		if l, _ := h.svc.ListCases(ctx, B, store.CaseFilter{}); len(l) != 0 {
			t.Error("cases listed across workspaces")
		}
		if l, _ := db.Rules(ctx, B); len(l) != 0 {
			t.Error("rules listed across workspaces")
		}
		if l, _ := db.Webhooks(ctx, B); len(l) != 0 {
			t.Error("webhooks listed across workspaces")
		}
		if c, _ := db.Case(ctx, h.ws.ID, cases[0].ID); c.Status != "open" {
			t.Error("case changed by another workspace")
		}
	})
}

// TestRuleAgainstPastItems counts how often a rule would have fired.
func TestRuleAgainstPastItems(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := newHarness(t, db, alert.Options{})
		base := time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)
		var batch []store.NewFeedback
		for i := range 50 {
			nps := i % 11
			f := detractor("x", "c"+string(rune('a'+i%26))+"@example.com", nps)
			f.Item.ExternalID = "" // keep every item
			f.Item.OccurredAt = base.Add(time.Duration(i) * time.Hour)
			if i%2 == 0 {
				f.Customer.Segment, f.Item.Segment = "mass", "mass"
			}
			batch = append(batch, f)
		}
		h.ingest(batch...)
		r := h.rule(`{"name":"vip detractor","conditions":[{"field":"nps","op":"lte","value":6},{"field":"segment","op":"eq","value":"vip"}],"actions":[{"type":"webhook"}]}`)
		res, err := h.svc.TestRule(ctx, h.ws.ID, r.ID, base, base.Add(50*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for i := range 50 {
			if i%11 <= 6 && i%2 == 1 {
				want++
			}
		}
		if res.Evaluated != 50 || res.Matched != want {
			t.Fatalf("evaluated %d matched %d, want 50 and %d", res.Evaluated, res.Matched, want)
		}
		res, _ = h.svc.TestRule(ctx, h.ws.ID, r.ID, base, base.Add(10*time.Hour))
		if res.Evaluated != 10 {
			t.Fatalf("period not applied: %d", res.Evaluated)
		}
	})
}
