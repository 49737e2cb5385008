package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// NPSAnswers keeps the answers whose channel, region, segment or employee
// is among the filter's values, like the rollups under the same filter.
func TestNPSAnswersFiltered(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, err := db.CreateWorkspace(ctx, "f", "F", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		other, err := db.CreateWorkspace(ctx, "g", "G", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		nps := func(v int) *int { return &v }
		item := func(channel, region, segment string, score int) store.NewFeedback {
			return store.NewFeedback{Item: store.FeedbackItem{Kind: "survey_response", Channel: channel, Region: region, Segment: segment,
				NPS: nps(score), OccurredAt: at}}
		}
		if _, err := db.InsertFeedback(ctx, ws.ID, []store.NewFeedback{item("email", "Moscow", "vip", 10), item("sms", "Moscow", "smb", 3),
			item("sms", "Kazan", "vip", 7), {Item: store.FeedbackItem{Kind: "survey_response", Channel: "web", NPS: nps(9), OccurredAt: at},
				Employee: store.EmployeeInput{ExternalID: "e1", Name: "Anna"}}}, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := db.InsertFeedback(ctx, other.ID, []store.NewFeedback{item("sms", "Moscow", "vip", 0)}, nil); err != nil {
			t.Fatal(err)
		}
		from, to := at.Add(-time.Hour), at.Add(time.Hour)
		for _, c := range []struct {
			filters map[string][]string
			want    []int
		}{
			{nil, []int{10, 3, 7, 9}},
			{map[string][]string{"channel": {"sms"}}, []int{3, 7}},
			{map[string][]string{"channel": {"sms"}, "region": {"Moscow"}}, []int{3}},
			{map[string][]string{"segment": {"vip", "smb"}, "region": {"Kazan"}}, []int{7}},
			{map[string][]string{"employee": {""}}, []int{10, 3, 7}},
			{map[string][]string{"channel": {}}, []int{10, 3, 7, 9}},
		} {
			got, _, err := db.NPSAnswers(ctx, ws.ID, from, to, 100, c.filters)
			if err != nil {
				t.Fatal(err)
			}
			sum, want := 0, 0
			for _, a := range got {
				sum += a.NPS
			}
			for _, v := range c.want {
				want += v
			}
			if len(got) != len(c.want) || sum != want {
				t.Errorf("%v: %d answers (sum %d), want %v", c.filters, len(got), sum, c.want)
			}
		}
		if _, _, err := db.NPSAnswers(ctx, ws.ID, from, to, 100, map[string][]string{"topic": {"delivery"}}); !errors.Is(err, store.ErrBadRollupQuery) {
			t.Errorf("topic filter: %v", err)
		}
		if _, _, err := db.NPSAnswers(ctx, ws.ID, from, to, 100, map[string][]string{"employee": {"x"}}); !errors.Is(err, store.ErrBadRollupQuery) {
			t.Errorf("bad employee id: %v", err)
		}
	})
}
