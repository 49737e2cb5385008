package insights_test

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"vox/internal/insights"
	"vox/internal/metrics"
	"vox/internal/store"
	"vox/internal/testutil"
)

// rawDrivers is key-driver analysis as it was computed before the rollup:
// one regression row per stored answer, read from feedback_items.
func rawDrivers(answers []store.NPSAnswer) ([]metrics.Driver, metrics.NPSResult) {
	mentions := map[string]int{}
	rows := make([]metrics.DriverRow, len(answers))
	var scores []int
	for i, a := range answers {
		rows[i] = metrics.DriverRow{Outcome: metrics.NPSOutcome(a.NPS), Topics: a.Topics}
		for _, tp := range a.Topics {
			mentions[tp]++
		}
		scores = append(scores, a.NPS)
	}
	var topics []string
	for tp, n := range mentions {
		if n >= insights.MinTopicMentions {
			topics = append(topics, tp)
		}
	}
	slices.SortFunc(topics, func(a, b string) int { return cmp.Or(cmp.Compare(mentions[b], mentions[a]), cmp.Compare(a, b)) })
	topics = topics[:min(len(topics), insights.MaxDriverTopics)]
	return metrics.KeyDrivers(rows, topics), metrics.NPSFromScores(scores)
}

func closeTo(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }

func sameDriver(a, b metrics.Driver) bool {
	return a.Topic == b.Topic && a.N == b.N && a.Share == b.Share && a.Significant == b.Significant &&
		closeTo(a.Effect, b.Effect) && closeTo(a.SE, b.SE) && closeTo(a.CILow, b.CILow) && closeTo(a.CIHigh, b.CIHigh) &&
		closeTo(a.PValue, b.PValue)
}

