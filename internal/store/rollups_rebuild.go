package store

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// RebuildRollups recomputes a workspace's rollups from its feedback items in
// one transaction (readers see the old or the new rollups, never a mix). Use
// it after changing the workspace's time zone, after bulk repairs, or to
// verify consistency; ingest never needs it.
//
// Every rollup row is written once (or twice, on the day where two pages of
// items meet). The old rebuild paged items by id through the ingest delta,
// so each page upserted nearly every slice row of the year again: at 1M
// items on PostgreSQL it took 21 minutes, and the dead row versions it left
// behind made every later dashboard query walk through them. Now:
//   - the two cubes, about a row per item, are filled by INSERT … SELECT …
//     GROUP BY, with the counters of RollupCounts.AddItem in SQL and the
//     local day from the workspace's zone as Go sees it (rebuildDaySQL):
//     both engines write such rows several times faster from SQL than from
//     Go's multi-row upserts;
//   - the small tables (slices, kind slices, NPS topic sets) come from the
//     ingest delta itself, items read in time order so that a page touches
//     only its own days' rows. From the cubes in SQL they would take a
//     GROUP BY over the cube per dimension, which SQLite sorts: slower.
//
// The tests compare every row of every table with what ingest maintained.
func (db *DB) RebuildRollups(ctx context.Context, workspaceID int64) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		for _, table := range rollupTables {
			if _, err := tx.exec(ctx, `DELETE FROM `+table+` WHERE workspace_id = ?`, workspaceID); err != nil {
				return fmt.Errorf("empty %s: %w", table, err)
			}
		}
		loc, err := tx.workspaceLocation(ctx, workspaceID)
		if err != nil {
			return err
		}
		var first, last *int64
		if err := tx.queryRow(ctx, `SELECT MIN(occurred_at), MAX(occurred_at) FROM feedback_items WHERE workspace_id = ?`,
			workspaceID).Scan(&first, &last); err != nil {
			return err
		}
		if first == nil {
			return nil // no items, no rollups
		}
		r := rebuild{tx: tx, ws: workspaceID, loc: loc, day: rebuildDaySQL(loc, *first, *last)}
		if db.Dialect == Postgres {
			// The default 4MB sends the GROUP BY of a cube to an external
			// merge sort. For this transaction only.
			if err := r.exec(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
				return err
			}
			// Fresh statistics, so that the time-ordered pages of small()
			// walk the (workspace, occurred_at, id) index. Right after a
			// bulk load the planner guessed a few thousand rows, sorted
			// every remaining item for each page of 10,000, and a 10M
			// rebuild would have taken hours; ANALYZE samples (1.3 s at
			// 10M) and may run inside the transaction.
			if err := r.exec(ctx, `ANALYZE feedback_items`); err != nil {
				return err
			}
		}
		for _, step := range []func(context.Context) error{r.cube, r.topicCube, r.small} {
			if err := step(ctx); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("rebuild rollups: %w", err)
	}
	return nil
}

// rebuild fills one workspace's emptied rollup tables.
type rebuild struct {
	tx  *Tx
	ws  int64
	loc *time.Location
	day func(col string) string // SQL: local day of a unix-ms column
}

// small fills rollup_slices, rollup_kind_slices and rollup_nps_topics
// through the ingest delta, a page of items at a time in (occurred_at, id)
// order, reading only the columns the delta needs. The rows of the page's
// last local day wait for the next page, so that each row is written once:
// at 10M items a day spans three pages, and writing its rows at each page
// left two dead versions of every row on PostgreSQL. (Local days only go
// back for the hour after a DST change at midnight; a row written twice
// then is still exact, upserts add.)
func (r *rebuild) small(ctx context.Context) error {
	afterAt, afterID := int64(math.MinInt64), int64(0)
	d := newRollupDelta()
	d.noCubes = true
	for {
		rows, err := r.tx.query(ctx, `SELECT id, occurred_at, kind, channel, region, segment, touchpoint, stage, lang,
			sentiment_label, topics, nps, csat, csat_scale, ces, employee_id, survey_id FROM feedback_items
			WHERE workspace_id = ? AND (occurred_at, id) > (?, ?) ORDER BY occurred_at, id LIMIT ?`, r.ws, afterAt, afterID, rebuildPageItems)
		if err != nil {
			return fmt.Errorf("read items: %w", err)
		}
		n := 0
		for rows.Next() {
			var it FeedbackItem
			var topics string
			if err := rows.Scan(&afterID, &afterAt, &it.Kind, &it.Channel, &it.Region, &it.Segment, &it.Touchpoint, &it.Stage,
				&it.Lang, &it.Sentiment, &topics, &it.NPS, &it.CSAT, &it.CSATScale, &it.CES, &it.EmployeeID, &it.SurveyID); err != nil {
				rows.Close()
				return fmt.Errorf("read items: %w", err)
			}
			if topics != "[]" {
				_ = json.Unmarshal([]byte(topics), &it.Topics) // as scanFeedback: bad JSON means no topics
			}
			it.OccurredAt = fromMillis(afterAt)
			d.add(&it, r.loc, 1)
			n++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("read items: %w", err)
		}
		if n == 0 {
			return r.tx.applyRollupDelta(ctx, r.ws, d)
		}
		done := d.before(DayOf(fromMillis(afterAt), r.loc))
		if err := r.tx.applyRollupDelta(ctx, r.ws, done); err != nil {
			return err
		}
	}
}

