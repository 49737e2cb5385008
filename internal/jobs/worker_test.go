package jobs_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"vox/internal/jobs"
	"vox/internal/store"
	"vox/internal/testutil"
)

func TestRetriesThenSucceedsOnBothDBs(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, _ := db.CreateWorkspace(ctx, "w", "W", "UTC")
		ids, err := db.EnqueueJobs(ctx, ws.ID, []store.NewJob{{Kind: "test.flaky", Payload: `{"n":1}`, DedupeKey: "a"},
			{Kind: "test.flaky", DedupeKey: "a"}})
		if err != nil {
			t.Fatal(err)
		}
		if ids[0] == 0 || ids[1] != 0 {
			t.Fatalf("dedupe: ids %v", ids)
		}
		var calls atomic.Int32
		w := &jobs.Worker{DB: db, Schedule: []time.Duration{time.Millisecond}}
		w.Handle("test.flaky", func(ctx context.Context, j store.Job) error {
			if calls.Add(1) < 3 {
				return errors.New("receiver down")
			}
			return nil
		})
		for i := 0; i < 20 && calls.Load() < 3; i++ {
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			time.Sleep(5 * time.Millisecond)
		}
		j, err := db.Job(ctx, ws.ID, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != store.JobDone || j.Attempts != 3 {
			t.Fatalf("job = %+v", j)
		}
	})
}

func TestDeadLetterAndRequeue(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, _ := db.CreateWorkspace(ctx, "w", "W", "UTC")
		ids, _ := db.EnqueueJobs(ctx, ws.ID, []store.NewJob{{Kind: "test.bad", MaxAttempts: 2}})
		w := &jobs.Worker{DB: db, Schedule: []time.Duration{time.Millisecond}}
		w.Handle("test.bad", func(ctx context.Context, j store.Job) error { return errors.New("410 gone") })
		for i := 0; i < 10; i++ {
			_, _ = w.RunOnce(ctx)
			time.Sleep(3 * time.Millisecond)
		}
		dead, err := db.Jobs(ctx, ws.ID, store.JobDead, "test.", 10)
		if err != nil || len(dead) != 1 || dead[0].ID != ids[0] || dead[0].LastError != "410 gone" {
			t.Fatalf("dead letters = %+v, %v", dead, err)
		}
		other, _ := db.CreateWorkspace(ctx, "o", "O", "UTC")
		if err := db.RequeueDeadJob(ctx, other.ID, ids[0]); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another workspace requeued the job: %v", err)
		}
		if err := db.RequeueDeadJob(ctx, ws.ID, ids[0]); err != nil {
			t.Fatal(err)
		}
		j, _ := db.Job(ctx, ws.ID, ids[0])
		if j.Status != store.JobPending || j.Attempts != 0 {
			t.Fatalf("requeued job = %+v", j)
		}
	})
}

func TestExpiredLeaseIsClaimedAgain(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, _ := db.CreateWorkspace(ctx, "w", "W", "UTC")
		_, _ = db.EnqueueJobs(ctx, ws.ID, []store.NewJob{{Kind: "k"}})
		now := time.Now()
		first, err := db.ClaimJobs(ctx, []string{"k"}, 10, time.Minute, now)
		if err != nil || len(first) != 1 {
			t.Fatalf("claim: %v %v", first, err)
		}
		if again, _ := db.ClaimJobs(ctx, []string{"k"}, 10, time.Minute, now.Add(time.Second)); len(again) != 0 {
			t.Fatal("a leased job was claimed twice")
		}
		// The worker "died": after the lease the job is claimed again.
		later, _ := db.ClaimJobs(ctx, []string{"k"}, 10, time.Minute, now.Add(2*time.Minute))
		if len(later) != 1 || later[0].ID != first[0].ID || later[0].Attempts != 2 {
			t.Fatalf("reclaim = %+v", later)
		}
	})
}
