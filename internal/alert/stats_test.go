package alert_test

import (
	"context"
	"math"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/channel/notify"
	"vox/internal/channel/notify/notifytest"
	"vox/internal/metrics"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestCaseStats acts on four cases at known times on a fake clock and
// checks every figure: time to action, the shares acted on within 24 h and
// within the SLA, resolved within the SLA, FRT (first reply) and ART, overall
// and per team and owner.
func TestCaseStats(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		clk := &clock{t: t0}
		smtp := notifytest.NewSMTPServer(t)
		h := newHarness(t, db, alert.Options{Now: clk.Now, Mailer: &notify.Mailer{Addr: smtp.Addr, From: "vox@example.com"}})
		oleg, _ := db.UpsertEmployee(ctx, h.ws.ID, store.EmployeeInput{ExternalID: "a1", Name: "Oleg", Team: "support"})
		li, _ := db.UpsertEmployee(ctx, h.ws.ID, store.EmployeeInput{ExternalID: "a2", Name: "Li", Team: "support"})
		ivan, _ := db.UpsertEmployee(ctx, h.ws.ID, store.EmployeeInput{ExternalID: "b1", Name: "Ivan", Team: "billing"})
		h.rule(`{"name":"Detractor","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"open_case","sla_hours":24}]}`)
		h.ingest(detractor("a", "a@example.com", 1), detractor("b", "b@example.com", 2), detractor("c", "c@example.com", 3),
			detractor("d", "d@example.com", 4))
		list, err := h.svc.ListCases(ctx, h.ws.ID, store.CaseFilter{})
		if err != nil || len(list) != 4 {
			t.Fatalf("cases %v %v", list, err)
		}
		a, b, c := list[3].ID, list[2].ID, list[1].ID // list[0] (d) is never touched
		at := func(hours float64, fn func() error) {
			t.Helper()
			clk.Set(t0.Add(time.Duration(hours * float64(time.Hour))))
			if err := fn(); err != nil {
				t.Fatal(err)
			}
		}
		patch := func(id int64, p alert.CasePatch) func() error {
			return func() error { _, err := h.svc.PatchCase(ctx, h.ws.ID, id, p); return err }
		}
		reply := func(id int64) func() error {
			return func() error { _, err := h.svc.Reply(ctx, h.ws.ID, id, "sorry, fixing it", "agent"); return err }
		}
		at(1, patch(a, alert.CasePatch{OwnerEmployeeID: &oleg, Status: ptr("in_progress")}))
		at(2, reply(a))
		at(3, patch(b, alert.CasePatch{OwnerEmployeeID: &li}))
		at(4, reply(b))
		at(5, patch(a, alert.CasePatch{Status: ptr("resolved")}))
		at(26, patch(c, alert.CasePatch{OwnerEmployeeID: &ivan}))
		at(30, patch(b, alert.CasePatch{Status: ptr("resolved")}))
		clk.Set(t0.Add(48 * time.Hour))

		st, err := h.svc.CaseStats(ctx, h.ws.ID, t0.Add(-time.Hour), t0.Add(time.Hour), alert.StatsByTeam)
		if err != nil {
			t.Fatal(err)
		}
		o := st.Overall
		if o.Cases != 4 || o.Open != 2 || o.Resolved != 2 || o.PendingAction != 0 {
			t.Fatalf("counts %+v", o)
		}
		hours := func(name string, got, want float64) {
			t.Helper()
			if math.Abs(got/3600-want) > 1e-6 {
				t.Errorf("%s = %.4f h, want %.4f h", name, got/3600, want)
			}
		}
		// Acted on after 1 h, 3 h and 26 h; d never.
		hours("time to action mean", o.TimeToAction.MeanSeconds, 10)
		hours("time to action median", o.TimeToAction.MedianSeconds, 3)
		hours("time to action p90", o.TimeToAction.P90Seconds, 3+0.8*23)
		hours("FRT mean", o.FRT.MeanSeconds, 3)
		hours("FRT p90", o.FRT.P90Seconds, 2+0.9*2)
		hours("ART mean", o.ART.MeanSeconds, 17.5)
		hours("ART median", o.ART.MedianSeconds, 17.5)
		hours("ART p90", o.ART.P90Seconds, 5+0.9*25)
		if o.TimeToAction.N != 3 || o.FRT.N != 2 || o.ART.N != 2 {
			t.Errorf("sample sizes %+v %+v %+v", o.TimeToAction, o.FRT, o.ART)
		}
		share := func(name string, got metrics.Estimate, v float64, n int) {
			t.Helper()
			if math.Abs(got.Value-v) > 1e-9 || got.N != n {
				t.Errorf("%s = %.2f%% of %d, want %.2f%% of %d", name, got.Value, got.N, v, n)
			}
		}
		share("acted within 24 h", o.ActedWithin24h, 50, 4)
		share("acted within SLA", o.ActedWithinSLA, 50, 4)
		share("resolved within SLA", o.ResolvedWithinSLA, 25, 4)
		if lo, hi := o.ResolvedWithinSLA.CILow, o.ResolvedWithinSLA.CIHigh; !(lo > 0 && lo < 25 && hi > 25 && hi < 100) {
			t.Errorf("Wilson interval %.1f..%.1f", lo, hi)
		}

		if len(st.Groups) != 3 || st.Groups[0].Key != "support" || st.Groups[0].Cases != 2 || st.Groups[1].Key != "" || st.Groups[2].Key != "billing" {
			t.Fatalf("team groups %+v", st.Groups)
		}
		sup := st.Groups[0]
		hours("support time to action mean", sup.TimeToAction.MeanSeconds, 2)
		share("support resolved within SLA", sup.ResolvedWithinSLA, 50, 2)
		if bill := st.Groups[2]; bill.Open != 1 || bill.ActedWithin24h.N != 1 || bill.ActedWithin24h.Value != 0 {
			t.Errorf("billing %+v", bill)
		}

		st, err = h.svc.CaseStats(ctx, h.ws.ID, t0.Add(-time.Hour), t0.Add(time.Hour), alert.StatsByOwner)
		if err != nil || len(st.Groups) != 4 || st.Groups[0].Key != "" {
			t.Fatalf("owner groups %+v %v", st.Groups, err)
		}
		names := map[string]string{}
		for _, g := range st.Groups {
			names[g.Name] = g.Key
			if g.Cases != 1 {
				t.Errorf("owner group %+v", g)
			}
		}
		if names["Oleg"] == "" || names["Li"] == "" || names["Ivan"] == "" {
			t.Errorf("owner names %v", names)
		}

		// A period without cases, and a case still inside its 24 h.
		st, err = h.svc.CaseStats(ctx, h.ws.ID, t0.Add(time.Hour), t0.Add(48*time.Hour), "")
		if err != nil || st.Overall.Cases != 0 || st.Overall.ActedWithin24h.N != 0 || st.Groups == nil {
			t.Fatalf("empty period %+v %v", st, err)
		}
		h.ingest(detractor("e", "e@example.com", 0))
		st, _ = h.svc.CaseStats(ctx, h.ws.ID, t0, t0.Add(72*time.Hour), "")
		if st.Overall.Cases != 5 || st.Overall.PendingAction != 1 || st.Overall.ActedWithin24h.N != 4 {
			t.Fatalf("pending case %+v", st.Overall)
		}
		if _, err := h.svc.CaseStats(ctx, h.ws.ID, t0, t0.Add(time.Hour), "region"); err == nil {
			t.Fatal("by=region accepted")
		}
	})
}