// rebuildPageItems is how many items RebuildRollups reads at a time; a
// variable only so that tests can make pages end at every other item.
var rebuildPageItems = 10000

// before moves the rows of days before day out of d (small and NPS rows
// only, the cubes being empty) into a delta of their own.
func (d *rollupDelta) before(day Day) *rollupDelta {
	out := newRollupDelta()
	for k, c := range d.slices {
		if k.day < day {
			out.slices[k] = c
			delete(d.slices, k)
		}
	}
	for k, c := range d.kinds {
		if k.day < day {
			out.kinds[k] = c
			delete(d.kinds, k)
		}
	}
	for k, n := range d.nps {
		if k.day < day {
			out.nps[k] = n
			delete(d.nps, k)
		}
	}
	return out
}

// exec runs a statement of the rebuild. Its texts embed the workspace's
// time zone offsets, so they bypass the writer statement cache, which is
// for texts that recur.
func (r *rebuild) exec(ctx context.Context, query string, args ...any) error {
	if r.tx.db.Dialect == Postgres {
		query = rebind(query)
	}
	_, err := r.tx.tx.ExecContext(ctx, query, args...)
	return err
}

// itemCounterSums are SQL aggregates over feedback_items rows giving the
// counters in counterColumns order, exactly as RollupCounts.AddItem counts.
var itemCounterSums = func() string {
	count := func(cond string) string { return "SUM(CASE WHEN " + cond + " THEN 1 ELSE 0 END)" }
	parts := []string{"COUNT(*)", count("nps >= 9"), count("nps >= 7 AND nps < 9"), count("nps >= 0 AND nps < 7")}
	for s := 1; s <= 5; s++ {
		parts = append(parts, count("csat = "+strconv.Itoa(s)+" AND COALESCE(csat_scale, 5) = 5"))
	}
	for s := 1; s <= 10; s++ {
		parts = append(parts, count("csat = "+strconv.Itoa(s)+" AND csat_scale = 10"))
	}
	for s := 1; s <= 7; s++ {
		parts = append(parts, count("ces = "+strconv.Itoa(s)))
	}
	for _, l := range []string{"positive", "neutral", "negative"} {
		parts = append(parts, count("sentiment_label = '"+l+"'"))
	}
	return strings.Join(parts, ", ")
}()

// itemCubeColumns select an item's cube key (cubeColumns), with 0 for no
// employee or survey as cubeKey has it.
const itemCubeColumns = `f.kind, f.channel, f.region, f.segment, f.touchpoint, f.stage, f.lang,
	COALESCE(f.employee_id, 0) AS employee_id, COALESCE(f.survey_id, 0) AS survey_id`

// itemCounterColumns are the columns itemCounterSums reads.
const itemCounterColumns = `f.nps, f.csat, f.csat_scale, f.ces, f.sentiment_label`

// cube fills rollup_cube. Rows are inserted in primary key order, so that
// they lie in the table as its index orders them; the ORDER BY is the GROUP
// BY's, which SQLite then sorts once.
func (r *rebuild) cube(ctx context.Context) error {
	keys := strings.Join(cubeColumns, ", ")
	err := r.exec(ctx, `INSERT INTO rollup_cube (workspace_id, day, `+keys+`, `+strings.Join(counterColumns, ", ")+`)
		SELECT workspace_id, day, `+keys+`, `+itemCounterSums+`
		FROM (SELECT f.workspace_id, `+r.day("f.occurred_at")+` AS day, `+itemCubeColumns+`, `+itemCounterColumns+`
			FROM feedback_items f WHERE f.workspace_id = ?) i
		GROUP BY workspace_id, day, `+keys+` ORDER BY workspace_id, day, `+keys, r.ws)
	if err != nil {
		return fmt.Errorf("rollup_cube: %w", err)
	}
	return nil
}

