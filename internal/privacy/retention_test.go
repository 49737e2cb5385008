package privacy_test

import (
	"context"
	"testing"
	"time"

	"vox/internal/jobs"
	"vox/internal/privacy"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestDailyRetentionJob schedules the day's runs (twice, as two replicas
// would) and runs them on a worker: old items go, recent ones stay, and a
// workspace without a policy is not touched.
func TestDailyRetentionJob(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		var wss []int64
		for _, slug := range []string{"acme", "globex"} {
			ws, err := db.CreateWorkspace(ctx, slug, slug, "UTC")
			if err != nil {
				t.Fatal(err)
			}
			wss = append(wss, ws.ID)
			if _, err := db.InsertFeedback(ctx, ws.ID, []store.NewFeedback{
				{Item: store.FeedbackItem{Kind: "review", Channel: "web", Text: "old", NPS: new(3), OccurredAt: now.Add(-90 * 24 * time.Hour)}},
				{Item: store.FeedbackItem{Kind: "review", Channel: "web", Text: "new", NPS: new(9), OccurredAt: now.Add(-time.Hour)}},
			}, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.SetRetentionPolicy(ctx, wss[0], store.RetentionPolicy{Days: 30}, store.AuditActor{Name: "admin"}); err != nil {
			t.Fatal(err)
		}
		r := &privacy.Retention{DB: db, Now: func() time.Time { return now }, Batch: 1}
		for range 2 {
			if err := r.Schedule(ctx); err != nil {
				t.Fatal(err)
			}
		}
		w := &jobs.Worker{DB: db}
		r.Register(w)
		n, err := w.RunOnce(ctx)
		if err != nil || n != 1 {
			t.Fatalf("ran %d jobs, want 1: %v", n, err)
		}
		for i, want := range []int{1, 2} {
			if got, err := db.CountFeedback(ctx, wss[i]); err != nil || got != want {
				t.Errorf("workspace %d: %d items, want %d (%v)", i, got, want, err)
			}
		}
		if n, _ := db.CountFeedback(ctx, wss[0]); n == 1 {
			page, _ := db.ListFeedback(ctx, wss[0], store.FeedbackFilter{})
			if page.Items[0].Text != "new" {
				t.Errorf("kept %q", page.Items[0].Text)
			}
		}
	})
}
