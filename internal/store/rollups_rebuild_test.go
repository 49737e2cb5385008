package store_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"vox/internal/store"
	"vox/internal/testutil"
)

// rollupRows reads every rollup table of a workspace, row by row.
func rollupRows(t *testing.T, db *store.DB, ws int64) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, table := range store.RollupTables {
		rows, err := db.RollupTableRows(context.Background(), table, ws)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		out[table] = rows
	}
	return out
}

// sameRollups fails the test where two sets of rollup rows differ.
func sameRollups(t *testing.T, what string, want, got map[string][]string) {
	t.Helper()
	for _, table := range store.RollupTables {
		w, g := want[table], got[table]
		if slices.Equal(w, g) {
			continue
		}
		n := 0
		for _, row := range w {
			if !slices.Contains(g, row) && n < 5 {
				t.Errorf("%s: %s lacks %s", what, table, row)
				n++
			}
		}
		for _, row := range g {
			if !slices.Contains(w, row) && n < 10 {
				t.Errorf("%s: %s has extra %s", what, table, row)
				n++
			}
		}
		t.Errorf("%s: %s has %d rows, want %d", what, table, len(g), len(w))
	}
}

// oddItem adds to a random item what the generator never makes: times
// before 1970 and in the far future, topics that JSON escapes or repeats,
// empty topics, CSAT without a scale, out-of-range answers.
func oddItem(r *rand.Rand, nf store.NewFeedback) store.NewFeedback {
	it := &nf.Item
	switch r.IntN(8) {
	case 0:
		it.OccurredAt = time.Date(1960+r.IntN(9), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), 0, 0, 0, time.UTC)
	case 1:
		it.OccurredAt = time.Date(2090, time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), 0, 0, time.UTC)
	case 2:
		it.Topics = append(it.Topics, "", "a&b <c>", `say "hi"\`, "доставка", "配送", "delivery", "delivery")
	case 3:
		it.CSAT, it.CSATScale = ptr(1+r.IntN(5)), nil
	case 4:
		it.CSAT, it.CSATScale = ptr(7), ptr(5)
	case 5:
		it.NPS, it.CES = ptr(11), ptr(0)
	}
	return nf
}

// TestRebuildRollupsEqualsIngest checks that RebuildRollups writes exactly
// the rows ingest maintained, row by row in every rollup table, for zones
// with DST changes and odd offsets (Kathmandu +5:45, Lord Howe's 30-minute
// DST, São Paulo's DST ending at midnight, where the local day goes back),
// read in pages of a few items, and leaves other workspaces alone.
func TestRebuildRollupsEqualsIngest(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("VOX_ROLLUP_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	t.Logf("seed %d (set VOX_ROLLUP_SEED to replay)", seed)
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(seed, 7))
		g := &itemGen{r: r, transitions: map[int64][]time.Time{}}
		var wss []int64
		for _, tz := range []string{"America/New_York", "America/Sao_Paulo", "Asia/Kathmandu", "Australia/Lord_Howe", "Europe/Moscow", "UTC"} {
			ws, err := db.CreateWorkspace(ctx, "ws"+strconv.Itoa(len(wss)), tz, tz)
			if err != nil {
				t.Fatal(err)
			}
			loc := store.LoadLocation(tz)
			g.transitions[ws.ID] = dstTransitions(loc, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC))
			wss = append(wss, ws.ID)
			for range 4 {
				batch := make([]store.NewFeedback, 1+r.IntN(300))
				for i := range batch {
					batch[i] = oddItem(r, g.item(ws.ID, loc))
				}
				if _, err := db.InsertFeedback(ctx, ws.ID, batch, nil); err != nil {
					t.Fatal(err)
				}
			}
		}
		empty := mustWorkspace(t, db, "empty")
		before := map[int64]map[string][]string{}
		for _, ws := range wss {
			before[ws] = rollupRows(t, db, ws)
			if len(before[ws]["rollup_nps_topics"]) == 0 || len(before[ws]["rollup_topic_cube"]) == 0 {
				t.Fatalf("workspace %d: no rollups to compare", ws)
			}
		}
		for i, ws := range wss {
			// Small pages, so that many end inside a day and the rows of
			// their last day wait for the next page.
			restore := store.SetRebuildPageItems(1 + r.IntN(40))
			err := db.RebuildRollups(ctx, ws)
			restore()
			if err != nil {
				t.Fatal(err)
			}
			sameRollups(t, "rebuilt "+strconv.FormatInt(ws, 10), before[ws], rollupRows(t, db, ws))
			if i == 0 { // a rebuild touches no other workspace
				for _, other := range wss[1:] {
					sameRollups(t, "untouched "+strconv.FormatInt(other, 10), before[other], rollupRows(t, db, other))
				}
			}
		}
		if err := db.RebuildRollups(ctx, empty.ID); err != nil {
			t.Fatal(err)
		}
		for table, rows := range rollupRows(t, db, empty.ID) {
			if len(rows) != 0 {
				t.Errorf("empty workspace: %s has %d rows", table, len(rows))
			}
		}
	})
}

// TestRebuildRollupsAfterZoneChange checks that a rebuild after a change of
// time zone gives what ingest in the new zone gives: the same items stored
// in a workspace that always had that zone.
func TestRebuildRollupsAfterZoneChange(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := rand.New(rand.NewPCG(3, 9))
		g := &itemGen{r: r, transitions: map[int64][]time.Time{}}
		moved, err := db.CreateWorkspace(ctx, "moved", "Moved", "Asia/Kathmandu")
		if err != nil {
			t.Fatal(err)
		}
		ny, err := db.CreateWorkspace(ctx, "ny", "NY", "America/New_York")
		if err != nil {
			t.Fatal(err)
		}
		loc := store.LoadLocation(ny.Timezone)
		g.transitions[ny.ID] = dstTransitions(loc, time.Date(2010, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2016, 1, 1, 0, 0, 0, 0, time.UTC))
		batch := make([]store.NewFeedback, 600)
		for i := range batch {
			batch[i] = oddItem(r, g.item(ny.ID, loc))
			batch[i].Employee = store.EmployeeInput{} // employee ids differ between workspaces
		}
		for _, ws := range []int64{moved.ID, ny.ID} {
			if _, err := db.InsertFeedback(ctx, ws, batch, nil); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.ExecBench(ctx, `UPDATE workspaces SET timezone = 'America/New_York' WHERE id = `+strconv.FormatInt(moved.ID, 10)); err != nil {
			t.Fatal(err)
		}
		if err := db.RebuildRollups(ctx, moved.ID); err != nil {
			t.Fatal(err)
		}
		sameRollups(t, "after the zone change", rollupRows(t, db, ny.ID), rollupRows(t, db, moved.ID))
	})
}

// TestRebuildDaySQL evaluates the local day expression of RebuildRollups in
// the database for instants around every offset change of zones with DST,
// half-hour offsets and rules for future years, before 1970 and after 2040
// (where Go's ZoneBounds stalls at new year), against DayOf.
func TestRebuildDaySQL(t *testing.T) {
	testutil.EachDB(t, func(t *testing.T, db *store.DB) {
		r := rand.New(rand.NewPCG(1, 2))
		first, last := time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, tz := range []string{"America/New_York", "Australia/Lord_Howe", "Asia/Kathmandu", "Africa/Casablanca", "America/Santiago", "Europe/Moscow", "UTC"} {
			loc := store.LoadLocation(tz)
			var times []int64
			for _, tr := range append(dstTransitions(loc, first, last), first, last) {
				for _, d := range []time.Duration{-time.Millisecond, 0, time.Millisecond, -time.Hour, 3 * time.Hour} {
					times = append(times, tr.Add(d).UnixMilli())
				}
			}
			for range 300 {
				times = append(times, first.UnixMilli()+r.Int64N(last.UnixMilli()-first.UnixMilli()))
			}
			day := store.RebuildDaySQL(loc, slices.Min(times), slices.Max(times))("column1")
			for start := 0; start < len(times); start += 500 {
				chunk := times[start:min(start+500, len(times))]
				values := strings.Repeat("(CAST(? AS BIGINT)), ", len(chunk)-1) + "(CAST(? AS BIGINT))"
				args := make([]any, len(chunk))
				for i, ms := range chunk {
					args[i] = ms
				}
				err := db.ScanQuery(context.Background(), `SELECT column1, `+day+` FROM (VALUES `+values+`) v`, args,
					func(row interface{ Scan(...any) error }) error {
						var ms, got int64
						if err := row.Scan(&ms, &got); err != nil {
							return err
						}
						if want := store.DayOf(time.UnixMilli(ms), loc); store.Day(got) != want {
							t.Errorf("%s %s: day %s, want %s", tz, time.UnixMilli(ms).In(loc), store.Day(got), want)
						}
						return nil
					})
				if err != nil {
					t.Fatalf("%s: %v", tz, err)
				}
			}
		}
	})
}
