package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// kindQueries are the questions rollup_kind_slices answers — items of one
// or two kinds, by or filtered on one other dimension, or neither; by day
// and not — over the whole range and a part of it.
func kindQueries(from, to store.Day) []store.RollupQuery {
	values := map[string][]string{"channel": genChannels, "region": genRegions, "segment": genSegments,
		"touchpoint": genTouchpoints, "stage": genStages, "lang": genLangs,
		"employee": {"", "1", "2", "3"}, "survey": {"", "1", "2"}, "topic": genTopics}
	var qs []store.RollupQuery
	for i, kinds := range [][]string{{"mention"}, {"review", "survey_response"}} {
		a, b := from, to
		if i == 1 {
			a, b = from+500, from+1500
		}
		for _, byDay := range []bool{false, true} {
			qs = append(qs, store.RollupQuery{From: a, To: b, ByDay: byDay, Filters: map[string][]string{"kind": kinds}})
			for _, dim := range store.RollupDims {
				if dim == "kind" {
					continue
				}
				one := values[dim][1:2]
				two := values[dim][:2]
				if dim == "topic" {
					two = one // several topics need by=topic
				}
				qs = append(qs,
					store.RollupQuery{From: a, To: b, ByDay: byDay, Dims: []string{dim}, Filters: map[string][]string{"kind": kinds}},
					store.RollupQuery{From: a, To: b, ByDay: byDay, Filters: map[string][]string{"kind": kinds, dim: one}},
					store.RollupQuery{From: a, To: b, ByDay: byDay, Filters: map[string][]string{"kind": kinds, dim: two}},
					store.RollupQuery{From: a, To: b, ByDay: byDay, Dims: []string{dim}, Filters: map[string][]string{"kind": kinds, dim: values[dim][:2]}})
			}
		}
	}
	return qs
}

// TestKindSlicesMatchRawItems: queries with a kind filter, which read
// rollup_kind_slices, equal a recomputation from raw items after ingest,
// re-analysis and removal, and after migration 014 fills the table from the
// cubes; one workspace never sees another's.
func TestKindSlicesMatchRawItems(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(14, 5))
		g := &itemGen{r: r, transitions: map[int64][]time.Time{}}
		zones := map[int64]*time.Location{}
		var wss []int64
		for _, tz := range []string{"Europe/Moscow", "America/New_York"} {
			ws, err := db.CreateWorkspace(ctx, fmt.Sprintf("kinds-%d", len(wss)), tz, tz)
			if err != nil {
				t.Fatal(err)
			}
			zones[ws.ID] = store.LoadLocation(tz)
			g.transitions[ws.ID] = dstTransitions(zones[ws.ID], time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC))
			wss = append(wss, ws.ID)
			for range 3 {
				batch := make([]store.NewFeedback, 300)
				for i := range batch {
					batch[i] = g.item(ws.ID, zones[ws.ID])
				}
				if _, err := db.InsertFeedback(ctx, ws.ID, batch, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		from, to := store.DayFromDate(2009, 12, 25), store.DayFromDate(2016, 1, 5)
		qs := kindQueries(from, to)
		check := func(when string) {
			t.Helper()
			for _, ws := range wss {
				t.Logf("%s, workspace %d", when, ws)
				checkRollups(t, db, ws, allItems(t, db, ws), zones[ws], qs)
			}
		}
		check("after ingest")

		items := allItems(t, db, wss[0])
		var ups []store.ItemAnalysis
		for _, it := range items[:400] {
			ups = append(ups, randomAnalysis(r, it.ID))
		}
		if _, err := db.UpdateAnalyses(ctx, wss[0], ups, nil); err != nil {
			t.Fatal(err)
		}
		check("after re-analysis")

		if err := db.RefillKindSlicesFromCubes(ctx); err != nil {
			t.Fatal(err)
		}
		check("after the migration's fill")

		gone := allItems(t, db, wss[1])[:500]
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.RemoveFromRollups(ctx, wss[1], gone) }); err != nil {
			t.Fatal(err)
		}
		kept := allItems(t, db, wss[1])[500:]
		checkRollups(t, db, wss[1], kept, zones[wss[1]], qs)

		if _, err := db.RollupCounts(ctx, wss[0], store.RollupQuery{From: from, To: to,
			Filters: map[string][]string{"kind": {"mention"}, "employee": {"x"}}}); err == nil {
			t.Error("an employee filter that is not an id was accepted")
		}
	})
}
