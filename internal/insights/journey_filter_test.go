package insights_test

import (
	"context"
	"errors"
	"testing"

	"vox/internal/insights"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestFilteredJourneyMap: the filtered map keeps only matching items, and
// every cell equals Metric by stage, touchpoint under the same filters (the
// web page shows one and names the other as its API twin).
func TestFilteredJourneyMap(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, err := db.CreateWorkspace(ctx, "j", "J", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		item := func(channel, region, tp string, nps int, topics ...string) store.FeedbackItem {
			return store.FeedbackItem{Kind: "survey_response", Channel: channel, Region: region, Stage: "usage", Touchpoint: tp,
				NPS: ptr(nps), Sentiment: "negative", Topics: topics, OccurredAt: at("2025-05-07T12:00:00Z")}
		}
		insert(t, db, ws.ID,
			item("telegram", "north", "delivery", 2, "late"), item("telegram", "north", "delivery", 10),
			item("telegram", "south", "delivery", 0, "late"), item("web", "north", "delivery", 9),
			item("web", "north", "store", 10, "staff"), item("telegram", "north", "store", 4))
		svc := &insights.Service{DB: db}
		day, _ := store.ParseDay("2025-05-07")
		filters := map[string][]string{"channel": {"telegram"}, "region": {"north"}}
		m, err := svc.FilteredJourneyMap(ctx, ws.ID, day, day, filters)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{"delivery": 2, "store": 1}
		if len(m.Cells) != len(want) {
			t.Fatalf("cells %+v", m.Cells)
		}
		res, err := svc.Metric(ctx, ws.ID, insights.Query{Metric: "nps", By: []string{"stage", "touchpoint"}, From: day, To: day, Filters: filters})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range m.Cells {
			if c.Volume != want[c.Touchpoint] {
				t.Errorf("%s: volume %d, want %d", c.Touchpoint, c.Volume, want[c.Touchpoint])
			}
			found := false
			for _, g := range res.Groups {
				if g.Key["stage"] == c.Stage && g.Key["touchpoint"] == c.Touchpoint {
					found = true
					if g.Value != c.NPS.Value || g.N != c.NPS.N || g.CILow != c.NPS.CILow {
						t.Errorf("%s: map %+v, metric %+v", c.Touchpoint, c.NPS, g)
					}
				}
			}
			if !found {
				t.Errorf("%s: no metric group", c.Touchpoint)
			}
		}
		for _, c := range m.Cells {
			if c.Touchpoint == "delivery" && (len(c.TopTopics) != 1 || c.TopTopics[0].Topic != "late" || c.TopTopics[0].N != 1) {
				t.Errorf("filtered topics %+v", c.TopTopics)
			}
		}
		// Unfiltered equals JourneyMap; a bad dimension is a parameter error.
		all, err := svc.FilteredJourneyMap(ctx, ws.ID, day, day, nil)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := svc.JourneyMap(ctx, ws.ID, day, day)
		if err != nil || len(all.Cells) != len(plain.Cells) || all.Cells[1].Touchpoint != "delivery" || all.Cells[1].Volume != 4 {
			t.Errorf("unfiltered %+v vs %+v (%v)", all.Cells, plain.Cells, err)
		}
		var ie *insights.InvalidError
		if _, err := svc.FilteredJourneyMap(ctx, ws.ID, day, day, map[string][]string{"color": {"red"}}); !errors.As(err, &ie) {
			t.Errorf("unknown filter: %v", err)
		}
	})
}
