package web

import (
	"context"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestWebPageQueries runs the pages' store queries on both databases.
func TestWebPageQueries(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, err := db.CreateWorkspace(ctx, "acme", "Acme", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		other, err := db.CreateWorkspace(ctx, "globex", "Globex", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
		cust := store.CustomerInput{Name: "Anna", Identities: []store.Identity{{Kind: store.IdentityEmail, Value: "anna@example.com"}}}
		emp := store.EmployeeInput{ExternalID: "E1", Name: "Olga"}
		res, err := db.InsertFeedback(ctx, ws.ID, []store.NewFeedback{
			{Item: store.FeedbackItem{Kind: "survey_response", Channel: "email", NPS: ptr(3), OccurredAt: at}, Customer: cust},
			{Item: store.FeedbackItem{Kind: "survey_response", Channel: "telegram", NPS: ptr(9), Sentiment: "positive",
				Text: "Olga was great", OccurredAt: at.Add(time.Hour)}, Customer: cust, Employee: emp},
			{Item: store.FeedbackItem{Kind: "review", Channel: "telegram", Sentiment: "negative", OccurredAt: at.Add(2 * time.Hour)},
				Customer: cust, Employee: emp},
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		// The same customer identity in another workspace is another customer.
		if _, err := db.InsertFeedback(ctx, other.ID, []store.NewFeedback{{Item: store.FeedbackItem{Kind: "review",
			Channel: "web", NPS: ptr(10), Sentiment: "positive", OccurredAt: at}, Customer: cust, Employee: emp}}, nil); err != nil {
			t.Fatal(err)
		}
		it, err := db.Feedback(ctx, ws.ID, res.IDs[0])
		if err != nil {
			t.Fatal(err)
		}
		cid := *it.CustomerID
		hist, err := db.CustomerNPSHistory(ctx, ws.ID, cid, 10)
		if err != nil || len(hist) != 2 || hist[0].Score != 3 || hist[1].Score != 9 {
			t.Errorf("nps history %+v %v", hist, err)
		}
		if h, _ := db.CustomerNPSHistory(ctx, other.ID, cid, 10); len(h) != 0 {
			t.Errorf("history leaks across workspaces: %+v", h)
		}
		chans, err := db.CustomerChannels(ctx, ws.ID, cid)
		if err != nil || len(chans) != 2 || chans[0].Channel != "telegram" || chans[0].Items != 2 || !chans[0].Last.Equal(at.Add(2*time.Hour)) {
			t.Errorf("channels %+v %v", chans, err)
		}
		if _, err := db.InsertTransactions(ctx, ws.ID, []store.Transaction{{CustomerID: cid, Amount: 100.5, Currency: "RUB", OccurredAt: at},
			{CustomerID: cid, Amount: 50, Currency: "RUB", OccurredAt: at.Add(time.Hour)}, {CustomerID: cid, Amount: 7, Currency: "USD", OccurredAt: at}}); err != nil {
			t.Fatal(err)
		}
		rev, err := db.CustomerRevenue(ctx, ws.ID, cid)
		if err != nil || len(rev) != 2 || rev[0].Currency != "RUB" || rev[0].Total != 150.5 || rev[0].Count != 2 {
			t.Errorf("revenue %+v %v", rev, err)
		}
		praise, err := db.PraiseFeed(ctx, ws.ID, 0, 10)
		if err != nil || len(praise) != 1 || praise[0].Text != "Olga was great" {
			t.Errorf("praise %+v %v", praise, err)
		}
		if p, _ := db.PraiseFeed(ctx, ws.ID, *praise[0].EmployeeID+1000, 10); len(p) != 0 {
			t.Errorf("praise of another employee: %+v", p)
		}
		latest, err := db.LatestFeedbackID(ctx, ws.ID)
		if err != nil || latest != res.IDs[2] {
			t.Errorf("latest %d %v", latest, err)
		}
		n, last, err := db.FeedbackSince(ctx, ws.ID, res.IDs[0], 0)
		if err != nil || n != 2 || last != res.IDs[2] {
			t.Errorf("since: %d %d %v", n, last, err)
		}
		n, last, err = db.FeedbackSince(ctx, ws.ID, latest, 0)
		if err != nil || n != 0 || last != latest {
			t.Errorf("since latest: %d %d %v", n, last, err)
		}
		if n, _, _ := db.FeedbackSince(ctx, ws.ID, 0, *praise[0].EmployeeID); n != 2 {
			t.Errorf("since for employee: %d", n)
		}
		empty, _ := db.CreateWorkspace(ctx, "empty", "Empty", "UTC")
		if id, err := db.LatestFeedbackID(ctx, empty.ID); err != nil || id != 0 {
			t.Errorf("latest of empty: %d %v", id, err)
		}
	})
}
