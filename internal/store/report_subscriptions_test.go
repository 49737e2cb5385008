package store_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// Report subscriptions round-trip on both databases, and every query is
// scoped by workspace: another workspace's subscription can be neither read,
// changed, recorded on nor deleted.
func TestReportSubscriptionsScopedByWorkspace(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, err := db.CreateWorkspace(ctx, "a", "A", "Europe/Moscow")
		if err != nil {
			t.Fatal(err)
		}
		b, err := db.CreateWorkspace(ctx, "b", "B", "Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		u := mustMember(t, db, a, "boss@a.example", store.RoleManager)
		actor := store.AuditActor{UserID: u.ID, Name: "boss@a.example"}
		created := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		sa, err := db.CreateReportSubscription(ctx, a.ID, store.ReportSubscription{Recipients: []string{"x@a.example", "y@a.example"},
			Lang: "ru", Weekday: 1, Hour: 8, Enabled: true, CreatedBy: &u.ID, CreatedAt: created}, actor)
		if err != nil {
			t.Fatal(err)
		}
		sb, err := db.CreateReportSubscription(ctx, b.ID, store.ReportSubscription{Recipients: []string{"z@b.example"},
			Lang: "zh", Weekday: 5, Hour: 17, Enabled: false}, actor)
		if err != nil {
			t.Fatal(err)
		}

		got, err := db.ReportSubscription(ctx, a.ID, sa.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got.Recipients, sa.Recipients) || got.Lang != "ru" || got.Weekday != 1 || got.Hour != 8 || !got.Enabled ||
			got.CreatedBy == nil || *got.CreatedBy != u.ID || !got.CreatedAt.Equal(created) || got.LastSentAt != nil {
			t.Fatalf("round trip %+v", got)
		}
		list, err := db.ReportSubscriptions(ctx, a.ID)
		if err != nil || len(list) != 1 || list[0].ID != sa.ID {
			t.Fatalf("list of A %+v %v", list, err)
		}

		// Workspace B's id through workspace A: not found, and untouched.
		if _, err := db.ReportSubscription(ctx, a.ID, sb.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("read across workspaces: %v", err)
		}
		evil := sb
		evil.Recipients, evil.Enabled, evil.UpdatedAt = []string{"attacker@evil.example"}, true, time.Now()
		if err := db.UpdateReportSubscription(ctx, a.ID, evil, actor); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("update across workspaces: %v", err)
		}
		if err := db.RecordReportSent(ctx, a.ID, sb.ID, "2026-03-02", time.Now(), ""); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("record across workspaces: %v", err)
		}
		if err := db.RecordReportError(ctx, a.ID, sb.ID, "x"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("record error across workspaces: %v", err)
		}
		if err := db.DeleteReportSubscription(ctx, a.ID, sb.ID, actor); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("delete across workspaces: %v", err)
		}
		if got, err := db.ReportSubscription(ctx, b.ID, sb.ID); err != nil || got.Recipients[0] != "z@b.example" || got.Enabled {
			t.Errorf("B's subscription changed: %+v %v", got, err)
		}

		// The scheduler sees enabled subscriptions of every workspace with
		// their time zone.
		sched, err := db.ScheduledReports(ctx)
		if err != nil || len(sched) != 1 || sched[0].ID != sa.ID || sched[0].WorkspaceID != a.ID || sched[0].Timezone != "Europe/Moscow" {
			t.Fatalf("scheduled %+v %v", sched, err)
		}
		sb.Enabled, sb.Hour, sb.UpdatedAt = true, 6, time.Now()
		if err := db.UpdateReportSubscription(ctx, b.ID, sb, actor); err != nil {
			t.Fatal(err)
		}
		if sched, _ := db.ScheduledReports(ctx); len(sched) != 2 || sched[1].Timezone != "Asia/Shanghai" || sched[1].Hour != 6 {
			t.Fatalf("scheduled after enabling %+v", sched)
		}

		// A scheduled send records its week; one by hand keeps it.
		at := time.Date(2026, 3, 9, 5, 0, 0, 0, time.UTC)
		if err := db.RecordReportError(ctx, a.ID, sa.ID, "smtp dial: refused"); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordReportSent(ctx, a.ID, sa.ID, "2026-03-02", at, ""); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordReportSent(ctx, a.ID, sa.ID, "", at.Add(time.Hour), "rejected: [y@a.example]"); err != nil {
			t.Fatal(err)
		}
		got, _ = db.ReportSubscription(ctx, a.ID, sa.ID)
		if got.LastPeriod != "2026-03-02" || got.LastSentAt == nil || !got.LastSentAt.Equal(at.Add(time.Hour)) || got.LastError != "rejected: [y@a.example]" {
			t.Fatalf("recorded %+v", got)
		}

		if err := db.DeleteReportSubscription(ctx, a.ID, sa.ID, actor); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ReportSubscription(ctx, a.ID, sa.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}

		// Every change is audited in its own workspace, with the recipients;
		// the refused cross-workspace attempts left nothing.
		wantAudit := map[int64][]string{
			a.ID: {"report_subscription.delete", "report_subscription.create"},
			b.ID: {"report_subscription.update", "report_subscription.create"},
		}
		for ws, want := range wantAudit {
			log, err := db.AuditLog(ctx, ws, 10)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range log {
				got = append(got, e.Action)
				if e.Actor != "boss@a.example" || e.Details["recipients"] == nil {
					t.Errorf("audit entry %+v: want the actor and the recipients", e)
				}
			}
			if strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("workspace %d audit %v, want %v", ws, got, want)
			}
		}
	})
}
