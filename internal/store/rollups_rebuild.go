package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// RebuildRollups recomputes a workspace's rollups from its feedback items in
// one transaction (readers see the old or the new rollups, never a mix). Use
// it after changing the workspace's time zone, after bulk repairs, or to
// verify consistency; ingest never needs it.
//
// It is set-based: each rollup table is filled by INSERT … SELECT … GROUP BY,
// every row written once and in key order. Streaming items through the
// rollup delta instead upserted every slice row once per page of items: at
// 1M items on PostgreSQL that took 21 minutes and left each slice row with a
// trail of dead versions that every later dashboard query walked through.
// The counters are the SQL form of RollupCounts.AddItem, local days come
// from the workspace's time zone as Go sees it (rebuildDaySQL), and topic
// sets are canonicalised by TopicSetKey, so the result equals what ingest
// maintains; the tests compare every row of every table.
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
		r := rebuild{tx: tx, ws: workspaceID, day: rebuildDaySQL(loc, *first, *last)}
		if db.Dialect == Postgres {
			// The default 4MB sends every GROUP BY over the cubes to an
			// external merge sort; with 64MB they hash in memory, about 3×
			// faster at 1M items. For this transaction only.
			if err := r.exec(ctx, `SET LOCAL work_mem = '64MB'`); err != nil {
				return err
			}
		}
		for _, step := range []func(context.Context) error{r.cube, r.topicCube, r.kindSlices, r.slices, r.npsTopics} {
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
	day func(col string) string // local day of a unix-ms column
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

// rollupCounterSums sums the counter columns of rollup rows.
var rollupCounterSums = func() string {
	parts := make([]string, len(counterColumns))
	for i, c := range counterColumns {
		parts[i] = "SUM(" + c + ")"
	}
	return strings.Join(parts, ", ")
}()

// itemCubeColumns select an item's cube key (cubeColumns), with 0 for no
// employee or survey as cubeKey has it.
const itemCubeColumns = `f.kind, f.channel, f.region, f.segment, f.touchpoint, f.stage, f.lang,
	COALESCE(f.employee_id, 0) AS employee_id, COALESCE(f.survey_id, 0) AS survey_id`

// itemCounterColumns are the columns itemCounterSums reads.
const itemCounterColumns = `f.nps, f.csat, f.csat_scale, f.ces, f.sentiment_label`

func (r *rebuild) cube(ctx context.Context) error {
	keys := strings.Join(cubeColumns, ", ")
	err := r.exec(ctx, `INSERT INTO rollup_cube (workspace_id, day, `+keys+`, `+strings.Join(counterColumns, ", ")+`)
		SELECT workspace_id, day, `+keys+`, `+itemCounterSums+`
		FROM (SELECT f.workspace_id, `+r.day("f.occurred_at")+` AS day, `+itemCubeColumns+`, `+itemCounterColumns+`
			FROM feedback_items f WHERE f.workspace_id = ?) i
		GROUP BY workspace_id, day, `+keys+` ORDER BY day, `+keys, r.ws)
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
		GROUP BY workspace_id, day, topic, `+keys+` ORDER BY day, topic, `+keys, r.ws)
	if err != nil {
		return fmt.Errorf("rollup_topic_cube: %w", err)
	}
	return nil
}

// sliceValue is the slice value of a cube column: ids as decimal text, ""
// for none (idText).
func sliceValue(dim string) string {
	col := dimColumn(dim)
	if col == "employee_id" || col == "survey_id" {
		return "CASE WHEN " + col + " = 0 THEN '' ELSE CAST(" + col + " AS TEXT) END"
	}
	return col
}

// kindSlices sums the cubes per kind, day and value of every dimension but
// kind; each row of the cubes is one combination, so the sums are exact.
func (r *rebuild) kindSlices(ctx context.Context) error {
	for _, dim := range RollupDims {
		if dim == "kind" {
			continue
		}
		table := "rollup_cube"
		if dim == "topic" {
			table = "rollup_topic_cube"
		}
		val := sliceValue(dim)
		err := r.exec(ctx, `INSERT INTO rollup_kind_slices (workspace_id, kind, dim, day, val, `+strings.Join(counterColumns, ", ")+`)
			SELECT workspace_id, kind, '`+dim+`', day, `+val+`, `+rollupCounterSums+` FROM `+table+`
			WHERE workspace_id = ? GROUP BY workspace_id, kind, day, `+val+` ORDER BY kind, day, `+val, r.ws)
		if err != nil {
			return fmt.Errorf("rollup_kind_slices %s: %w", dim, err)
		}
	}
	return nil
}

// slices sums rollup_kind_slices over kinds, and its channel rows (every
// item has one channel) per kind for the kind slices.
func (r *rebuild) slices(ctx context.Context) error {
	cols := "workspace_id, dim, day, val, " + strings.Join(counterColumns, ", ")
	err := r.exec(ctx, `INSERT INTO rollup_slices (`+cols+`)
		SELECT workspace_id, dim, day, val, `+rollupCounterSums+` FROM (
			SELECT workspace_id, dim, day, val, `+strings.Join(counterColumns, ", ")+` FROM rollup_kind_slices
			WHERE workspace_id = ?
			UNION ALL
			SELECT workspace_id, 'kind', day, kind, `+strings.Join(counterColumns, ", ")+` FROM rollup_kind_slices
			WHERE workspace_id = ? AND dim = 'channel') s
		GROUP BY workspace_id, dim, day, val ORDER BY dim, day, val`, r.ws, r.ws)
	if err != nil {
		return fmt.Errorf("rollup_slices: %w", err)
	}
	return nil
}

// npsTopics fills rollup_nps_topics. Its key is the canonical text of an
// answer's topic set (TopicSetKey, JSON as Go writes it), which SQL cannot
// produce exactly; so Go maps each distinct stored topics text to its key in
// a temporary table, and SQL groups the answers through that table.
func (r *rebuild) npsTopics(ctx context.Context) error {
	rows, err := r.tx.query(ctx, `SELECT DISTINCT topics FROM feedback_items WHERE workspace_id = ? AND nps IS NOT NULL`, r.ws)
	if err != nil {
		return fmt.Errorf("rollup_nps_topics: %w", err)
	}
	var stored []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return fmt.Errorf("rollup_nps_topics: %w", err)
		}
		stored = append(stored, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("rollup_nps_topics: %w", err)
	}
	if len(stored) == 0 {
		return nil
	}
	if err := r.exec(ctx, `CREATE TEMPORARY TABLE rebuild_topic_sets (stored TEXT PRIMARY KEY, topic_set TEXT NOT NULL)`); err != nil {
		return fmt.Errorf("rollup_nps_topics: %w", err)
	}
	const perInsert = 500 // 2 values a row, well below SQLite's variable limit
	for start := 0; start < len(stored); start += perInsert {
		chunk := stored[start:min(start+perInsert, len(stored))]
		args := make([]any, 0, 2*len(chunk))
		for _, s := range chunk {
			topics := []string{}
			_ = json.Unmarshal([]byte(s), &topics) // as scanFeedback: bad JSON means no topics
			args = append(args, s, TopicSetKey(topics))
		}
		if err := r.exec(ctx, `INSERT INTO rebuild_topic_sets (stored, topic_set) VALUES (?, ?)`+
			strings.Repeat(", (?, ?)", len(chunk)-1), args...); err != nil {
			return fmt.Errorf("rollup_nps_topics: %w", err)
		}
	}
	err = r.exec(ctx, `INSERT INTO rollup_nps_topics (workspace_id, day, stage, touchpoint, outcome, topics, items)
		SELECT workspace_id, day, stage, touchpoint, outcome, topic_set, COUNT(*)
		FROM (SELECT f.workspace_id, `+r.day("f.occurred_at")+` AS day, f.stage, f.touchpoint,
				CASE WHEN f.nps >= 9 THEN 1 WHEN f.nps >= 7 THEN 0 ELSE -1 END AS outcome, s.topic_set
			FROM feedback_items f JOIN rebuild_topic_sets s ON s.stored = f.topics
			WHERE f.workspace_id = ? AND f.nps IS NOT NULL) a
		GROUP BY workspace_id, day, stage, touchpoint, outcome, topic_set ORDER BY day, stage, touchpoint, outcome, topic_set`, r.ws)
	if err != nil {
		return fmt.Errorf("rollup_nps_topics: %w", err)
	}
	if err := r.exec(ctx, `DROP TABLE rebuild_topic_sets`); err != nil {
		return fmt.Errorf("rollup_nps_topics: %w", err)
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
