package alert_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestDeliveriesAndRetry lists an endpoint's deliveries from the real jobs
// a test event queues, and retries a dead one; other endpoints' and other
// workspaces' jobs are never listed nor retried.
func TestDeliveriesAndRetry(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		woken := 0
		h := newHarness(t, db, alert.Options{})
		svc := alert.New(db, alert.Options{Wake: func() { woken++ }})
		other, _ := db.CreateWorkspace(ctx, "other", "Other", "UTC")
		ep, _, err := svc.CreateWebhook(ctx, h.ws.ID, "https://hooks.example.com/a", []string{"*"})
		if err != nil {
			t.Fatal(err)
		}
		ep2, _, err := svc.CreateWebhook(ctx, h.ws.ID, "https://hooks.example.com/b", []string{"*"})
		if err != nil {
			t.Fatal(err)
		}
		msg, err := svc.SendTestEvent(ctx, h.ws.ID, ep.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SendTestEvent(ctx, h.ws.ID, ep2.ID); err != nil {
			t.Fatal(err)
		}
		ds, err := svc.Deliveries(ctx, h.ws.ID, ep.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].MessageID != msg || ds[0].Event != alert.EventTest || ds[0].Status != store.JobPending {
			t.Fatalf("deliveries: %+v", ds)
		}
		if _, err := svc.Deliveries(ctx, other.ID, ep.ID, 10); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("deliveries from another workspace: %v", err)
		}
		job := ds[0].JobID
		// Not dead yet: nothing to retry.
		if err := svc.RetryDelivery(ctx, h.ws.ID, ep.ID, job); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("retry of a pending delivery: %v", err)
		}
		if err := db.RetryJob(ctx, job, errors.New("HTTP 500"), time.Time{}); err != nil {
			t.Fatal(err)
		}
		for _, bad := range []struct{ ws, ep int64 }{{other.ID, ep.ID}, {h.ws.ID, ep2.ID}} {
			if err := svc.RetryDelivery(ctx, bad.ws, bad.ep, job); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("retry as ws %d endpoint %d: %v", bad.ws, bad.ep, err)
			}
		}
		before := woken
		if err := svc.RetryDelivery(ctx, h.ws.ID, ep.ID, job); err != nil {
			t.Fatal(err)
		}
		j, err := db.Job(ctx, h.ws.ID, job)
		if err != nil || j.Status != store.JobPending || j.Attempts != 0 || woken != before+1 {
			t.Fatalf("after retry: %+v %v woken %d", j, err, woken)
		}
	})
}
