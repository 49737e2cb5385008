package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestGroupCommitIsolatesFailures sends concurrent grouped writes, some of
// which a hook refuses and some of which repeat one external id: the
// refused ones store nothing, the repeats store one item, every other write
// is stored, and the writes did share transactions.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "acme")
		errRefused := errors.New("refused by the hook")
		db.AddFeedbackHook(func(ctx context.Context, tx *store.Tx, _ int64, items []store.FeedbackItem) error {
			for _, it := range items {
				switch it.Text {
				case "slow": // holds the transaction so the others queue up behind it
					time.Sleep(100 * time.Millisecond)
				case "bad":
					return errRefused
				}
			}
			return nil
		})
		now := time.Now()
		if _, err := db.InsertFeedbackGrouped(ctx, ws.ID, []store.NewFeedback{item("warm-up", now)}, nil); err != nil {
			t.Fatal(err)
		}
		go func() { _, _ = db.InsertFeedbackGrouped(ctx, ws.ID, []store.NewFeedback{item("slow", now)}, nil) }()
		time.Sleep(20 * time.Millisecond)
		const good, bad, dup = 60, 10, 10
		var wg sync.WaitGroup
		errs := make([]error, good+bad+dup)
		dups := make([]bool, good+bad+dup)
		for i := range errs {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				nf := item(fmt.Sprint("good ", i), now)
				switch {
				case i >= good+bad:
					nf.Item.Text, nf.Item.ExternalID = "repeat", "ext-1"
				case i >= good:
					nf.Item.Text = "bad"
				}
				res, err := db.InsertFeedbackGrouped(ctx, ws.ID, []store.NewFeedback{nf}, nil)
				errs[i] = err
				if err == nil {
					dups[i] = res.Duplicates[0]
				}
			}(i)
		}
		wg.Wait()
		firsts := 0
		for i, err := range errs {
			switch {
			case i < good && err != nil:
				t.Errorf("write %d failed: %v", i, err)
			case i >= good && i < good+bad && !errors.Is(err, errRefused):
				t.Errorf("refused write %d: err %v", i, err)
			case i >= good+bad && err != nil:
				t.Errorf("repeat %d failed: %v", i, err)
			case i >= good+bad && !dups[i]:
				firsts++
			}
		}
		if firsts != 1 {
			t.Errorf("%d repeats of one external id stored as new, want 1", firsts)
		}
		time.Sleep(150 * time.Millisecond) // the slow write commits too
		page, err := db.ListFeedback(ctx, ws.ID, store.FeedbackFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		want := 1 + 1 + good + 1 // warm-up, slow, good ones, one repeat
		if len(page.Items) != want {
			t.Errorf("stored %d items, want %d", len(page.Items), want)
		}
		for _, it := range page.Items {
			if it.Text == "bad" {
				t.Errorf("a refused write was stored: %+v", it)
			}
		}
		txs, calls := db.GroupStats()
		t.Logf("%d grouped calls in %d transactions", calls, txs)
		if txs >= calls {
			t.Errorf("no transaction was shared: %d calls in %d transactions", calls, txs)
		}
	})
}
