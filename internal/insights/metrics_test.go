package insights_test

import (
	"context"
	"math"
	"testing"
	"time"

	"vox/internal/insights"
	"vox/internal/store"
	"vox/internal/testutil"
)

func ptr[T any](v T) *T { return &v }

func insert(t *testing.T, db *store.DB, ws int64, items ...store.FeedbackItem) {
	t.Helper()
	batch := make([]store.NewFeedback, len(items))
	for i, it := range items {
		if it.Kind == "" {
			it.Kind, it.Channel = "survey_response", "web"
		}
		batch[i] = store.NewFeedback{Item: it}
	}
	if _, err := db.InsertFeedback(context.Background(), ws, batch, nil); err != nil {
		t.Fatal(err)
	}
}

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestMetricPartialFirstBucket: with from in mid-week, the first week holds
// only days from `from` on, and its change compares with the whole week
// before (read only for that), not with the days of its own week before from.
func TestMetricPartialFirstBucket(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, err := db.CreateWorkspace(ctx, "w", "W", "America/New_York")
		if err != nil {
			t.Fatal(err)
		}
		insert(t, db, ws.ID,
			store.FeedbackItem{NPS: ptr(0), OccurredAt: at("2025-04-29T15:00:00Z")},  // week 04-28
			store.FeedbackItem{NPS: ptr(10), OccurredAt: at("2025-05-05T15:00:00Z")}, // Mon 05-05, before from
			store.FeedbackItem{NPS: ptr(10), OccurredAt: at("2025-05-07T15:00:00Z")}, // Wed 05-07
			store.FeedbackItem{NPS: ptr(8), OccurredAt: at("2025-05-08T03:00:00Z")},  // still Wed 05-07 in New York
		)
		svc := &insights.Service{DB: db}
		from, _ := store.ParseDay("2025-05-07")
		to, _ := store.ParseDay("2025-05-11")
		res, err := svc.Metric(ctx, ws.ID, insights.Query{Metric: "nps", Grain: "week", From: from, To: to})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Groups) != 1 {
			t.Fatalf("groups %+v", res.Groups)
		}
		g := res.Groups[0]
		if g.Key["week"] != "2025-05-05" || g.N != 2 || g.Value != 50 {
			t.Errorf("first week %+v", g)
		}
		if g.Change == nil || g.Change.Value != 150 {
			t.Errorf("change %+v, want +150 against week 04-28", g.Change)
		}
		// By day: only the two days present, the first compared with the day before (none).
		res, err = svc.Metric(ctx, ws.ID, insights.Query{Metric: "volume", Grain: "day", From: from, To: to})
		if err != nil || len(res.Groups) != 1 || res.Groups[0].Key["day"] != "2025-05-07" || res.Groups[0].N != 2 || res.Groups[0].Change != nil {
			t.Errorf("by day %+v %v", res.Groups, err)
		}
	})
}

func TestQueryValidate(t *testing.T) {
	ok := insights.Query{Metric: "ces", By: []string{"topic", "employee"}, Grain: "month", From: 10, To: 20,
		Filters: map[string][]string{"topic": {"a", "b"}, "employee": {"12"}}}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for field, q := range map[string]insights.Query{
		"metric":           {Metric: "mood"},
		"by":               {Metric: "nps", By: []string{"colour"}},
		"to":               {Metric: "nps", From: 5, To: 4},
		"from":             {Metric: "nps", From: 0, To: insights.MaxRangeDays},
		"filter[survey]":   {Metric: "nps", Filters: map[string][]string{"survey": {"x1"}}},
		"filter[topic]":    {Metric: "nps", Filters: map[string][]string{"topic": {"a", "b"}}},
		"filter[password]": {Metric: "nps", Filters: map[string][]string{"password": {"x"}}},
	} {
		err := q.Validate()
		ie, isInvalid := err.(*insights.InvalidError)
		if !isInvalid || ie.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
}

// TestCESChangeIsWelch checks the CES change on a hand-computed case:
// 1,1,7,7 (mean 4, var 12) vs 6,6,7,7 (mean 6.5, var 1/3): t = 2.5/√(3+1/12),
// Welch df ≈ 3.16.
func TestCESChangeIsWelch(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, _ := db.CreateWorkspace(ctx, "w", "W", "UTC")
		var items []store.FeedbackItem
		for i, c := range []int{1, 1, 7, 7} {
			items = append(items, store.FeedbackItem{CES: ptr(c), OccurredAt: at("2025-05-01T10:00:00Z").Add(time.Duration(i) * time.Minute)})
		}
		for i, c := range []int{6, 6, 7, 7} {
			items = append(items, store.FeedbackItem{CES: ptr(c), OccurredAt: at("2025-05-02T10:00:00Z").Add(time.Duration(i) * time.Minute)})
		}
		insert(t, db, ws.ID, items...)
		d, _ := store.ParseDay("2025-05-02")
		res, err := (&insights.Service{DB: db}).Metric(ctx, ws.ID, insights.Query{Metric: "ces", From: d, To: d})
		if err != nil || len(res.Groups) != 1 {
			t.Fatalf("%+v %v", res, err)
		}
		ch := res.Groups[0].Change
		if ch == nil || math.Abs(ch.Value-2.5) > 1e-12 {
			t.Fatalf("change %+v", ch)
		}
		// t = 1.4238, df = 3.17: two-sided p ≈ 0.245 (R: t.test(c(6,6,7,7), c(1,1,7,7))).
		if math.Abs(ch.PValue-0.2452) > 0.002 || ch.Significant {
			t.Errorf("p = %v", ch.PValue)
		}
	})
}
