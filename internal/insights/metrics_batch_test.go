package insights_test

import (
	"context"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"vox/internal/insights"
	"vox/internal/metrics"
	"vox/internal/store"
	"vox/internal/testutil"
)

// TestMetricsEqualsMetric: the batched read gives, query by query, exactly
// what Metric gives — for the overview's cards (with and without filters),
// its mentions card and the mentions page, and for sets it cannot share a
// read for (topics, different filters).
func TestMetricsEqualsMetric(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, err := db.CreateWorkspace(ctx, "batch", "B", "Asia/Shanghai")
		if err != nil {
			t.Fatal(err)
		}
		r := rand.New(rand.NewPCG(14, 6))
		pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
		start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var items []store.FeedbackItem
		for range 2000 {
			it := store.FeedbackItem{Kind: pick("survey_response", "mention", "review"), Channel: pick("telegram", "web", "email"),
				Region: pick("", "Moscow", "Kazan"), Sentiment: pick("", "positive", "neutral", "negative"),
				OccurredAt: start.Add(time.Duration(r.Int64N(int64(120 * 24 * time.Hour))))}
			switch r.IntN(4) {
			case 0:
				it.NPS = ptr(r.IntN(11))
			case 1:
				it.CSAT, it.CSATScale = ptr(1+r.IntN(5)), ptr(5)
			case 2:
				it.CES = ptr(1 + r.IntN(7))
			}
			if r.IntN(2) == 0 {
				it.Topics = []string{pick("price", "delivery", "app")}
			}
			items = append(items, it)
		}
		insert(t, db, ws.ID, items...)
		svc := &insights.Service{DB: db}
		from, to := store.DayFromDate(2026, 3, 4), store.DayFromDate(2026, 4, 2) // mid-week, as the overview's 30 days
		cards := func(filters map[string][]string) []insights.Query {
			var qs []insights.Query
			for _, m := range []string{"nps", "csat", "ces", "sentiment"} {
				qs = append(qs, insights.Query{Metric: m, From: from, To: to, Filters: filters},
					insights.Query{Metric: m, Grain: metrics.GrainWeek, From: from, To: to, Filters: filters})
			}
			return qs
		}
		mentions := func(filters map[string][]string) []insights.Query {
			return []insights.Query{
				{Metric: "volume", From: from, To: to, Filters: filters},
				{Metric: "volume", By: []string{"channel"}, From: from, To: to, Filters: filters},
				{Metric: "sentiment", By: []string{"channel"}, From: from, To: to, Filters: filters},
				{Metric: "volume", Grain: metrics.GrainDay, From: from, To: to, Filters: filters},
				{Metric: "sentiment", Grain: metrics.GrainDay, From: from, To: to, Filters: filters},
			}
		}
		sets := [][]insights.Query{
			cards(nil),
			cards(map[string][]string{"channel": {"telegram"}, "region": {"Moscow"}}),
			mentions(map[string][]string{"kind": {"mention"}}),
			mentions(map[string][]string{"kind": {"mention"}, "channel": {"web"}}),
			mentions(map[string][]string{"kind": {"mention"}, "channel": {"telegram"}, "region": {"Moscow"}}),
			{{Metric: "nps", By: []string{"region"}, Grain: metrics.GrainMonth, From: from - 40, To: to},
				{Metric: "volume", By: []string{"channel", "region"}, From: from, To: to + 3}},
			// Not shareable: topics for some queries only, different filters.
			{{Metric: "nps", By: []string{"topic"}, From: from, To: to}, {Metric: "nps", From: from, To: to}},
			{{Metric: "nps", From: from, To: to, Filters: map[string][]string{"channel": {"web"}}}, {Metric: "nps", From: from, To: to}},
		}
		for i, qs := range sets {
			got, err := svc.Metrics(ctx, ws.ID, qs)
			if err != nil {
				t.Fatal(err)
			}
			for j, q := range qs {
				want, err := svc.Metric(ctx, ws.ID, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(want.Groups) == 0 {
					t.Fatalf("set %d query %d: no groups to compare", i, j)
				}
				if !reflect.DeepEqual(got[j], want) {
					t.Errorf("set %d query %d %+v:\n got %+v\nwant %+v", i, j, q, got[j], want)
				}
			}
		}
		if _, err := svc.Metrics(ctx, ws.ID, []insights.Query{{Metric: "nps", From: from, To: to}, {Metric: "bogus", From: from, To: to}}); err == nil {
			t.Error("a bad query in the set was accepted")
		}
	})
}
