package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestCaseInbox covers the inbox queries on both engines: filters, both
// orders with their cursors, the tab counts, workspace scoping, and making
// a member the owner of cases.
func TestCaseInbox(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, _ := db.CreateWorkspace(ctx, "a", "A", "UTC")
		b, _ := db.CreateWorkspace(ctx, "b", "B", "UTC")
		u, err := db.CreateUser(ctx, "agent@example.com", "Oleg", "", "")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.AddMember(ctx, a.ID, u.ID, store.RoleAgent); err != nil {
			t.Fatal(err)
		}
		// The member gets one employee record, made once.
		owner, err := db.CaseOwnerForUser(ctx, a.ID, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if again, err := db.CaseOwnerForUser(ctx, a.ID, u.ID); err != nil || again != owner {
			t.Fatalf("second call: %d %v, want %d", again, err, owner)
		}
		if _, err := db.CaseOwnerForUser(ctx, b.ID, u.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("owner in a workspace the user is not a member of: %v", err)
		}
		members, err := db.CaseMembers(ctx, a.ID)
		if err != nil || len(members) != 1 || members[0].EmployeeID == nil || *members[0].EmployeeID != owner || members[0].Role != store.RoleAgent {
			t.Fatalf("members %+v %v", members, err)
		}
		if m, _ := db.CaseMembers(ctx, b.ID); len(m) != 0 {
			t.Fatalf("members across workspaces: %+v", m)
		}

		var batch []store.NewFeedback
		for i := range 6 {
			batch = append(batch, store.NewFeedback{Item: store.FeedbackItem{Kind: "survey_response", Channel: "web",
				Text: fmt.Sprint("item ", i), NPS: &i, Sentiment: "negative", OccurredAt: time.Now()},
				Customer: store.CustomerInput{Name: "Anna", Identities: []store.Identity{{Kind: store.IdentityEmail, Value: "anna@example.com"}}}})
		}
		res, err := db.InsertFeedback(ctx, a.ID, batch, nil)
		if err != nil {
			t.Fatal(err)
		}
		bRes, err := db.InsertFeedback(ctx, b.ID, batch[:1], nil)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now().Truncate(time.Millisecond)
		// Cases due in 5, 4, 3, 2, 1, 0 hours - 30 min; 0 and 1 are owned,
		// 2 is escalated and in team "vip", 3 is resolved.
		it, err := db.Feedback(ctx, a.ID, res.IDs[0])
		if err != nil || it.CustomerID == nil {
			t.Fatalf("item %+v %v", it, err)
		}
		var ids []int64
		err = db.InTx(ctx, func(tx *store.Tx) error {
			for i, item := range append(res.IDs, bRes.IDs[0]) {
				ws := a.ID
				if i == len(res.IDs) {
					ws = b.ID
				}
				c := store.Case{WorkspaceID: ws, FeedbackID: &item, Title: fmt.Sprint("case ", i), SLAMinutes: 600,
					DueAt: now.Add(time.Duration(5-i)*time.Hour - 30*time.Minute), CreatedAt: now}
				if i < 2 {
					c.OwnerEmployeeID, c.CustomerID = &owner, it.CustomerID
				}
				if i == 2 {
					c.Team = "vip"
				}
				c, _, err := tx.InsertCase(ctx, c)
				if err != nil {
					return err
				}
				switch i {
				case 2:
					c.EscalationLevel = 1
				case 3:
					c.Status, c.RootCause = store.CaseResolved, "courier"
				}
				if err := tx.SaveCase(ctx, c); err != nil {
					return err
				}
				ids = append(ids, c.ID)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		inbox := func(f store.CaseInboxFilter) []int64 {
			t.Helper()
			f.Now = now
			rows, err := db.CaseInbox(ctx, a.ID, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, r := range rows {
				out = append(out, r.ID)
			}
			return out
		}
		same := func(what string, got []int64, want ...int64) {
			t.Helper()
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: %v, want %v", what, got, want)
			}
		}
		active := []string{store.CaseOpen, store.CaseInProgress, store.CaseWaiting}
		same("active by due", inbox(store.CaseInboxFilter{Statuses: active}), ids[5], ids[4], ids[2], ids[1], ids[0])
		same("all newest first", inbox(store.CaseInboxFilter{Order: store.CaseByNewest}), ids[5], ids[4], ids[3], ids[2], ids[1], ids[0])
		same("mine", inbox(store.CaseInboxFilter{OwnerID: owner}), ids[1], ids[0])
		same("unassigned", inbox(store.CaseInboxFilter{Unassigned: true, Statuses: active}), ids[5], ids[4], ids[2])
		same("overdue", inbox(store.CaseInboxFilter{Overdue: true}), ids[5])
		same("escalated", inbox(store.CaseInboxFilter{Escalated: true}), ids[2])
		same("team", inbox(store.CaseInboxFilter{Team: "vip"}), ids[2])
		same("resolved", inbox(store.CaseInboxFilter{Statuses: []string{store.CaseResolved}}), ids[3])

		// Keyset pages in both orders.
		page := inbox(store.CaseInboxFilter{Statuses: active, Limit: 2})
		rows, _ := db.CaseInbox(ctx, a.ID, store.CaseInboxFilter{Statuses: active, Limit: 2})
		cur, err := store.ParseCaseCursor(rows[1].Cursor().String())
		if err != nil {
			t.Fatal(err)
		}
		same("first page", page, ids[5], ids[4])
		same("second page", inbox(store.CaseInboxFilter{Statuses: active, Limit: 2, After: cur}), ids[2], ids[1])
		same("newest after", inbox(store.CaseInboxFilter{Order: store.CaseByNewest, After: store.CaseCursor{ID: ids[2]}}), ids[1], ids[0])
		if _, err := store.ParseCaseCursor("x.1"); !errors.Is(err, store.ErrBadCursor) {
			t.Errorf("bad cursor: %v", err)
		}

		// A row carries what the inbox shows.
		rows, _ = db.CaseInbox(ctx, a.ID, store.CaseInboxFilter{OwnerID: owner, Limit: 1})
		if r := rows[0]; r.CustomerName != "Anna" || r.OwnerName != "Oleg" || r.NPS == nil || *r.NPS != 1 || r.Sentiment != "negative" || r.Channel != "web" {
			t.Errorf("row %+v", r)
		}

		counts, err := db.CaseInboxCounts(ctx, a.ID, owner, now)
		if err != nil {
			t.Fatal(err)
		}
		if want := (store.CaseCounts{Active: 5, Mine: 2, Unassigned: 3, Overdue: 1, Escalated: 1}); counts != want {
			t.Errorf("counts %+v, want %+v", counts, want)
		}
		if counts, _ := db.CaseInboxCounts(ctx, b.ID, owner, now); counts.Active != 1 || counts.Mine != 0 {
			t.Errorf("counts of b %+v", counts)
		}
		if c, err := db.CaseForFeedback(ctx, a.ID, res.IDs[2]); err != nil || c.ID != ids[2] {
			t.Errorf("case for feedback: %v %v", c.ID, err)
		}
		if _, err := db.CaseForFeedback(ctx, b.ID, res.IDs[2]); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("case for feedback across workspaces: %v", err)
		}
		if _, err := db.UpsertEmployee(ctx, a.ID, store.EmployeeInput{ExternalID: "v", Name: "V", Team: "vip"}); err != nil {
			t.Fatal(err)
		}
		if teams, err := db.CaseTeams(ctx, a.ID); err != nil || fmt.Sprint(teams) != "[vip]" {
			t.Errorf("teams %v %v", teams, err)
		}
		if causes, err := db.CaseRootCauses(ctx, a.ID); err != nil || fmt.Sprint(causes) != "[courier]" {
			t.Errorf("root causes %v %v", causes, err)
		}
	})
}