// TestDriversFromRollupMatchRawAnswers: key drivers and pain points (whole
// workspace, per stage, per touchpoint) read from rollup_nps_topics equal
// the regression over every raw answer of the period — counts exactly,
// estimates up to float rounding (a grouped row sums w·(y−fit)² where the
// raw rows sum (y−fit)² w times) — in a zone with a DST change, with answers
// just outside the period and in another workspace that must not count.
func TestDriversFromRollupMatchRawAnswers(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws, err := db.CreateWorkspace(ctx, "drivers", "D", "Europe/Berlin")
		if err != nil {
			t.Fatal(err)
		}
		other, err := db.CreateWorkspace(ctx, "drivers-other", "O", "UTC")
		if err != nil {
			t.Fatal(err)
		}
		loc := store.LoadLocation("Europe/Berlin")
		r := rand.New(rand.NewPCG(14, 4))
		topics := []string{"price", "delivery", "staff", "app", "queue", "rare"}
		stages := []string{"", "decision", "usage"}
		tps := []string{"", "store", "website", "delivery"}
		start := time.Date(2026, 3, 10, 0, 0, 0, 0, loc) // DST starts 2026-03-29
		var items, noise []store.FeedbackItem
		for range 1500 {
			it := store.FeedbackItem{Kind: "survey_response", Channel: "web", Stage: stages[r.IntN(len(stages))],
				Touchpoint: tps[r.IntN(len(tps))], OccurredAt: start.Add(time.Duration(r.Int64N(int64(40 * 24 * time.Hour))))}
			if r.IntN(6) > 0 {
				it.NPS = ptr(r.IntN(11))
			}
			for k := r.IntN(4); k > 0; k-- {
				tp := topics[r.IntN(5)]
				if r.IntN(40) == 0 {
					tp = "rare"
				}
				it.Topics = append(it.Topics, tp) // repeats on purpose
			}
			// Delivery hurts, staff helps: effects to find.
			if it.NPS != nil && slices.Contains(it.Topics, "delivery") {
				it.NPS = ptr(max(0, *it.NPS-4))
			}
			if it.NPS != nil && slices.Contains(it.Topics, "staff") {
				it.NPS = ptr(min(10, *it.NPS+3))
			}
			items = append(items, it)
			noise = append(noise, store.FeedbackItem{Kind: "survey_response", Channel: "web", NPS: ptr(0),
				Topics: []string{"price"}, OccurredAt: it.OccurredAt})
		}
		insert(t, db, ws.ID, items...)
		insert(t, db, other.ID, noise...)
		svc := &insights.Service{DB: db}
		from, to := store.DayFromDate(2026, 3, 15), store.DayFromDate(2026, 4, 12)
		answers, more, err := db.NPSAnswers(ctx, ws.ID, from.Start(loc), (to + 1).Start(loc), 1_000_000, nil)
		if err != nil || more || len(answers) < 500 {
			t.Fatalf("raw answers: %d, more %v, %v", len(answers), more, err)
		}

		wantDrivers, wantNPS := rawDrivers(answers)
		got, err := svc.Drivers(ctx, ws.ID, from, to)
		if err != nil {
			t.Fatal(err)
		}
		if got.Answers != len(answers) || got.NPS != wantNPS || got.Truncated || len(got.Drivers) != len(wantDrivers) || len(wantDrivers) < 4 {
			t.Fatalf("drivers: %d answers, NPS %+v, %d drivers; want %d, %+v, %d", got.Answers, got.NPS, len(got.Drivers),
				len(answers), wantNPS, len(wantDrivers))
		}
		for _, w := range wantDrivers {
			i := slices.IndexFunc(got.Drivers, func(d metrics.Driver) bool { return d.Topic == w.Topic })
			if i < 0 || !sameDriver(got.Drivers[i], w) {
				t.Errorf("driver %s: rollup %+v, raw %+v", w.Topic, got.Drivers, w)
			}
		}
		// A filter that every answer passes takes the raw path (the rollup
		// keeps no channel) and must find the same drivers.
		filtered, err := svc.FilteredDrivers(ctx, ws.ID, from, to, map[string][]string{"channel": {"web"}})
		if err != nil {
			t.Fatal(err)
		}
		if filtered.Answers != got.Answers || filtered.NPS != got.NPS || filtered.Truncated || len(filtered.Drivers) != len(got.Drivers) {
			t.Fatalf("filtered drivers: %d answers, %d drivers; unfiltered %d, %d", filtered.Answers, len(filtered.Drivers), got.Answers, len(got.Drivers))
		}
		for i := range got.Drivers {
			if !sameDriver(filtered.Drivers[i], got.Drivers[i]) {
				t.Errorf("filtered driver %d: %+v, unfiltered %+v", i, filtered.Drivers[i], got.Drivers[i])
			}
		}
		if none, err := svc.FilteredDrivers(ctx, ws.ID, from, to, map[string][]string{"channel": {"sms"}}); err != nil || none.Answers != 0 {
			t.Fatalf("drivers of a channel without answers: %d, %v", none.Answers, err)
		}

		for _, by := range []string{"", "stage", "touchpoint"} {
			pp, err := svc.PainPoints(ctx, ws.ID, from, to, by)
			if err != nil {
				t.Fatal(err)
			}
			groups := map[string][]store.NPSAnswer{}
			for _, a := range answers {
				k := map[string]string{"": "", "stage": a.Stage, "touchpoint": a.Touchpoint}[by]
				groups[k] = append(groups[k], a)
			}
			if pp.Answers != len(answers) || len(pp.Groups) != len(groups) {
				t.Fatalf("by %q: %d answers in %d groups, want %d in %d", by, pp.Answers, len(pp.Groups), len(answers), len(groups))
			}
			for _, g := range pp.Groups {
				ds, nps := rawDrivers(groups[g.Key[by]])
				want := metrics.PainPoints(ds)
				want = want[:min(len(want), insights.PainPointsPerGroup)]
				if g.NPS != nps || len(g.PainPoints) != len(want) {
					t.Fatalf("by %q group %v: NPS %+v, %d pain points; want %+v, %d", by, g.Key, g.NPS, len(g.PainPoints), nps, len(want))
				}
				for i, w := range want {
					p := g.PainPoints[i]
					if p.Topic != w.Topic || p.N != w.N || p.Significant != w.Significant || !closeTo(p.Effect, w.Effect) ||
						!closeTo(p.Impact, w.Impact) || !closeTo(p.PValue, w.PValue) {
						t.Errorf("by %q group %v #%d: rollup %+v, raw %+v", by, g.Key, i, p, w)
					}
				}
			}
		}
	})
}
