package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"vox/internal/metrics"
	"vox/internal/store"
	"vox/internal/testutil"
)

// The vocabulary of random items: small, so that groups collide and sums
// are exercised, with "" (none) everywhere it is allowed.
var (
	genKinds       = []string{"survey_response", "review", "mention"}
	genChannels    = []string{"email", "telegram", "web", "store"}
	genRegions     = []string{"", "eu", "asia"}
	genSegments    = []string{"", "vip", "mass"}
	genTouchpoints = []string{"", "website", "store", "call_center"}
	genStages      = []string{"", "awareness", "decision", "usage"}
	genLangs       = []string{"", "ru", "en", "zh"}
	genEmployees   = []string{"", "e1", "e2", "e3"}
	genSentiments  = []string{"", "positive", "neutral", "negative"}
	genTopics      = []string{"price", "delivery", "staff", "app", "queue"}
)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// dstTransitions lists the instants in [from, to) where loc's UTC offset
// changes, found by stepping hour by hour.
func dstTransitions(loc *time.Location, from, to time.Time) []time.Time {
	var out []time.Time
	_, prev := from.In(loc).Zone()
	for t := from; t.Before(to); t = t.Add(time.Hour) {
		if _, off := t.In(loc).Zone(); off != prev {
			out = append(out, t)
			prev = off
		}
	}
	return out
}

type itemGen struct {
	r           *rand.Rand
	transitions map[int64][]time.Time // per workspace
	externalIDs []string
	n           int
}

// randomTime puts most items within two days of a DST change (and some at
// exact local midnights), the rest anywhere in 2010-2015.
func (g *itemGen) randomTime(ws int64, loc *time.Location) time.Time {
	base := time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC)
	switch x := g.r.Float64(); {
	case x < 0.6 && len(g.transitions[ws]) > 0:
		tr := pick(g.r, g.transitions[ws])
		return tr.Add(time.Duration(g.r.Int64N(int64(96*time.Hour))) - 48*time.Hour).Truncate(time.Millisecond)
	case x < 0.75:
		d := base.Add(time.Duration(g.r.IntN(6*365)) * 24 * time.Hour).In(loc)
		midnight := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, loc)
		return midnight.Add(time.Duration(g.r.IntN(3)-1) * time.Millisecond)
	default:
		return base.Add(time.Duration(g.r.Int64N(int64(6 * 365 * 24 * time.Hour)))).Truncate(time.Millisecond)
	}
}

func (g *itemGen) item(ws int64, loc *time.Location) store.NewFeedback {
	r := g.r
	it := store.FeedbackItem{Kind: pick(r, genKinds), Channel: pick(r, genChannels), Region: pick(r, genRegions),
		Segment: pick(r, genSegments), Touchpoint: pick(r, genTouchpoints), Stage: pick(r, genStages),
		Lang: pick(r, genLangs), Sentiment: pick(r, genSentiments), OccurredAt: g.randomTime(ws, loc), Text: "t"}
	if r.IntN(3) > 0 {
		it.NPS = ptr(r.IntN(11))
	}
	switch r.IntN(3) {
	case 1:
		it.CSAT, it.CSATScale = ptr(1+r.IntN(5)), ptr(5)
	case 2:
		it.CSAT, it.CSATScale = ptr(1+r.IntN(10)), ptr(10)
	}
	if r.IntN(2) == 0 {
		it.CES = ptr(1 + r.IntN(7))
	}
	if r.IntN(3) == 0 {
		it.SurveyID = ptr(int64(1 + r.IntN(2)))
	}
	for k := r.IntN(4); k > 0; k-- {
		it.Topics = append(it.Topics, pick(r, genTopics)) // duplicates on purpose
	}
	// Some items are re-sent (same external id): they must count once.
	if len(g.externalIDs) > 0 && r.IntN(10) == 0 {
		it.ExternalID = pick(r, g.externalIDs)
	} else if r.IntN(2) == 0 {
		g.n++
		it.ExternalID = "x" + strconv.Itoa(g.n)
		g.externalIDs = append(g.externalIDs, it.ExternalID)
	}
	nf := store.NewFeedback{Item: it}
	if e := pick(r, genEmployees); e != "" {
		nf.Employee = store.EmployeeInput{ExternalID: e, Name: e}
	}
	return nf
}

