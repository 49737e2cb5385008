package store_test

import (
	"context"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// TestAdaptationsSaveReplaceAndScope checks a fit round-trips, a second fit
// of the same language replaces the first, only active fits are listed for
// ingest, and another workspace sees none of it.
func TestAdaptationsSaveReplaceAndScope(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := mustWorkspace(t, db, "a"), mustWorkspace(t, db, "b")
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		ru := store.Adaptation{WorkspaceID: a.ID, Lang: "ru", Model: "m20-1", Adjustment: `{"version":1}`, Examples: 300,
			Positives: 120, Negatives: 180, HeldOut: 60, ScoreBase: 0.71, ScoreAdapted: 0.83, Active: true, FittedAt: at}
		en := store.Adaptation{WorkspaceID: a.ID, Lang: "en", Model: "m20-1", Examples: 250, Positives: 100,
			Negatives: 150, HeldOut: 50, ScoreBase: 0.8, ScoreAdapted: 0.7, Active: false, FittedAt: at}
		for _, x := range []store.Adaptation{ru, en} {
			if err := db.SaveAdaptation(ctx, x); err != nil {
				t.Fatal(err)
			}
		}
		all, err := db.Adaptations(ctx, a.ID, false)
		if err != nil || len(all) != 2 || all[0] != en || all[1] != ru {
			t.Fatalf("all fits: %+v %v", all, err)
		}
		active, err := db.Adaptations(ctx, a.ID, true)
		if err != nil || len(active) != 1 || active[0] != ru {
			t.Fatalf("active fits: %+v %v", active, err)
		}
		ru2 := ru
		ru2.Adjustment, ru2.Examples, ru2.ScoreAdapted, ru2.FittedAt = `{"version":1,"examples":400}`, 400, 0.85, at.Add(24*time.Hour)
		if err := db.SaveAdaptation(ctx, ru2); err != nil {
			t.Fatal(err)
		}
		active, _ = db.Adaptations(ctx, a.ID, true)
		if len(active) != 1 || active[0] != ru2 {
			t.Fatalf("after refit: %+v", active)
		}
		stamps, err := db.AdaptationStamps(ctx, a.ID)
		if err != nil || len(stamps) != 2 || stamps[1] != (store.AdaptationStamp{Lang: "ru", Model: "m20-1", Active: true, FittedAt: ru2.FittedAt}) {
			t.Fatalf("stamps: %+v %v", stamps, err)
		}
		if got, _ := db.Adaptations(ctx, b.ID, false); len(got) != 0 {
			t.Fatalf("workspace b sees a's fits: %+v", got)
		}
		if got, _ := db.AdaptationStamps(ctx, b.ID); len(got) != 0 {
			t.Fatalf("workspace b sees a's stamps: %+v", got)
		}
	})
}

// TestRatedTexts checks that only the workspace's rated items with text are
// read, the newest up to the limit, returned oldest first.
func TestRatedTexts(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := mustWorkspace(t, db, "a"), mustWorkspace(t, db, "b")
		t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var batch []store.NewFeedback
		for i := 0; i < 10; i++ {
			it := item("текст", t0.Add(time.Duration(i)*time.Hour))
			switch i % 4 {
			case 0:
				it.Item.NPS = ptr(i)
			case 1:
				it.Item.CSAT, it.Item.CSATScale = ptr(2), ptr(5)
			case 2:
				it.Item.NPS = ptr(9)
				it.Item.Text = "" // no text: no label
			case 3: // no rating
			}
			batch = append(batch, it)
		}
		if _, err := db.InsertFeedback(ctx, a.ID, batch, nil); err != nil {
			t.Fatal(err)
		}
		other := item("чужой", t0)
		other.Item.NPS = ptr(10)
		if _, err := db.InsertFeedback(ctx, b.ID, []store.NewFeedback{other}, nil); err != nil {
			t.Fatal(err)
		}
		got, err := db.RatedTexts(ctx, a.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		var hours []int
		for _, r := range got {
			hours = append(hours, int(r.OccurredAt.Sub(t0)/time.Hour))
		}
		if want := []int{0, 1, 4, 5, 8, 9}; len(hours) != len(want) || hours[0] != 0 || hours[5] != 9 {
			t.Fatalf("rated texts at hours %v, want %v", hours, want)
		}
		if got[0].NPS == nil || *got[0].NPS != 0 || got[1].CSAT == nil || *got[1].CSAT != 2 || *got[1].CSATScale != 5 {
			t.Fatalf("ratings: %+v %+v", got[0], got[1])
		}
		newest, _ := db.RatedTexts(ctx, a.ID, 2)
		if len(newest) != 2 || newest[0].OccurredAt != t0.Add(8*time.Hour) || newest[1].OccurredAt != t0.Add(9*time.Hour) {
			t.Fatalf("limit keeps the newest, oldest first: %+v", newest)
		}
	})
}
