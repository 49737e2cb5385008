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

func ptr[T any](v T) *T { return &v }

func mustWorkspace(t *testing.T, db *store.DB, slug string) store.Workspace {
	t.Helper()
	ws, err := db.CreateWorkspace(context.Background(), slug, slug, "Europe/Moscow")
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func item(text string, at time.Time) store.NewFeedback {
	return store.NewFeedback{Item: store.FeedbackItem{Kind: "review", Channel: "web", Text: text, OccurredAt: at}}
}

func TestMigrateIsRepeatable(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		applied, err := db.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
	})
}

func TestIdentityResolutionAndMerge(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "a")
		id1, err := db.UpsertCustomer(ctx, ws.ID, store.CustomerInput{Name: "Анна",
			Identities: []store.Identity{{Kind: store.IdentityEmail, Value: " Anna@Example.com"}}})
		if err != nil {
			t.Fatal(err)
		}
		// Same email in another case plus a new phone: same customer, phone attached.
		id2, err := db.UpsertCustomer(ctx, ws.ID, store.CustomerInput{Identities: []store.Identity{
			{Kind: store.IdentityPhone, Value: "+7 (916) 123-45-67"}, {Kind: store.IdentityEmail, Value: "anna@example.com"}}})
		if err != nil {
			t.Fatal(err)
		}
		if id1 != id2 {
			t.Fatalf("same email resolved to %d and %d", id1, id2)
		}
		c, err := db.Customer(ctx, ws.ID, id1)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Identities) != 2 || c.Name != "Анна" {
			t.Fatalf("customer = %+v", c)
		}
		// A Telegram profile that later turns out to be Anna.
		tg, err := db.UpsertCustomer(ctx, ws.ID, store.CustomerInput{Identities: []store.Identity{{Kind: store.IdentityTelegramUsername, Value: "@AnnaK"}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.InsertFeedback(ctx, ws.ID, []store.NewFeedback{{Item: store.FeedbackItem{Kind: "mention",
			Channel: "telegram", Text: "спасибо", OccurredAt: time.Now(), CustomerID: &tg}}}, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.MergeCustomers(ctx, ws.ID, id1, tg, "test"); err != nil {
			t.Fatal(err)
		}
		page, err := db.ListFeedback(ctx, ws.ID, store.FeedbackFilter{CustomerID: id1})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Items) != 1 {
			t.Fatalf("merged customer has %d items", len(page.Items))
		}
		again, _ := db.UpsertCustomer(ctx, ws.ID, store.CustomerInput{Identities: []store.Identity{{Kind: store.IdentityTelegramUsername, Value: "annak"}}})
		if again != id1 {
			t.Fatalf("telegram identity resolves to %d after merge, want %d", again, id1)
		}
		log, err := db.AuditLog(ctx, ws.ID, 10)
		if err != nil || len(log) != 1 || log[0].Action != "customer.merge" {
			t.Fatalf("audit = %+v, %v", log, err)
		}
		if err := db.MergeCustomers(ctx, ws.ID, id1, id1, "test"); err == nil {
			t.Fatal("self-merge accepted")
		}
	})
}

func TestFeedbackListFiltersAndCursor(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "a")
		base := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
		var batch []store.NewFeedback
		for i := 0; i < 25; i++ {
			nf := item(fmt.Sprintf("Доставка №%d ОПОЗДАЛА", i), base.Add(time.Duration(i)*time.Hour))
			if i%2 == 0 {
				nf.Item.Channel, nf.Item.Lang, nf.Item.Text = "sms", "en", fmt.Sprintf("great 100%% service %d", i)
			}
			nf.Item.NPS = ptr(i % 11)
			batch = append(batch, nf)
		}
		if _, err := db.InsertFeedback(ctx, ws.ID, batch, nil); err != nil {
			t.Fatal(err)
		}
		var got []int64
		cursor := ""
		for {
			page, err := db.ListFeedback(ctx, ws.ID, store.FeedbackFilter{Limit: 7, Cursor: cursor})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page.Items {
				got = append(got, it.ID)
			}
			if page.NextCursor == "" {
				break
			}
			cursor = page.NextCursor
		}
		if len(got) != 25 {
			t.Fatalf("paged through %d items, want 25", len(got))
		}
		for i := 1; i < len(got); i++ {
			if got[i] == got[i-1] {
				t.Fatal("duplicate across pages")
			}
		}
		cases := []struct {
			f    store.FeedbackFilter
			want int
		}{
			{store.FeedbackFilter{Channel: "sms"}, 13},
			{store.FeedbackFilter{Q: "опоздала"}, 12}, // Cyrillic case folding
			{store.FeedbackFilter{Q: "100%"}, 13},     // % is literal, not a wildcard
			{store.FeedbackFilter{Lang: "en", Channel: "sms"}, 13},
			{store.FeedbackFilter{From: base.Add(10 * time.Hour), To: base.Add(20 * time.Hour)}, 10},
		}
		for _, c := range cases {
			page, err := db.ListFeedback(ctx, ws.ID, c.f)
			if err != nil {
				t.Fatal(err)
			}
			if len(page.Items) != c.want {
				t.Errorf("%+v: %d items, want %d", c.f, len(page.Items), c.want)
			}
		}
		if _, err := db.ListFeedback(ctx, ws.ID, store.FeedbackFilter{Cursor: "!!"}); !errors.Is(err, store.ErrBadCursor) {
			t.Fatalf("bad cursor: %v", err)
		}
	})
}

