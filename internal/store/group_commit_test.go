package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
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

// TestGroupedRollupsMatchRawItems checks the rollups of grouped writes,
// whose additions are summed per group and written once: concurrent
// single-item writes to two workspaces, some refused by a hook and some
// repeating an external id, leave rollups equal to a recomputation from the
// items stored.
func TestGroupedRollupsMatchRawItems(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(7, 11))
		errRefused := errors.New("refused by the hook")
		db.AddFeedbackHook(func(ctx context.Context, tx *store.Tx, _ int64, items []store.FeedbackItem) error {
			for _, it := range items {
				switch it.Text {
				case "slow": // lets the others queue up, so that they share transactions
					time.Sleep(30 * time.Millisecond)
				case "bad":
					return errRefused
				}
			}
			return nil
		})
		wss, zones, g := zonedWorkspaces(t, db, r)
		type write struct {
			ws int64
			nf store.NewFeedback
		}
		writes := make([]write, 1200)
		for i := range writes {
			ws := pick(r, wss)
			nf := g.item(ws, zones[ws])
			switch {
			case i%100 == 0:
				nf.Item.Text = "slow"
			case r.IntN(8) == 0:
				nf.Item.Text = "bad"
			}
			writes[i] = write{ws, nf}
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, 64)
		for _, w := range writes {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer func() { <-sem; wg.Done() }()
				_, err := db.InsertFeedbackGrouped(ctx, w.ws, []store.NewFeedback{w.nf}, nil)
				if err != nil && !(w.nf.Item.Text == "bad" && errors.Is(err, errRefused)) {
					t.Errorf("write %q: %v", w.nf.Item.Text, err)
				}
			}()
		}
		wg.Wait()
		txs, calls := db.GroupStats()
		t.Logf("%d grouped calls in %d transactions", calls, txs)
		if txs*2 > calls {
			t.Errorf("too little grouping to test: %d calls in %d transactions", calls, txs)
		}
		from, to := store.DayFromDate(2009, 12, 25), store.DayFromDate(2016, 1, 5)
		for _, ws := range wss {
			items := allItems(t, db, ws)
			for _, it := range items {
				if it.Text == "bad" {
					t.Fatalf("a refused write was stored: %+v", it)
				}
			}
			checkRollups(t, db, ws, items, zones[ws], randomQueries(r, from, to))
		}
	})
}
