package alert_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/channel/notify"
	"vox/internal/channel/notify/notifytest"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestCaseSLAEqualsCaseStats: the overview's count in SQL gives CaseStats'
// overall figures (durations aside) for periods with and without cases, with
// cases acted on, resolved, overdue and still pending, and only the
// workspace's own cases.
func TestCaseSLAEqualsCaseStats(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		clk := &clock{t: t0}
		smtp := notifytest.NewSMTPServer(t)
		h := newHarness(t, db, alert.Options{Now: clk.Now, Mailer: &notify.Mailer{Addr: smtp.Addr, From: "vox@example.com"}})
		h.rule(`{"name":"Detractor","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"open_case","sla_hours":24}]}`)
		h.ingest(detractor("a", "a@example.com", 1), detractor("b", "b@example.com", 2), detractor("c", "c@example.com", 3))
		list, err := h.svc.ListCases(ctx, h.ws.ID, store.CaseFilter{})
		if err != nil || len(list) != 3 {
			t.Fatalf("cases %v %v", list, err)
		}
		clk.Set(t0.Add(2 * time.Hour))
		if _, err := h.svc.PatchCase(ctx, h.ws.ID, list[0].ID, alert.CasePatch{Status: ptr("in_progress")}); err != nil {
			t.Fatal(err)
		}
		if _, err := h.svc.Reply(ctx, h.ws.ID, list[0].ID, "on it", "agent"); err != nil {
			t.Fatal(err)
		}
		clk.Set(t0.Add(30 * time.Hour))
		if _, err := h.svc.PatchCase(ctx, h.ws.ID, list[1].ID, alert.CasePatch{Status: ptr("resolved")}); err != nil {
			t.Fatal(err)
		}
		other, err := db.CreateWorkspace(ctx, "other", "Other", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		for _, now := range []time.Time{t0.Add(3 * time.Hour), t0.Add(30 * time.Hour), t0.Add(30*time.Hour + 1500*time.Microsecond)} {
			clk.Set(now) // within 24 h of creation some cases are pending; later, overdue
			for _, p := range [][2]time.Time{{t0.Add(-time.Hour), t0.Add(time.Hour)}, {t0.Add(-time.Hour), t0.Add(72 * time.Hour)},
				{t0.Add(time.Hour), t0.Add(2 * time.Hour)}} {
				st, err := h.svc.CaseStats(ctx, h.ws.ID, p[0], p[1], "")
				if err != nil {
					t.Fatal(err)
				}
				want := st.Overall
				want.TimeToAction, want.FRT, want.ART = alert.DurationSummary{}, alert.DurationSummary{}, alert.DurationSummary{}
				got, err := h.svc.CaseSLA(ctx, h.ws.ID, p[0], p[1])
				if err != nil || !reflect.DeepEqual(got, want) {
					t.Fatalf("%v: CaseSLA %+v %v\nwant %+v", p, got, err, want)
				}
				if g, err := h.svc.CaseSLA(ctx, other.ID, p[0], p[1]); err != nil || g.Cases != 0 {
					t.Fatalf("other workspace: %+v %v", g, err)
				}
			}
		}
		if st, _ := h.svc.CaseSLA(ctx, h.ws.ID, t0.Add(-time.Hour), t0.Add(time.Hour)); st.Cases != 3 {
			t.Fatalf("%d cases, want 3", st.Cases)
		}
		if _, err := h.svc.CaseSLA(ctx, h.ws.ID, t0, t0); err == nil {
			t.Fatal("an empty period was accepted")
		}
	})
}
