package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestJobsWithPayloadPrefix proves the listing behind an endpoint's
// deliveries: only the kind and prefix asked for, LIKE wildcards in the
// prefix taken literally, newest first, other workspaces never seen.
func TestJobsWithPayloadPrefix(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := db.CreateWorkspace(ctx, "a", "A", "UTC")
		b, _ := db.CreateWorkspace(ctx, "b", "B", "UTC")
		jobs := []store.NewJob{
			{Kind: "webhook.deliver", Payload: `{"endpoint_id":7,"message_id":"m1"}`},
			{Kind: "webhook.deliver", Payload: `{"endpoint_id":70,"message_id":"m2"}`},
			{Kind: "notify.email", Payload: `{"endpoint_id":7,"to":["x@example.com"]}`},
			{Kind: "webhook.deliver", Payload: `{"endpoint_id":7,"message_id":"m3"}`},
			{Kind: "webhook.deliver", Payload: `{"endpoint_id":7_,"message_id":"m4"}`},
		}
		ids, err := db.EnqueueJobs(ctx, a.ID, jobs)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.EnqueueJobs(ctx, b.ID, jobs[:1]); err != nil {
			t.Fatal(err)
		}
		if err := db.RetryJob(ctx, ids[0], errors.New("receiver down"), time.Time{}); err != nil {
			t.Fatal(err)
		}
		got, err := db.JobsWithPayloadPrefix(ctx, a.ID, "webhook.deliver", `{"endpoint_id":7,`, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != ids[3] || got[1].ID != ids[0] {
			t.Fatalf("endpoint 7 jobs: %+v", got)
		}
		if got[1].Status != store.JobDead || got[1].LastError != "receiver down" || got[0].Status != store.JobPending {
			t.Errorf("statuses: %+v", got)
		}
		// "_" is a LIKE wildcard: escaped, it matches only itself.
		got, err = db.JobsWithPayloadPrefix(ctx, a.ID, "webhook.deliver", `{"endpoint_id":7_`, 10)
		if err != nil || len(got) != 1 || got[0].ID != ids[4] {
			t.Fatalf("literal prefix: %+v %v", got, err)
		}
		if got, _ := db.JobsWithPayloadPrefix(ctx, a.ID, "webhook.deliver", `{"endpoint_id":7,`, 1); len(got) != 1 {
			t.Errorf("limit 1 gave %d", len(got))
		}
		got, err = db.JobsWithPayloadPrefix(ctx, b.ID, "webhook.deliver", `{"endpoint_id":7,`, 10)
		if err != nil || len(got) != 1 || got[0].WorkspaceID != b.ID {
			t.Fatalf("workspace b: %+v %v", got, err)
		}
	})
}

// TestRuleFireCounts counts rule alerts per rule inside the window and the
// workspace, ignoring spike alerts and older firings.
func TestRuleFireCounts(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := db.CreateWorkspace(ctx, "a", "A", "UTC")
		b, _ := db.CreateWorkspace(ctx, "b", "B", "UTC")
		mk := func(ws int64) store.Rule {
			r, err := db.CreateRule(ctx, ws, store.Rule{Name: "r", Enabled: true, Match: "all",
				Conditions: json.RawMessage(`[{"field":"nps","op":"lte","value":6}]`), Actions: json.RawMessage(`[{"type":"webhook"}]`)})
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		r1, r2, rb := mk(a.ID), mk(a.ID), mk(b.ID)
		now := time.Now()
		since := now.Add(-7 * 24 * time.Hour)
		alerts := []store.Alert{
			{WorkspaceID: a.ID, Kind: store.AlertRule, RuleID: &r1.ID, DedupeKey: "1", CreatedAt: now},
			{WorkspaceID: a.ID, Kind: store.AlertRule, RuleID: &r1.ID, DedupeKey: "2", CreatedAt: now.Add(-time.Hour)},
			{WorkspaceID: a.ID, Kind: store.AlertRule, RuleID: &r1.ID, DedupeKey: "3", CreatedAt: since.Add(-time.Minute)},
			{WorkspaceID: a.ID, Kind: store.AlertRule, RuleID: &r2.ID, DedupeKey: "4", CreatedAt: now},
			{WorkspaceID: a.ID, Kind: store.AlertSpike, DedupeKey: "5", CreatedAt: now},
			{WorkspaceID: b.ID, Kind: store.AlertRule, RuleID: &rb.ID, DedupeKey: "6", CreatedAt: now},
		}
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for _, al := range alerts {
				if _, _, err := tx.InsertAlert(ctx, al); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.RuleFireCounts(ctx, a.ID, since)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[r1.ID] != 2 || got[r2.ID] != 1 {
			t.Fatalf("counts: %v (r1 %d, r2 %d)", got, r1.ID, r2.ID)
		}
	})
}
