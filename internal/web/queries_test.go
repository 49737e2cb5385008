package web

import (
	"context"
	"errors"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestWebQueriesOnBothDatabases runs the store queries the UI added
// (internal/store/web_queries.go) on SQLite and, in CI, PostgreSQL.
func TestWebQueriesOnBothDatabases(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, _ := db.CreateWorkspace(ctx, "a", "A", "UTC")
		other, _ := db.CreateWorkspace(ctx, "b", "B", "UTC")
		u, _ := db.CreateUser(ctx, "e@example.com", "E", "", "")
		now := time.Now()
		cust := store.CustomerInput{Name: "Anna", Identities: []store.Identity{{Kind: "email", Value: "anna@example.com"}}}
		batch := []store.NewFeedback{
			{Item: store.FeedbackItem{Kind: "review", Channel: "web", Sentiment: "positive", NPS: ptr(10), OccurredAt: now.Add(-time.Hour)},
				Customer: cust, Employee: store.EmployeeInput{ExternalID: "E1", Name: "Olga"}},
			{Item: store.FeedbackItem{Kind: "review", Channel: "web", Sentiment: "negative", NPS: ptr(2), OccurredAt: now.Add(-2 * time.Hour)}, Customer: cust},
			{Item: store.FeedbackItem{Kind: "review", Channel: "web", Sentiment: "neutral", NPS: ptr(8), OccurredAt: now.Add(-40 * 24 * time.Hour)}},
		}
		if _, err := db.InsertFeedback(ctx, ws.ID, batch, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.InsertFeedback(ctx, other.ID, []store.NewFeedback{{Item: store.FeedbackItem{Kind: "review", Channel: "web",
			Sentiment: "negative", OccurredAt: now}, Customer: cust}}, nil); err != nil {
			t.Fatal(err)
		}
		s, err := db.SummarizeFeedback(ctx, ws.ID, now.Add(-30*24*time.Hour), now, 0)
		if err != nil {
			t.Fatal(err)
		}
		want := store.FeedbackSummary{Items: 2, Positive: 1, Negative: 1, Promoters: 1, Detractors: 1, Customers: 1}
		if s != want {
			t.Fatalf("summary %+v, want %+v", s, want)
		}
		if n, err := db.CountCustomers(ctx, ws.ID); err != nil || n != 1 {
			t.Fatalf("customers %d %v", n, err)
		}
		page, _ := db.ListFeedback(ctx, ws.ID, store.FeedbackFilter{Limit: 1})
		id := *page.Items[0].CustomerID
		names, err := db.CustomerNames(ctx, ws.ID, []int64{id, id})
		if err != nil || names[id] != "Anna" {
			t.Fatalf("names %v %v", names, err)
		}
		if names, _ := db.CustomerNames(ctx, other.ID, []int64{id}); len(names) != 0 {
			t.Fatal("customer names leak across workspaces")
		}
		if _, err := db.EmployeeIDForUser(ctx, ws.ID, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unlinked employee: %v", err)
		}
		emps, _ := db.Employees(ctx, ws.ID)
		if err := db.LinkEmployeeUser(ctx, other.ID, emps[0].ID, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("link across workspaces: %v", err)
		}
		if err := db.LinkEmployeeUser(ctx, ws.ID, emps[0].ID, u.ID); err != nil {
			t.Fatal(err)
		}
		eid, err := db.EmployeeIDForUser(ctx, ws.ID, u.ID)
		if err != nil || eid != emps[0].ID {
			t.Fatalf("employee for user: %d %v", eid, err)
		}
		if s, _ := db.SummarizeFeedback(ctx, ws.ID, now.Add(-30*24*time.Hour), now, eid); s.Items != 1 || s.Promoters != 1 {
			t.Fatalf("employee summary %+v", s)
		}
		if err := db.CreateSession(ctx, store.WebSession{TokenHash: "h", UserID: u.ID, WorkspaceID: ws.ID, CSRFToken: "c",
			CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(-time.Second)}); err != nil {
			t.Fatal(err)
		}
		if n, err := db.DeleteExpiredSessions(ctx, now); err != nil || n != 1 {
			t.Fatalf("expired sessions deleted: %d %v", n, err)
		}
	})
}
