package alert_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"vox/internal/alert"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestGroupedAnswersFireTheirRules sends survey answers concurrently, as
// the hosted page does (they share group commits, which read the rules
// once per group): every detractor opens exactly one case for its own item,
// every promoter none, in two workspaces with different rules.
func TestGroupedAnswersFireTheirRules(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		h := newHarness(t, db, alert.Options{})
		other, err := db.CreateWorkspace(ctx, "other", "Other", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		h.rule(`{"name":"Detractor","conditions":[{"field":"nps","op":"lte","value":6}],"actions":[{"type":"open_case"}]}`)
		const n = 120
		var wg sync.WaitGroup
		detractors := map[int64]bool{}
		var mu sync.Mutex
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ws, score := h.ws.ID, 9
				if i%3 == 0 {
					score = 2
				}
				if i%5 == 0 { // the other workspace has no rule: its detractors open nothing
					ws = other.ID
				}
				nf := detractor(fmt.Sprint("answer ", i), fmt.Sprintf("c%d@example.com", i), score)
				nf.Item.Kind, nf.Item.Channel, nf.Item.OccurredAt = "survey_response", "web", time.Now()
				res, err := db.InsertFeedbackGrouped(ctx, ws, []store.NewFeedback{nf}, nil)
				if err != nil {
					t.Error(err)
					return
				}
				if ws == h.ws.ID && score <= 6 {
					mu.Lock()
					detractors[res.IDs[0]] = true
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if txs, calls := db.GroupStats(); txs >= calls {
			t.Logf("no transaction was shared (%d calls in %d transactions): the test checked less", calls, txs)
		}
		cases, err := h.svc.ListCases(ctx, h.ws.ID, store.CaseFilter{Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		seen := map[int64]int{}
		for _, c := range cases {
			if c.FeedbackID == nil || !detractors[*c.FeedbackID] {
				t.Errorf("case %d for item %v, which is no detractor of this workspace", c.ID, c.FeedbackID)
				continue
			}
			seen[*c.FeedbackID]++
		}
		for id := range detractors {
			if seen[id] != 1 {
				t.Errorf("detractor item %d has %d cases, want 1", id, seen[id])
			}
		}
		if l, _ := h.svc.ListCases(ctx, other.ID, store.CaseFilter{}); len(l) != 0 {
			t.Errorf("the workspace without rules has %d cases", len(l))
		}
	})
}
