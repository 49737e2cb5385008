package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestPruneIdempotencyKeys checks that keys older than the cutoff are
// forgotten in every workspace (across several delete batches), that newer
// keys still replay their first result, and that a pruned key is simply
// new again: its items are matched by external id, not stored twice.
func TestPruneIdempotencyKeys(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		var wss []int64
		for _, slug := range []string{"acme", "other"} {
			ws := mustWorkspace(t, db, slug)
			wss = append(wss, ws.ID)
		}
		const old, fresh = 6000, 3 // more old keys than one delete batch
		for _, ws := range wss {
			for i := range fresh {
				nf := item(fmt.Sprint("fresh ", i), now)
				nf.Item.ExternalID = fmt.Sprint("fresh-", i)
				if _, err := db.InsertFeedback(ctx, ws, []store.NewFeedback{nf}, &store.Idempotency{Key: fmt.Sprint("fresh-", i), RequestHash: "h"}); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Old keys, as years of API use leave them.
		if err := db.ExecBench(ctx, fmt.Sprintf(`INSERT INTO idempotency_keys (workspace_id, key, request_hash, response, created_at)
			SELECT %d, 'old-' || CAST(g AS TEXT), 'h', '{}', %d FROM (%s) s`, wss[0], now.Add(-30*24*time.Hour).UnixMilli(), series(db, old))); err != nil {
			t.Fatal(err)
		}
		n, err := db.PruneIdempotencyKeys(ctx, now.Add(-store.IdempotencyKeyRetention))
		if err != nil {
			t.Fatal(err)
		}
		if n != old {
			t.Errorf("pruned %d keys, want %d", n, old)
		}
		for _, ws := range wss {
			if c, _ := db.CountRows(ctx, "idempotency_keys", ws); c != fresh {
				t.Errorf("workspace %d keeps %d keys, want %d", ws, c, fresh)
			}
		}
		nf := item("fresh 0", now)
		nf.Item.ExternalID = "fresh-0"
		res, err := db.InsertFeedback(ctx, wss[1], []store.NewFeedback{nf}, &store.Idempotency{Key: "fresh-0", RequestHash: "h"})
		if err != nil || !res.Replayed {
			t.Errorf("a key within the window no longer replays: %+v, %v", res, err)
		}
		// Prune everything: the same request is now new, and still stores nothing twice.
		if _, err := db.PruneIdempotencyKeys(ctx, now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		res, err = db.InsertFeedback(ctx, wss[1], []store.NewFeedback{nf}, &store.Idempotency{Key: "fresh-0", RequestHash: "h"})
		if err != nil || res.Replayed || !res.Duplicates[0] {
			t.Errorf("after the prune: %+v, %v; want a new request whose item is a duplicate", res, err)
		}
	})
}

// series is a subquery of the integers 1..n on either engine.
func series(db *store.DB, n int) string {
	if db.Dialect == store.Postgres {
		return fmt.Sprintf("SELECT generate_series(1, %d) AS g", n)
	}
	return fmt.Sprintf("WITH RECURSIVE c(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM c WHERE g < %d) SELECT g FROM c", n)
}
