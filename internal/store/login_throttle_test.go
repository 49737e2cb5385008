package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestLoginThrottle: the shared counters lock an account after its budget,
// count concurrent failures exactly (several replicas at once), restart an
// IP's window once it is over, and are pruned when idle.
func TestLoginThrottle(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := store.LoginLimits{IPMax: 3, IPWindow: time.Minute, AccountMax: 2, Lockout: 10 * time.Minute}
		now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
		allowed := func(ip, acc string, at time.Time) bool {
			t.Helper()
			ok, err := db.LoginAllowed(ctx, ip, acc, at, l)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if locked, err := db.RecordLoginFailure(ctx, "1.1.1.1", "a@x", now, l); err != nil || locked {
			t.Fatalf("first failure: %v %v", locked, err)
		}
		if locked, err := db.RecordLoginFailure(ctx, "2.2.2.2", "a@x", now, l); err != nil || !locked {
			t.Fatalf("second failure should lock: %v %v", locked, err)
		}
		if allowed("9.9.9.9", "a@x", now.Add(time.Minute)) || !allowed("9.9.9.9", "b@x", now) {
			t.Fatal("lockout is not per account")
		}
		later := now.Add(l.Lockout)
		if !allowed("9.9.9.9", "a@x", later) {
			t.Fatal("lockout did not end")
		}
		// A served lockout starts a fresh count.
		if locked, _ := db.RecordLoginFailure(ctx, "9.9.9.9", "a@x", later, l); locked {
			t.Fatal("one failure after a served lockout locked again")
		}
		if err := db.ClearLoginFailures(ctx, "a@x"); err != nil {
			t.Fatal(err)
		}

		// Concurrent attempts all count.
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := db.CountAttempt(ctx, "reset_ip", "3.3.3.3", now, time.Minute); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if n, err := db.CountAttempt(ctx, "reset_ip", "3.3.3.3", now, time.Minute); err != nil || n != 21 {
			t.Fatalf("count after 20 concurrent attempts: %d, %v", n, err)
		}
		if n, _ := db.CountAttempt(ctx, "reset_ip", "3.3.3.3", now.Add(time.Minute), time.Minute); n != 1 {
			t.Fatalf("the window did not restart: %d", n)
		}
		// IP budget.
		for range 3 {
			if _, err := db.RecordLoginFailure(ctx, "4.4.4.4", "c@x", now, l); err != nil {
				t.Fatal(err)
			}
		}
		if allowed("4.4.4.4", "fresh@x", now) || !allowed("4.4.4.4", "fresh@x", now.Add(l.IPWindow)) {
			t.Fatal("IP budget or its window is wrong")
		}
		if n, err := db.PruneLoginThrottle(ctx, now.Add(time.Hour), 30*time.Minute); err != nil || n == 0 {
			t.Fatalf("prune: %d, %v", n, err)
		}
	})
}