// rawCount adds one item to c. It is written independently of the store's
// RollupCounts.AddItem so that the test checks the definition, not a copy.
func rawCount(c *store.RollupCounts, it store.FeedbackItem) {
	c.Items++
	if it.NPS != nil {
		switch metrics.NPSCategory(*it.NPS) {
		case 1:
			c.Promoters++
		case 0:
			c.Passives++
		default:
			c.Detractors++
		}
	}
	if it.CSAT != nil {
		if *it.CSATScale == 10 {
			c.CSAT10[*it.CSAT]++
		} else {
			c.CSAT5[*it.CSAT]++
		}
	}
	if it.CES != nil {
		c.CES[*it.CES]++
	}
	switch it.Sentiment {
	case "positive":
		c.Positive++
	case "neutral":
		c.Neutral++
	case "negative":
		c.Negative++
	}
}

// rawValues returns the values an item has for dim (several for topic).
func rawValues(it store.FeedbackItem, dim string) []string {
	id := func(p *int64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatInt(*p, 10)
	}
	switch dim {
	case "channel":
		return []string{it.Channel}
	case "region":
		return []string{it.Region}
	case "segment":
		return []string{it.Segment}
	case "touchpoint":
		return []string{it.Touchpoint}
	case "stage":
		return []string{it.Stage}
	case "lang":
		return []string{it.Lang}
	case "kind":
		return []string{it.Kind}
	case "employee":
		return []string{id(it.EmployeeID)}
	case "survey":
		return []string{id(it.SurveyID)}
	case "topic":
		var out []string
		for _, tp := range it.Topics {
			if !slices.Contains(out, tp) {
				out = append(out, tp)
			}
		}
		return out
	}
	panic("unknown dim " + dim)
}

// recompute answers q from raw items.
func recompute(items []store.FeedbackItem, loc *time.Location, q store.RollupQuery) map[string]store.RollupCounts {
	out := map[string]store.RollupCounts{}
	for _, it := range items {
		b := metrics.Bucket(it.OccurredAt, loc, metrics.GrainDay)
		day := store.DayFromDate(b.Date())
		if day < q.From || day > q.To {
			continue
		}
		pass := true
		for dim, vals := range q.Filters {
			ok := false
			for _, v := range rawValues(it, dim) {
				ok = ok || slices.Contains(vals, v)
			}
			pass = pass && ok
		}
		if !pass {
			continue
		}
		keys := [][]string{{}}
		for _, dim := range q.Dims {
			var next [][]string
			for _, k := range keys {
				for _, v := range rawValues(it, dim) {
					if dim == "topic" && q.Filters["topic"] != nil && !slices.Contains(q.Filters["topic"], v) {
						continue
					}
					next = append(next, append(slices.Clone(k), v))
				}
			}
			keys = next
		}
		for _, k := range keys {
			key := strings.Join(k, "|")
			if q.ByDay {
				key = day.String() + "|" + key
			}
			c := out[key]
			rawCount(&c, it)
			out[key] = c
		}
	}
	return out
}

func fromRollups(t *testing.T, db *store.DB, ws int64, q store.RollupQuery) map[string]store.RollupCounts {
	t.Helper()
	rows, err := db.RollupCounts(context.Background(), ws, q)
	if err != nil {
		t.Fatalf("%+v: %v", q, err)
	}
	out := map[string]store.RollupCounts{}
	for _, r := range rows {
		key := strings.Join(r.Key, "|")
		if q.ByDay {
			key = r.Day.String() + "|" + key
		}
		if _, dup := out[key]; dup {
			t.Fatalf("%+v: group %q returned twice", q, key)
		}
		out[key] = r.Counts
	}
	return out
}