func TestExternalIDAndIdempotencyUnderConcurrency(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "a")
		mk := func() []store.NewFeedback {
			var b []store.NewFeedback
			for i := 0; i < 50; i++ {
				nf := item(fmt.Sprintf("text %d", i), time.Now())
				nf.Item.ExternalID = fmt.Sprintf("ext-%d", i)
				nf.Customer = store.CustomerInput{Identities: []store.Identity{{Kind: store.IdentityEmail, Value: fmt.Sprintf("c%d@x.io", i%5)}}}
				b = append(b, nf)
			}
			return b
		}
		var wg sync.WaitGroup
		results := make([]store.InsertResult, 16)
		errs := make([]error, 16)
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				results[i], errs[i] = db.InsertFeedback(ctx, ws.ID, mk(), &store.Idempotency{Key: "k1", RequestHash: "h"})
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("retry %d: %v", i, err)
			}
			if fmt.Sprint(results[i].IDs) != fmt.Sprint(results[0].IDs) {
				t.Fatalf("retry %d returned other ids", i)
			}
		}
		// Without the key, concurrent batches still de-duplicate by external_id.
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				results[i], errs[i] = db.InsertFeedback(ctx, ws.ID, mk(), nil)
			}(i)
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("batch %d: %v", i, err)
			}
			if fmt.Sprint(results[i].IDs) != fmt.Sprint(results[0].IDs) {
				t.Fatalf("batch %d returned other ids", i)
			}
		}
		n, _ := db.CountFeedback(ctx, ws.ID)
		if n != 50 {
			t.Fatalf("stored %d items, want 50", n)
		}
		cs, _ := db.Customers(ctx, ws.ID, store.CustomerFilter{})
		if len(cs) != 5 {
			t.Fatalf("%d customers, want 5", len(cs))
		}
		if _, err := db.InsertFeedback(ctx, ws.ID, mk(), &store.Idempotency{Key: "k1", RequestHash: "other"}); !errors.Is(err, store.ErrIdempotencyConflict) {
			t.Fatalf("reused key with another body: %v", err)
		}
	})
}

// TestExternalIDsInMixedBatch: a batch mixing new items, items stored by an
// earlier batch and an external id repeated inside the batch stores each
// external id once and answers every position with the first stored id.
func TestExternalIDsInMixedBatch(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "a")
		withExt := func(ext string) store.NewFeedback {
			nf := item("text "+ext, time.Now())
			nf.Item.ExternalID = ext
			return nf
		}
		first, err := db.InsertFeedback(ctx, ws.ID, []store.NewFeedback{withExt("old")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := db.InsertFeedback(ctx, ws.ID, []store.NewFeedback{withExt("new"), withExt("old"), withExt("new"), withExt("other")}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.IDs[1] != first.IDs[0] || res.IDs[2] != res.IDs[0] || res.IDs[3] == res.IDs[0] {
			t.Fatalf("ids %v (first batch %v)", res.IDs, first.IDs)
		}
		if want := []bool{false, true, true, false}; fmt.Sprint(res.Duplicates) != fmt.Sprint(want) {
			t.Fatalf("duplicates %v, want %v", res.Duplicates, want)
		}
		if n, _ := db.CountFeedback(ctx, ws.ID); n != 3 {
			t.Fatalf("stored %d items, want 3", n)
		}
	})
}

