package alert_test

import (
	"context"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestSLABusinessHours opens a case on Friday 17:00 with an 8-hour SLA in a
// workspace working 09:00-18:00 Monday to Friday: it is due on Monday 16:00,
// escalates at 75 % on Monday 14:00 (not during the weekend), and a reopen
// on Monday evening restarts the clock in working time.
func TestSLABusinessHours(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		fri := time.Date(2026, 5, 1, 17, 0, 0, 0, time.UTC) // a Friday
		clk := &clock{t: fri}
		h := newHarness(t, db, alert.Options{Now: clk.Now})
		if _, err := h.svc.SetBusinessHours(ctx, h.ws.ID, &alert.BusinessHours{Days: []int{5, 4, 3, 2, 1, 1}, Start: "09:00", End: "18:00"}); err != nil {
			t.Fatal(err)
		}
		v, err := h.svc.BusinessHours(ctx, h.ws.ID)
		if err != nil || !v.Enabled || len(v.Hours.Days) != 5 || v.Hours.Days[0] != 1 || v.Timezone != "UTC" {
			t.Fatalf("stored hours %+v %v", v, err)
		}
		h.rule(`{"name":"Detractor","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"open_case","sla_hours":8}]}`)
		h.ingest(detractor("late again", "a@example.com", 2))
		cases, err := h.svc.ListCases(ctx, h.ws.ID, store.CaseFilter{})
		if err != nil || len(cases) != 1 {
			t.Fatalf("cases %v %v", cases, err)
		}
		c := cases[0]
		mon := func(hh, mm int) time.Time { return time.Date(2026, 5, 4, hh, mm, 0, 0, time.UTC) }
		if !c.DueAt.Equal(mon(16, 0)) {
			t.Fatalf("due %v, want Monday 16:00", c.DueAt)
		}
		jobs, err := db.Jobs(ctx, h.ws.ID, store.JobPending, alert.KindEscalate, 10)
		if err != nil || len(jobs) != 2 {
			t.Fatalf("escalation jobs %v %v", jobs, err)
		}
		runAt := map[time.Time]bool{jobs[0].RunAt: true, jobs[1].RunAt: true}
		if !runAt[mon(14, 0)] || !runAt[mon(16, 0)] {
			t.Fatalf("escalations at %v, want Monday 14:00 and 16:00", runAt)
		}
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
		level := func() int {
			t.Helper()
			v, err := h.svc.Case(ctx, h.ws.ID, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return v.EscalationLevel
		}
		clk.Set(time.Date(2026, 5, 2, 12, 0, 0, 0, time.UTC)) // Saturday noon: 19 wall-clock hours later
		runDue()
		if level() != 0 {
			t.Fatal("escalated during the weekend")
		}
		clk.Set(mon(14, 0))
		runDue()
		if level() != 1 {
			t.Fatalf("level %d on Monday 14:00", level())
		}
		clk.Set(mon(16, 1))
		runDue()
		if level() != 2 {
			t.Fatalf("level %d after the due time", level())
		}

		clk.Set(mon(17, 0))
		if _, err := h.svc.PatchCase(ctx, h.ws.ID, c.ID, alert.CasePatch{Status: ptr("resolved")}); err != nil {
			t.Fatal(err)
		}
		clk.Set(mon(17, 30))
		re, err := h.svc.PatchCase(ctx, h.ws.ID, c.ID, alert.CasePatch{Status: ptr("open")})
		if want := time.Date(2026, 5, 5, 16, 30, 0, 0, time.UTC); err != nil || !re.DueAt.Equal(want) {
			t.Fatalf("reopened due %v (%v), want Tuesday 16:30", re.DueAt, err)
		}

		// Without business hours the SLA is wall-clock time again.
		if _, err := h.svc.SetBusinessHours(ctx, h.ws.ID, nil); err != nil {
			t.Fatal(err)
		}
		h.ingest(detractor("still late", "b@example.com", 3))
		cases, _ = h.svc.ListCases(ctx, h.ws.ID, store.CaseFilter{})
		if len(cases) != 2 || !cases[0].DueAt.Equal(mon(17, 30).Add(8*time.Hour)) {
			t.Fatalf("wall-clock due %v", cases[0].DueAt)
		}
	})
}