func allItems(t *testing.T, db *store.DB, ws int64) []store.FeedbackItem {
	t.Helper()
	var out []store.FeedbackItem
	f := store.FeedbackFilter{Limit: 1000}
	for {
		page, err := db.ListFeedback(context.Background(), ws, f)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out
		}
		f.Cursor = page.NextCursor
	}
}

// randomQueries covers no dimension, every dimension, random pairs, filters
// (with and without a by), by day and not, over the whole range and parts.
func randomQueries(r *rand.Rand, from, to store.Day) []store.RollupQuery {
	values := map[string][]string{"channel": genChannels, "region": genRegions, "segment": genSegments,
		"touchpoint": genTouchpoints, "stage": genStages, "lang": genLangs, "kind": genKinds,
		"employee": {"", "1", "2", "3"}, "survey": {"", "1", "2"}, "topic": genTopics}
	var qs []store.RollupQuery
	span := func() (store.Day, store.Day) {
		if r.IntN(2) == 0 {
			return from, to
		}
		a := from + store.Day(r.IntN(int(to-from+1)))
		return a, min(to, a+store.Day(r.IntN(400)))
	}
	filter := func(except string) map[string][]string {
		f := map[string][]string{}
		for k := 1 + r.IntN(2); k > 0; k-- {
			dim := pick(r, store.RollupDims)
			if dim == except {
				continue
			}
			vals := []string{pick(r, values[dim])}
			if dim != "topic" && r.IntN(2) == 0 {
				vals = append(vals, pick(r, values[dim]))
			}
			f[dim] = vals
		}
		return f
	}
	for _, byDay := range []bool{false, true} {
		a, b := span()
		qs = append(qs, store.RollupQuery{From: a, To: b, ByDay: byDay})
		for _, dim := range store.RollupDims {
			a, b := span()
			qs = append(qs, store.RollupQuery{From: a, To: b, Dims: []string{dim}, ByDay: byDay})
			a, b = span()
			qs = append(qs, store.RollupQuery{From: a, To: b, Dims: []string{dim}, ByDay: byDay, Filters: filter(dim)})
			other := pick(r, store.RollupDims)
			if other != dim {
				a, b = span()
				qs = append(qs, store.RollupQuery{From: a, To: b, Dims: []string{dim, other}, ByDay: byDay, Filters: filter("")})
			}
		}
		a, b = span()
		qs = append(qs, store.RollupQuery{From: a, To: b, ByDay: byDay, Filters: filter("")})
	}
	return qs
}

