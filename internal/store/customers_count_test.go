package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// checkCustomerCount compares the kept customer count with COUNT(*).
func checkCustomerCount(t *testing.T, db *store.DB, ws int64, when string) int {
	t.Helper()
	ctx := context.Background()
	got, err := db.CountCustomers(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	want, err := db.CountCustomersRaw(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("%s: workspace %d counts %d customers, COUNT(*) says %d", when, ws, got, want)
	}
	return got
}

// TestCustomerCountIsExact checks the kept count equals COUNT(*) after
// ingest (new and known identities, duplicates, a failed batch), imports,
// merges and concurrent writers of the same new identities — on
// PostgreSQL these race, and the loser's profiles are dropped — and that
// one workspace's customers never count in another's.
func TestCustomerCountIsExact(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := mustWorkspace(t, db, "count-a"), mustWorkspace(t, db, "count-b")
		if n := checkCustomerCount(t, db, a.ID, "new workspace"); n != 0 {
			t.Fatalf("new workspace counts %d customers", n)
		}
		r := rand.New(rand.NewPCG(14, 2))
		person := func() store.CustomerInput {
			in := store.CustomerInput{Identities: []store.Identity{{Kind: store.IdentityEmail, Value: fmt.Sprintf("p%d@example.com", r.IntN(300))}}}
			if r.IntN(3) == 0 {
				in.Identities = append(in.Identities, store.Identity{Kind: store.IdentityPhone, Value: fmt.Sprintf("+7900%07d", r.IntN(300))})
			}
			return in
		}
		at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		for round := 0; round < 5; round++ {
			batch := make([]store.NewFeedback, 120)
			for i := range batch {
				batch[i] = item("hi", at)
				batch[i].Item.ExternalID = fmt.Sprintf("r%d-%d", round, r.IntN(200)) // some repeat: duplicates
				if r.IntN(5) > 0 {
					batch[i].Customer = person()
				}
			}
			if _, err := db.InsertFeedback(ctx, a.ID, batch, nil); err != nil {
				t.Fatal(err)
			}
			checkCustomerCount(t, db, a.ID, fmt.Sprintf("ingest round %d", round))
		}

		// A batch that fails rolls its new customers back with it.
		before := checkCustomerCount(t, db, a.ID, "before a failed batch")
		bad := []store.NewFeedback{item("ok", at), item("bad", at)}
		bad[0].Customer = store.CustomerInput{Identities: []store.Identity{{Kind: store.IdentityEmail, Value: "rolled-back@example.com"}}}
		bad[1].Item.EmployeeID = ptr(int64(1 << 40)) // no such employee: the insert fails
		if _, err := db.InsertFeedback(ctx, a.ID, bad, nil); err == nil {
			t.Fatal("a batch with a missing employee was stored")
		}
		if n := checkCustomerCount(t, db, a.ID, "after a failed batch"); n != before {
			t.Fatalf("a failed batch changed the count %d → %d", before, n)
		}

		// An import of many customers at once.
		inputs := make([]store.CustomerInput, 500)
		for i := range inputs {
			inputs[i] = person()
			if i%7 == 0 {
				inputs[i] = store.CustomerInput{Name: "no identities"}
			}
		}
		if _, err := db.UpsertCustomers(ctx, a.ID, inputs); err != nil {
			t.Fatal(err)
		}
		checkCustomerCount(t, db, a.ID, "import")

		// Merges: each folds one profile away; a refused merge changes nothing.
		list, err := db.Customers(ctx, a.ID, store.CustomerFilter{Limit: 20})
		if err != nil || len(list) < 6 {
			t.Fatalf("customers: %d, %v", len(list), err)
		}
		for i := 0; i+1 < 6; i += 2 {
			if err := db.MergeCustomers(ctx, a.ID, list[i].ID, list[i+1].ID, "test"); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.MergeCustomers(ctx, a.ID, list[0].ID, list[1].ID, "test"); err == nil {
			t.Fatal("merging a merged customer again was accepted")
		}
		checkCustomerCount(t, db, a.ID, "merges")

		// Concurrent writers creating the same new people.
		var wg sync.WaitGroup
		errs := make(chan error, 6)
		for w := 0; w < 6; w++ {
			wg.Go(func() {
				batch := make([]store.NewFeedback, 40)
				for i := range batch {
					batch[i] = item("race", at)
					batch[i].Customer = store.CustomerInput{Identities: []store.Identity{{Kind: store.IdentityEmail, Value: fmt.Sprintf("race%d@example.com", (i+w)%50)}}}
				}
				if _, err := db.InsertFeedback(ctx, a.ID, batch, nil); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		checkCustomerCount(t, db, a.ID, "concurrent writers")

		// The other workspace saw none of it.
		if n := checkCustomerCount(t, db, b.ID, "other workspace"); n != 0 {
			t.Fatalf("workspace b counts %d customers", n)
		}
		if _, err := db.UpsertCustomer(ctx, b.ID, store.CustomerInput{Identities: []store.Identity{{Kind: store.IdentityEmail, Value: "p1@example.com"}}}); err != nil {
			t.Fatal(err)
		}
		if n := checkCustomerCount(t, db, b.ID, "other workspace"); n != 1 {
			t.Fatalf("workspace b counts %d customers, want 1", n)
		}
		checkCustomerCount(t, db, a.ID, "after b's customer")
	})
}