// itemTopicsFrom is the FROM clause of an item's array elements as value
// with their position as key: the one place where the two engines' SQL
// differs, JSON functions having no common name.
func (r *rebuild) itemTopicsFrom(alias string) string {
	if r.tx.db.Dialect == Postgres {
		return "jsonb_array_elements_text(CAST(f.topics AS jsonb)) WITH ORDINALITY AS " + alias + "(value, key)"
	}
	return "json_each(f.topics) AS " + alias
}

// topicCube counts each item once per distinct non-empty topic (ItemTopics):
// an element equal to an earlier one of the same item is skipped.
func (r *rebuild) topicCube(ctx context.Context) error {
	keys := strings.Join(cubeColumns, ", ")
	err := r.exec(ctx, `INSERT INTO rollup_topic_cube (workspace_id, day, topic, `+keys+`, `+strings.Join(counterColumns, ", ")+`)
		SELECT workspace_id, day, topic, `+keys+`, `+itemCounterSums+`
		FROM (SELECT f.workspace_id, `+r.day("f.occurred_at")+` AS day, t.value AS topic, `+itemCubeColumns+`, `+itemCounterColumns+`
			FROM feedback_items f, `+r.itemTopicsFrom("t")+`
			WHERE f.workspace_id = ? AND f.topics <> '[]' AND t.value <> ''
				AND NOT EXISTS (SELECT 1 FROM `+r.itemTopicsFrom("e")+` WHERE e.key < t.key AND e.value = t.value)) i
		GROUP BY workspace_id, day, topic, `+keys+` ORDER BY workspace_id, day, topic, `+keys, r.ws)
	if err != nil {
		return fmt.Errorf("rollup_topic_cube: %w", err)
	}
	return nil
}

// rebuildDaySQL returns a function giving the SQL expression of the local
// day (DayOf in loc) of a unix-milliseconds column whose values lie in
// [first, last]. SQL engines have time zones of their own (SQLite none), so
// the expression carries loc's UTC offsets over that span, taken from Go's
// zone data: a search tree of CASEs on the instants where the offset
// changes, then a floor division by the day.
func rebuildDaySQL(loc *time.Location, first, last int64) func(col string) string {
	type span struct{ start, offset int64 } // ms; start unused for the first
	var spans []span
	for t := time.UnixMilli(first).In(loc); ; {
		_, off := t.Zone()
		if n := len(spans); n == 0 || spans[n-1].offset != int64(off)*1000 {
			spans = append(spans, span{t.UnixMilli(), int64(off) * 1000})
		}
		_, end := t.ZoneBounds()
		if !end.IsZero() && !end.After(t) {
			end = nextOffsetChange(t)
		}
		if end.IsZero() || end.UnixMilli() > last {
			break
		}
		t = end
	}
	// Local times before 1970 would need a floor, not SQL's truncating
	// division: shift by whole days so every value is positive.
	const dayMs = 86400000
	lowest := first
	for _, s := range spans {
		lowest = min(lowest, first+s.offset)
	}
	shift := int64(0)
	if lowest < 0 {
		shift = -lowest/dayMs + 1
	}
	return func(col string) string {
		var local func(lo, hi int) string
		local = func(lo, hi int) string {
			if lo == hi {
				return "(" + col + " + " + strconv.FormatInt(spans[lo].offset+shift*dayMs, 10) + ")"
			}
			mid := (lo + hi + 1) / 2
			return "CASE WHEN " + col + " < " + strconv.FormatInt(spans[mid].start, 10) + " THEN " + local(lo, mid-1) +
				" ELSE " + local(mid, hi) + " END"
		}
		expr := "(" + local(0, len(spans)-1) + ") / " + strconv.Itoa(dayMs)
		if shift > 0 {
			expr = "(" + expr + " - " + strconv.FormatInt(shift, 10) + ")"
		}
		return expr
	}
}

// nextOffsetChange returns the first second of the hour after t whose UTC
// offset differs from t's, or t + 1h. ZoneBounds stalls (returns t as the
// end) for some hours around new year under a zone's rule for future
// years; stepping by the hour there misses nothing, offsets never change
// twice within an hour.
func nextOffsetChange(t time.Time) time.Time {
	_, off := t.Zone()
	lo, hi := t.Unix(), t.Unix()+3600
	if _, o := time.Unix(hi, 0).In(t.Location()).Zone(); o == off {
		return time.Unix(hi, 0).In(t.Location())
	}
	for hi-lo > 1 { // offset at lo is off, at hi not
		mid := lo + (hi-lo)/2
		if _, o := time.Unix(mid, 0).In(t.Location()).Zone(); o == off {
			lo = mid
		} else {
			hi = mid
		}
	}
	return time.Unix(hi, 0).In(t.Location())
}