func checkRollups(t *testing.T, db *store.DB, ws int64, items []store.FeedbackItem, loc *time.Location, qs []store.RollupQuery) {
	t.Helper()
	for _, q := range qs {
		want := recompute(items, loc, q)
		got := fromRollups(t, db, ws, q)
		if len(got) != len(want) {
			t.Errorf("%+v: %d groups, want %d", q, len(got), len(want))
		}
		for k, w := range want {
			if g, ok := got[k]; !ok || g != w {
				t.Errorf("%+v group %q:\n got %+v\nwant %+v", q, k, g, w)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
		if len(q.Dims) == 0 && len(q.Filters) == 0 {
			checkNPSTopicSets(t, db, ws, items, loc, q.From, q.To)
		}
	}
}

// zonedWorkspaces makes two workspaces in zones with DST changes (Moscow
// until 2011, New York) and an item generator that favours times near them.
func zonedWorkspaces(t *testing.T, db *store.DB, r *rand.Rand) ([]int64, map[int64]*time.Location, *itemGen) {
	t.Helper()
	zones := map[int64]*time.Location{}
	g := &itemGen{r: r, transitions: map[int64][]time.Time{}}
	var wss []int64
	for _, tz := range []string{"Europe/Moscow", "America/New_York"} {
		ws, err := db.CreateWorkspace(context.Background(), strings.ToLower(strings.ReplaceAll(tz, "/", "-")), tz, tz)
		if err != nil {
			t.Fatal(err)
		}
		loc := store.LoadLocation(tz)
		zones[ws.ID] = loc
		g.transitions[ws.ID] = dstTransitions(loc, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC))
		wss = append(wss, ws.ID)
	}
	return wss, zones, g
}

// TestRollupsMatchRawItems is the property test of issue 5: random items in
// random batches (duplicates, failed batches, two workspaces in zones with
// DST changes) give rollups equal to a recomputation from the raw items for
// every dimension, pairs of dimensions, filters and days; a rebuild and a
// subtraction keep that true.
func TestRollupsMatchRawItems(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("VOX_ROLLUP_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set VOX_ROLLUP_SEED to replay)", seed)
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(seed, 5))
		var fail atomic.Bool
		errBoom := errors.New("boom")
		db.AddFeedbackHook(func(context.Context, *store.Tx, int64, []store.FeedbackItem) error {
			if fail.Load() {
				return errBoom
			}
			return nil
		})
		wss, zones, g := zonedWorkspaces(t, db, r)
		if len(g.transitions[wss[0]]) < 3 || len(g.transitions[wss[1]]) < 10 {
			t.Fatalf("expected DST changes in both zones: %v", g.transitions)
		}
		total, failed := 0, 0
		for total < 2500 {
			ws := pick(r, wss)
			batch := make([]store.NewFeedback, 1+r.IntN(250))
			for i := range batch {
				batch[i] = g.item(ws, zones[ws])
			}
			boom := r.IntN(8) == 0 || (failed == 0 && total > 1000)
			fail.Store(boom)
			_, err := db.InsertFeedback(ctx, ws, batch, nil)
			fail.Store(false)
			switch {
			case boom && !errors.Is(err, errBoom):
				t.Fatalf("failing batch: %v", err)
			case boom:
				failed++
			case err != nil:
				t.Fatal(err)
			default:
				total += len(batch)
			}
		}
		items := map[int64][]store.FeedbackItem{}
		for _, ws := range wss {
			items[ws] = allItems(t, db, ws)
			if len(items[ws]) == 0 {
				t.Fatal("no items stored")
			}
		}
		from, to := store.DayFromDate(2009, 12, 25), store.DayFromDate(2016, 1, 5)
		for _, ws := range wss {
			checkRollups(t, db, ws, items[ws], zones[ws], randomQueries(r, from, to))
		}

		// A rebuild gives the same rollups.
		if err := db.RebuildRollups(ctx, wss[0]); err != nil {
			t.Fatal(err)
		}
		checkRollups(t, db, wss[0], items[wss[0]], zones[wss[0]], randomQueries(r, from, to))

		// Subtracting some items (as a GDPR erase will) leaves the rest.
		all := items[wss[1]]
		var gone, kept []store.FeedbackItem
		for _, it := range all {
			if r.IntN(3) == 0 {
				gone = append(gone, it)
			} else {
				kept = append(kept, it)
			}
		}
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.RemoveFromRollups(ctx, wss[1], gone) }); err != nil {
			t.Fatal(err)
		}
		checkRollups(t, db, wss[1], kept, zones[wss[1]], randomQueries(r, from, to))
		if err := db.InTx(ctx, func(tx *store.Tx) error { return tx.RemoveFromRollups(ctx, wss[1], kept) }); err != nil {
			t.Fatal(err)
		}
		if rows, err := db.RollupCounts(ctx, wss[1], store.RollupQuery{From: from, To: to, Dims: []string{"topic"}}); err != nil || len(rows) != 0 {
			t.Fatalf("after removing everything: %v, %v", rows, err)
		}
	})
}

