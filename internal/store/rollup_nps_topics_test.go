package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"vox/internal/metrics"
	"vox/internal/store"
	"vox/internal/testutil"
)

// rawNPSTopicSets groups the NPS answers among items of the local days
// [from, to] as store.NPSTopicSets must, computed from the raw items with
// the metrics package's definition of the outcome.
func rawNPSTopicSets(items []store.FeedbackItem, loc *time.Location, from, to store.Day) []store.NPSTopicSet {
	counts := map[string]*store.NPSTopicSet{}
	for _, it := range items {
		day := store.DayFromDate(metrics.Bucket(it.OccurredAt, loc, metrics.GrainDay).Date())
		if it.NPS == nil || day < from || day > to {
			continue
		}
		var topics []string
		for _, tp := range it.Topics {
			if tp != "" && !slices.Contains(topics, tp) {
				topics = append(topics, tp)
			}
		}
		slices.Sort(topics)
		if topics == nil {
			topics = []string{}
		}
		set := store.NPSTopicSet{Stage: it.Stage, Touchpoint: it.Touchpoint, Outcome: metrics.NPSCategory(*it.NPS), Topics: topics}
		k := fmt.Sprintf("%q", []any{set.Stage, set.Touchpoint, set.Outcome, set.Topics})
		if counts[k] == nil {
			counts[k] = &set
		}
		counts[k].Answers++
	}
	out := []store.NPSTopicSet{}
	for _, s := range counts {
		out = append(out, *s)
	}
	store.SortNPSTopicSets(out)
	return out
}

// checkNPSTopicSets compares the rollup's topic sets with the raw answers.
func checkNPSTopicSets(t *testing.T, db *store.DB, ws int64, items []store.FeedbackItem, loc *time.Location, from, to store.Day) {
	t.Helper()
	got, err := db.NPSTopicSets(context.Background(), ws, from, to)
	if err != nil {
		t.Fatal(err)
	}
	want := rawNPSTopicSets(items, loc, from, to)
	if len(got) == 0 {
		got = []store.NPSTopicSet{}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("NPS topic sets of %s..%s:\n got %v\nwant %v", from, to, got, want)
	}
}

// TestNPSTopicSetsMigrationFill checks migration 014's Go step: on items
// stored before the table existed it gives what ingest maintains, per
// workspace and never mixing them.
func TestNPSTopicSetsMigrationFill(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(14, 1))
		g := &itemGen{r: r, transitions: map[int64][]time.Time{}}
		zones := map[int64]*time.Location{}
		var wss []int64
		for _, tz := range []string{"Asia/Shanghai", "America/New_York"} {
			ws, err := db.CreateWorkspace(ctx, "fill-"+fmt.Sprint(len(wss)), tz, tz)
			if err != nil {
				t.Fatal(err)
			}
			zones[ws.ID] = store.LoadLocation(tz)
			g.transitions[ws.ID] = dstTransitions(zones[ws.ID], time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC))
			wss = append(wss, ws.ID)
			batch := make([]store.NewFeedback, 400)
			for i := range batch {
				batch[i] = g.item(ws.ID, zones[ws.ID])
			}
			if _, err := db.InsertFeedback(ctx, ws.ID, batch, nil); err != nil {
				t.Fatal(err)
			}
		}
		from, to := store.DayFromDate(2009, 12, 25), store.DayFromDate(2016, 1, 5)
		before := map[int64][]store.NPSTopicSet{}
		for _, ws := range wss {
			sets, err := db.NPSTopicSets(ctx, ws, from, to)
			if err != nil || len(sets) == 0 {
				t.Fatalf("no topic sets: %v", err)
			}
			before[ws] = sets
		}
		if err := db.FillNPSTopicRollupsAfresh(ctx); err != nil {
			t.Fatal(err)
		}
		for _, ws := range wss {
			items := allItems(t, db, ws)
			checkNPSTopicSets(t, db, ws, items, zones[ws], from, to)
			checkNPSTopicSets(t, db, ws, items, zones[ws], from+700, from+1400)
			after, _ := db.NPSTopicSets(ctx, ws, from, to)
			if fmt.Sprint(after) != fmt.Sprint(before[ws]) {
				t.Fatalf("workspace %d: the fill differs from what ingest kept", ws)
			}
		}
		// A workspace without answers has no sets, whatever the others hold.
		empty := mustWorkspace(t, db, "fill-empty")
		if sets, err := db.NPSTopicSets(ctx, empty.ID, from, to); err != nil || len(sets) != 0 {
			t.Fatalf("empty workspace: %v %v", sets, err)
		}
	})
}

func TestTopicSetKey(t *testing.T) {
	for _, c := range []struct {
		in   []string
		want string
	}{
		{nil, `[]`},
		{[]string{""}, `[]`},
		{[]string{"queue", "app", "queue", ""}, `["app","queue"]`},
		{[]string{`a"b`, "Ä"}, `["a\"b","Ä"]`},
	} {
		if got := store.TopicSetKey(c.in); got != c.want {
			t.Errorf("TopicSetKey(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}
