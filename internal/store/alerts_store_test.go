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

// TestActingTables covers the store side of rules, alerts, cases and
// webhook endpoints on both engines: dedupe keys, one case per item, the
// failure streak of an endpoint, and workspace scoping.
func TestActingTables(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := db.CreateWorkspace(ctx, "a", "A", "UTC")
		b, _ := db.CreateWorkspace(ctx, "b", "B", "UTC")
		r, err := db.CreateRule(ctx, a.ID, store.Rule{Name: "r", Enabled: true, Match: "all",
			Conditions: json.RawMessage(`[{"field":"nps","op":"lte","value":6}]`), Actions: json.RawMessage(`[{"type":"webhook"}]`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Rule(ctx, b.ID, r.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("rule across workspaces: %v", err)
		}
		res, err := db.InsertFeedback(ctx, a.ID, []store.NewFeedback{{Item: store.FeedbackItem{Kind: "review", Channel: "web",
			Text: "x", OccurredAt: time.Now()}}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		item := res.IDs[0]
		now := time.Now().Truncate(time.Millisecond)
		err = db.InTx(ctx, func(tx *store.Tx) error {
			for i, wantCreated := range []bool{true, false} {
				_, created, err := tx.InsertAlert(ctx, store.Alert{WorkspaceID: a.ID, Kind: store.AlertRule, DedupeKey: "k"})
				if err != nil || created != wantCreated {
					t.Errorf("alert %d: created %v err %v", i, created, err)
				}
			}
			c1, created, err := tx.InsertCase(ctx, store.Case{WorkspaceID: a.ID, FeedbackID: &item, SLAMinutes: 60, DueAt: now.Add(time.Hour), CreatedAt: now})
			if err != nil || !created {
				t.Fatalf("case: %v %v", created, err)
			}
			c2, created, err := tx.InsertCase(ctx, store.Case{WorkspaceID: a.ID, FeedbackID: &item, SLAMinutes: 5, DueAt: now, CreatedAt: now})
			if err != nil || created || c2.ID != c1.ID || c2.SLAMinutes != 60 {
				t.Fatalf("second case for one item: %+v %v %v", c2, created, err)
			}
			n, err := tx.NextRoundRobin(ctx, a.ID, r.ID)
			if n2, _ := tx.NextRoundRobin(ctx, a.ID, r.ID); err != nil || n != 0 || n2 != 1 {
				t.Fatalf("round robin %d %d %v", n, n2, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if l, _ := db.ListCases(ctx, b.ID, store.CaseFilter{}); len(l) != 0 {
			t.Fatal("cases across workspaces")
		}
		if l, _ := db.ListCases(ctx, a.ID, store.CaseFilter{Overdue: true, Now: now.Add(2 * time.Hour)}); len(l) != 1 {
			t.Fatal("overdue filter")
		}

		ep, err := db.CreateWebhook(ctx, a.ID, "https://example.com/h", []string{"case.created"}, "whsec_x")
		if err != nil || !ep.Subscribed("case.created") || ep.Subscribed("feedback.created") {
			t.Fatalf("webhook %+v %v", ep, err)
		}
		t1 := now.Add(-time.Hour)
		since, err := db.RecordWebhookFailure(ctx, a.ID, ep.ID, 500, "boom", t1)
		if err != nil || !since.Equal(t1) {
			t.Fatalf("first failure: %v %v", since, err)
		}
		if since, _ = db.RecordWebhookFailure(ctx, a.ID, ep.ID, 503, "boom", now); !since.Equal(t1) {
			t.Fatalf("streak start moved to %v", since)
		}
		if _, err := db.RecordWebhookFailure(ctx, b.ID, ep.ID, 500, "x", now); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("failure across workspaces: %v", err)
		}
		_ = db.RecordWebhookSuccess(ctx, a.ID, ep.ID, 200, now)
		got, _ := db.Webhook(ctx, a.ID, ep.ID)
		if got.FailingSince != nil || got.Failures != 2 || got.Successes != 1 {
			t.Fatalf("health %+v", got)
		}
		if err := db.RotateWebhookSecret(ctx, a.ID, ep.ID, "whsec_y", now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		got, _ = db.Webhook(ctx, a.ID, ep.ID)
		if s := got.Secrets(now); len(s) != 2 || s[0] != "whsec_y" || s[1] != "whsec_x" {
			t.Fatalf("secrets in overlap %v", s)
		}
		if s := got.Secrets(now.Add(2 * time.Hour)); len(s) != 1 {
			t.Fatalf("secrets after overlap %v", s)
		}

		counts, err := db.HourlyChannelCounts(ctx, a.ID, now.Add(-2*time.Hour), 3)
		if err != nil || len(counts) != 1 || counts[0].Value != "web" || counts[0].Total != 1 || counts[0].Hour != 1 && counts[0].Hour != 2 {
			t.Fatalf("hourly counts %+v %v", counts, err)
		}
	})
}