// TestRollupsWorkspaceScoped checks one workspace's items never show in
// another's rollups, and that a failed batch leaves no rollup behind.
func TestRollupsWorkspaceScoped(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, b := mustWorkspace(t, db, "a"), mustWorkspace(t, db, "b")
		at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		it := item("hello", at)
		it.Item.NPS = ptr(10)
		it.Item.Topics = []string{"price"}
		if _, err := db.InsertFeedback(ctx, a.ID, []store.NewFeedback{it}, nil); err != nil {
			t.Fatal(err)
		}
		q := store.RollupQuery{From: store.DayFromDate(2026, 1, 1), To: store.DayFromDate(2026, 12, 31)}
		for _, dims := range [][]string{nil, {"channel"}, {"topic"}, {"channel", "topic"}} {
			q.Dims = dims
			if rows, _ := db.RollupCounts(ctx, b.ID, q); len(rows) != 0 {
				t.Errorf("workspace b sees a's rollups by %v: %+v", dims, rows)
			}
			rows, err := db.RollupCounts(ctx, a.ID, q)
			if err != nil || len(rows) != 1 || rows[0].Counts.Promoters != 1 {
				t.Errorf("workspace a by %v: %+v %v", dims, rows, err)
			}
		}
		if _, err := db.RollupCounts(ctx, a.ID, store.RollupQuery{Dims: []string{"nope"}}); !errors.Is(err, store.ErrBadRollupQuery) {
			t.Errorf("unknown dimension: %v", err)
		}
		if _, err := db.RollupCounts(ctx, a.ID, store.RollupQuery{Filters: map[string][]string{"topic": {"a", "b"}}}); !errors.Is(err, store.ErrBadRollupQuery) {
			t.Errorf("two topic filter values without by topic double count; want an error, got %v", err)
		}
	})
}

func TestDayOfAcrossDST(t *testing.T) {
	ny := store.LoadLocation("America/New_York")
	// 2015-03-08 02:00 local does not exist; 00:30 and 03:30 are the same day.
	for _, ts := range []string{"2015-03-08T05:30:00Z", "2015-03-08T07:30:00Z", "2015-11-01T05:30:00Z", "2015-11-01T06:30:00Z"} {
		tm, _ := time.Parse(time.RFC3339, ts)
		want := metrics.Bucket(tm, ny, metrics.GrainDay).Format(time.DateOnly)
		if got := store.DayOf(tm, ny).String(); got != want {
			t.Errorf("%s: day %s, want %s", ts, got, want)
		}
	}
	if d, err := store.ParseDay("2026-05-04"); err != nil || d.String() != "2026-05-04" {
		t.Errorf("ParseDay: %v %v", d, err)
	}
	if got := fmt.Sprint(store.DayFromDate(1970, 1, 2)); got != "1970-01-02" {
		t.Errorf("Day 1 is %s", got)
	}
}

func TestMetricCountersMatchColumns(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ws := mustWorkspace(t, db, "m")
		it := item("x", time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
		it.Item.NPS, it.Item.CSAT, it.Item.CSATScale, it.Item.CES, it.Item.Sentiment = ptr(9), ptr(10), ptr(10), ptr(7), "negative"
		if _, err := db.InsertFeedback(ctx, ws.ID, []store.NewFeedback{it}, nil); err != nil {
			t.Fatal(err)
		}
		q := store.RollupQuery{From: store.DayFromDate(2026, 3, 1), To: store.DayFromDate(2026, 3, 1), Dims: []string{"channel"}}
		want := map[string]store.RollupCounts{
			"volume":    {Items: 1},
			"nps":       {Items: 1, Promoters: 1},
			"csat":      {Items: 1, CSAT10: [11]int64{10: 1}},
			"ces":       {Items: 1, CES: [8]int64{7: 1}},
			"sentiment": {Items: 1, Negative: 1},
		}
		for m, w := range want {
			q.Metric = m
			rows, err := db.RollupCounts(ctx, ws.ID, q)
			if err != nil || len(rows) != 1 || rows[0].Counts != w {
				t.Errorf("%s: %+v %v, want %+v", m, rows, err, w)
			}
		}
	})
}