func TestWorkspaceIsolation(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := mustWorkspace(t, db, "a"), mustWorkspace(t, db, "b")
		nf := item("secret of A", time.Now())
		nf.Item.ExternalID = "same"
		nf.Customer = store.CustomerInput{Identities: []store.Identity{{Kind: store.IdentityEmail, Value: "x@y.z"}}}
		ra, err := db.InsertFeedback(ctx, a.ID, []store.NewFeedback{nf}, nil)
		if err != nil {
			t.Fatal(err)
		}
		nf = item("B's own", time.Now())
		nf.Item.ExternalID = "same"
		nf.Customer = store.CustomerInput{Identities: []store.Identity{{Kind: store.IdentityEmail, Value: "x@y.z"}}}
		rb, err := db.InsertFeedback(ctx, b.ID, []store.NewFeedback{nf}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rb.Duplicates[0] {
			t.Fatal("B's item was treated as a duplicate of A's")
		}
		if _, err := db.Feedback(ctx, b.ID, ra.IDs[0]); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("B read A's item: %v", err)
		}
		itA, _ := db.Feedback(ctx, a.ID, ra.IDs[0])
		if _, err := db.Customer(ctx, b.ID, *itA.CustomerID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("B read A's customer: %v", err)
		}
		page, _ := db.ListFeedback(ctx, b.ID, store.FeedbackFilter{Q: "secret"})
		if len(page.Items) != 0 {
			t.Fatal("B's search found A's text")
		}
		if err := db.MergeCustomers(ctx, b.ID, *itA.CustomerID, *itA.CustomerID+1, "x"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("B merged A's customers: %v", err)
		}
		if _, err := db.InsertTransactions(ctx, b.ID, []store.Transaction{{CustomerID: *itA.CustomerID, Amount: 1,
			Currency: "RUB", OccurredAt: time.Now()}}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("B wrote a transaction on A's customer: %v", err)
		}
	})
}

func TestTransactionsAndChurn(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "a")
		cid, _ := db.UpsertCustomer(ctx, ws.ID, store.CustomerInput{Identities: []store.Identity{{Kind: store.IdentityExternalID, Value: "crm-1"}}})
		txs := []store.Transaction{{CustomerID: cid, Amount: 1500, Currency: "RUB", OccurredAt: time.Now(), ExternalID: "o1"},
			{CustomerID: cid, Amount: 700, Currency: "RUB", OccurredAt: time.Now(), ExternalID: "o2"}}
		if n, err := db.InsertTransactions(ctx, ws.ID, txs); err != nil || n != 2 {
			t.Fatalf("insert: %d, %v", n, err)
		}
		if n, err := db.InsertTransactions(ctx, ws.ID, txs); err != nil || n != 0 {
			t.Fatalf("re-insert: %d, %v", n, err)
		}
		if _, err := db.InsertChurnEvent(ctx, ws.ID, store.ChurnEvent{CustomerID: cid, OccurredAt: time.Now(), Reason: "price"}); err != nil {
			t.Fatal(err)
		}
		c, _ := db.Customer(ctx, ws.ID, cid)
		if c.Status != "churned" {
			t.Fatalf("status %q", c.Status)
		}
		got, _ := db.CustomerTransactions(ctx, ws.ID, cid, 10)
		if len(got) != 2 {
			t.Fatalf("%d transactions", len(got))
		}
	})
}

func TestAPIKeys(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "a")
		k, secret, err := db.CreateAPIKey(ctx, ws.ID, "ci")
		if err != nil {
			t.Fatal(err)
		}
		lastUsed := func() *time.Time {
			t.Helper()
			infos, err := db.APIKeyInfos(ctx, ws.ID)
			if err != nil || len(infos) != 1 {
				t.Fatalf("key infos: %v, %v", infos, err)
			}
			return infos[0].LastUsedAt
		}
		if lastUsed() != nil {
			t.Fatal("a new key has a last-used time")
		}
		before := time.Now().Add(-time.Second)
		if got, err := db.WorkspaceForAPIKey(ctx, secret); err != nil || got != ws.ID {
			t.Fatalf("auth: %d, %v", got, err)
		}
		first := lastUsed()
		if first == nil || first.Before(before) {
			t.Fatalf("last used after a request = %v, want about now", first)
		}
		if _, err := db.WorkspaceForAPIKey(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if again := lastUsed(); again == nil || !again.Equal(*first) {
			t.Fatalf("a second request within the minute rewrote last used: %v → %v", first, again)
		}
		if err := db.RevokeAPIKey(ctx, ws.ID+1, k.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another workspace revoked the key: %v", err)
		}
		if err := db.RevokeAPIKey(ctx, ws.ID, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.WorkspaceForAPIKey(ctx, secret); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoked key still works: %v", err)
		}
	})
}
