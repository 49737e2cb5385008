package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Rollups keep dashboards off feedback_items: every insert adds its items'
// counts to per workspace × local day × slice rows in the same transaction,
// so rollups are exactly what a recomputation from raw items gives, and a
// rolled-back batch leaves nothing behind.
//
// Three tables (004_rollups.sql), each a trade-off of size against reach
// (a fourth, rollup_nps_topics, serves key drivers: rollup_nps_topics.go):
//
//   - rollup_slices: one row per day × (dimension, value), topic included.
//     At most days × Σ distinct values rows; answers every unfiltered
//     "metric by one dimension (and time)" query, i.e. a dashboard, in a
//     few hundred rows whatever the item count.
//   - rollup_cube: one row per day × combination of the nine single-valued
//     dimensions. Answers filters and pairs of dimensions, but its size is
//     bounded only by min(items, product of the dimensions' cardinalities)
//     per day: with high-cardinality employees and surveys a row may stand
//     for only a few items, so filtered queries over long ranges cost more.
//   - rollup_topic_cube: the cube × topic, for filters on or by topic. It
//     grows with the mean number of topics per item.
//
// Measured (rollups_bench_test.go, items with independent random slices):
// rollup_slices holds ~45k rows for a year whatever the volume, while the two
// cubes hold about one row per item, so they cost as much to write as the
// items themselves and a filtered query over them is only as fast as a scan
// of a narrow table. Real slices are correlated (an employee works in one
// region and touchpoint, a survey has one channel), which shrinks the cubes;
// if they still dominate, drop employee_id and survey_id from the cubes and
// answer those filters from per-pair tables, or roll the cubes up per week.
// The cube keeps every combination answerable without knowing the questions
// in advance.

// RollupDims are the dimensions metrics can be sliced by, in addition to
// time. "employee" and "survey" values are decimal ids ("" for none).
var RollupDims = []string{"channel", "region", "segment", "touchpoint", "stage", "employee", "survey", "topic", "lang", "kind"}

// cubeColumns are the cube's dimension columns, in key order.
var cubeColumns = []string{"kind", "channel", "region", "segment", "touchpoint", "stage", "lang", "employee_id", "survey_id"}

// dimColumn maps a dimension to its cube column.
func dimColumn(dim string) string {
	switch dim {
	case "employee":
		return "employee_id"
	case "survey":
		return "survey_id"
	}
	return dim
}

// ErrBadRollupQuery is returned for a dimension or filter value rollups do
// not know; callers validate input first, so it signals a programming error.
var ErrBadRollupQuery = errors.New("bad rollup query")

// Day is a calendar date as days since 1970-01-01. Rollups are keyed by the
// local date of an item in its workspace's time zone, so a day never needs a
// time zone once computed.
type Day int32

// DayOf returns the local date of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return DayFromDate(y, m, d)
}

// DayFromDate returns the Day of a calendar date (normalised like time.Date).
func DayFromDate(y int, m time.Month, d int) Day {
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// ParseDay parses a YYYY-MM-DD date.
func ParseDay(s string) (Day, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return 0, err
	}
	return DayFromDate(t.Date()), nil
}

// Date returns midnight UTC of the day (calendar arithmetic only).
func (d Day) Date() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// Start returns the first instant of the day in loc.
func (d Day) Start(loc *time.Location) time.Time {
	y, m, dd := d.Date().Date()
	return time.Date(y, m, dd, 0, 0, 0, 0, loc)
}

// String formats the day as YYYY-MM-DD.
func (d Day) String() string { return d.Date().Format(time.DateOnly) }

// RollupCounts are the additive counts behind every rollup metric: enough to
// compute NPS, CSAT (top-2-box, mean, Wilson CI), CES (mean, t CI, % easy),
// the sentiment index and volume for any union of rows.
type RollupCounts struct {
	Items                           int64
	Promoters, Passives, Detractors int64
	CSAT5                           [6]int64  // CSAT5[s]: answers s on the 1-5 scale (index 0 unused)
	CSAT10                          [11]int64 // CSAT10[s]: answers s on the 1-10 scale (index 0 unused)
	CES                             [8]int64  // CES[s]: answers s on the 1-7 scale (index 0 unused)
	Positive, Neutral, Negative     int64
}

// counterColumns are the counter columns of every rollup table, in the order
// of RollupCounts.fields.
var counterColumns = func() []string {
	cols := []string{"items", "nps_promoters", "nps_passives", "nps_detractors"}
	for s := 1; s <= 5; s++ {
		cols = append(cols, "csat5_"+strconv.Itoa(s))
	}
	for s := 1; s <= 10; s++ {
		cols = append(cols, "csat10_"+strconv.Itoa(s))
	}
	for s := 1; s <= 7; s++ {
		cols = append(cols, "ces_"+strconv.Itoa(s))
	}
	return append(cols, "sentiment_positive", "sentiment_neutral", "sentiment_negative")
}()

// fields returns pointers to the counters in counterColumns order.
func (c *RollupCounts) fields() []*int64 {
	f := []*int64{&c.Items, &c.Promoters, &c.Passives, &c.Detractors}
	for s := 1; s <= 5; s++ {
		f = append(f, &c.CSAT5[s])
	}
	for s := 1; s <= 10; s++ {
		f = append(f, &c.CSAT10[s])
	}
	for s := 1; s <= 7; s++ {
		f = append(f, &c.CES[s])
	}
	return append(f, &c.Positive, &c.Neutral, &c.Negative)
}

// appendCounts appends the counters in counterColumns order.
func (c *RollupCounts) appendCounts(args []any) []any {
	args = append(args, c.Items, c.Promoters, c.Passives, c.Detractors)
	for s := 1; s <= 5; s++ {
		args = append(args, c.CSAT5[s])
	}
	for s := 1; s <= 10; s++ {
		args = append(args, c.CSAT10[s])
	}
	for s := 1; s <= 7; s++ {
		args = append(args, c.CES[s])
	}
	return append(args, c.Positive, c.Neutral, c.Negative)
}

// Add adds o's counts to c.
func (c *RollupCounts) Add(o *RollupCounts) {
	c.Items += o.Items
	c.Promoters += o.Promoters
	c.Passives += o.Passives
	c.Detractors += o.Detractors
	for s := range c.CSAT5 {
		c.CSAT5[s] += o.CSAT5[s]
	}
	for s := range c.CSAT10 {
		c.CSAT10[s] += o.CSAT10[s]
	}
	for s := range c.CES {
		c.CES[s] += o.CES[s]
	}
	c.Positive += o.Positive
	c.Neutral += o.Neutral
	c.Negative += o.Negative
}

// AddItem counts one item with weight sign (+1 to add, −1 to remove). It is
// the single definition of what an item contributes; tests recompute with it
// only through their own code.
func (c *RollupCounts) AddItem(it *FeedbackItem, sign int64) {
	c.Items += sign
	if it.NPS != nil {
		switch s := *it.NPS; {
		case s >= 9:
			c.Promoters += sign
		case s >= 7:
			c.Passives += sign
		case s >= 0:
			c.Detractors += sign
		}
	}
	if it.CSAT != nil {
		s := *it.CSAT
		scale := 5
		if it.CSATScale != nil {
			scale = *it.CSATScale
		}
		switch {
		case scale == 10 && s >= 1 && s <= 10:
			c.CSAT10[s] += sign
		case scale == 5 && s >= 1 && s <= 5:
			c.CSAT5[s] += sign
		}
	}
	if it.CES != nil && *it.CES >= 1 && *it.CES <= 7 {
		c.CES[*it.CES] += sign
	}
	switch it.Sentiment {
	case "positive":
		c.Positive += sign
	case "neutral":
		c.Neutral += sign
	case "negative":
		c.Negative += sign
	}
}

// cubeKey is one rollup_cube row's key.
type cubeKey struct {
	day                                                     Day
	kind, channel, region, segment, touchpoint, stage, lang string
	employee, survey                                        int64
}

func (k cubeKey) values() []any {
	return []any{int32(k.day), k.kind, k.channel, k.region, k.segment, k.touchpoint, k.stage, k.lang, k.employee, k.survey}
}

func compareCube(a, b cubeKey) int {
	return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.kind, b.kind), cmp.Compare(a.channel, b.channel),
		cmp.Compare(a.region, b.region), cmp.Compare(a.segment, b.segment), cmp.Compare(a.touchpoint, b.touchpoint),
		cmp.Compare(a.stage, b.stage), cmp.Compare(a.lang, b.lang), cmp.Compare(a.employee, b.employee),
		cmp.Compare(a.survey, b.survey))
}

type topicKey struct {
	topic string
	cube  cubeKey
}

type sliceKey struct {
	dim string
	day Day
	val string
}

// kindSliceKey is one rollup_kind_slices row's key.
type kindSliceKey struct {
	kind string
	sliceKey
}

// rollupDelta is what one batch changes in the rollup tables.
type rollupDelta struct {
	slices map[sliceKey]*RollupCounts
	kinds  map[kindSliceKey]*RollupCounts
	cube   map[cubeKey]*RollupCounts
	topics map[topicKey]*RollupCounts
	nps    map[npsTopicKey]int64 // rollup_nps_topics (rollup_nps_topics.go)
	// noCubes leaves cube and topics empty: RebuildRollups fills the cubes,
	// a row per item or so, with SQL.
	noCubes bool
}

func newRollupDelta() *rollupDelta {
	return &rollupDelta{slices: map[sliceKey]*RollupCounts{}, kinds: map[kindSliceKey]*RollupCounts{}, cube: map[cubeKey]*RollupCounts{},
		topics: map[topicKey]*RollupCounts{}, nps: map[npsTopicKey]int64{}}
}

// rollupTables are the tables a rollup delta writes; each has an items
// counter, and a row whose items fell to 0 is empty.
var rollupTables = []string{"rollup_slices", "rollup_kind_slices", "rollup_cube", "rollup_topic_cube", "rollup_nps_topics"}

func addTo[K comparable](m map[K]*RollupCounts, k K, it *FeedbackItem, sign int64) {
	c := m[k]
	if c == nil {
		c = &RollupCounts{}
		m[k] = c
	}
	c.AddItem(it, sign)
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// add counts one item into every row it belongs to.
func (d *rollupDelta) add(it *FeedbackItem, loc *time.Location, sign int64) {
	k := cubeKey{day: DayOf(it.OccurredAt, loc), kind: it.Kind, channel: it.Channel, region: it.Region,
		segment: it.Segment, touchpoint: it.Touchpoint, stage: it.Stage, lang: it.Lang,
		employee: deref(it.EmployeeID), survey: deref(it.SurveyID)}
	if !d.noCubes {
		addTo(d.cube, k, it, sign)
	}
	for _, dv := range [...]struct{ dim, val string }{{"kind", k.kind}, {"channel", k.channel}, {"region", k.region},
		{"segment", k.segment}, {"touchpoint", k.touchpoint}, {"stage", k.stage}, {"lang", k.lang},
		{"employee", idText(k.employee)}, {"survey", idText(k.survey)}} {
		addTo(d.slices, sliceKey{dim: dv.dim, day: k.day, val: dv.val}, it, sign)
		if dv.dim != "kind" {
			addTo(d.kinds, kindSliceKey{k.kind, sliceKey{dim: dv.dim, day: k.day, val: dv.val}}, it, sign)
		}
	}
	for _, tp := range ItemTopics(it) {
		if !d.noCubes {
			addTo(d.topics, topicKey{topic: tp, cube: k}, it, sign)
		}
		addTo(d.slices, sliceKey{dim: "topic", day: k.day, val: tp}, it, sign)
		addTo(d.kinds, kindSliceKey{k.kind, sliceKey{dim: "topic", day: k.day, val: tp}}, it, sign)
	}
	d.addNPS(it, k.day, sign)
}

// ItemTopics returns an item's distinct non-empty topics in first-seen order:
// an item mentioning a topic twice counts once for it.
func ItemTopics(it *FeedbackItem) []string {
	out := make([]string, 0, len(it.Topics))
	for _, tp := range it.Topics {
		if tp != "" && !slices.Contains(out, tp) {
			out = append(out, tp)
		}
	}
	return out
}

// Multi-row upserts are cut into chunks of fixed sizes: full chunks of
// maxChunkRows rows, and the remainder in powers of two. Every statement
// text is then one of seven per table, which the SQLite writer statement
// cache and pgx's statement cache keep compiled; with one text per row
// count, compiling a long upsert cost as much as running it.
const maxChunkRows = 64 // ≤ 41 values a row: far below both engines' variable limits

// chunkSizes returns the sizes n rows are written in, largest first.
func chunkSizes(n int) []int {
	var sizes []int
	for ; n >= maxChunkRows; n -= maxChunkRows {
		sizes = append(sizes, maxChunkRows)
	}
	for size := maxChunkRows / 2; size >= 1; size /= 2 {
		if n >= size {
			sizes = append(sizes, size)
			n -= size
		}
	}
	return sizes
}

// upsertTexts caches the text of each (table, row count) upsert.
var upsertTexts sync.Map // string → string

// upsertSQL builds `INSERT … ON CONFLICT (key) DO UPDATE SET c = t.c + excluded.c`
// for n rows; the form is shared by SQLite and PostgreSQL.
func upsertSQL(table string, keyCols []string, n int) string {
	key := table + "/" + strconv.Itoa(n)
	if v, ok := upsertTexts.Load(key); ok {
		return v.(string)
	}
	cols := append(append([]string{"workspace_id"}, keyCols...), counterColumns...)
	var b strings.Builder
	b.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
	row := "(" + placeholders(len(cols)) + ")"
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(row)
	}
	b.WriteString(" ON CONFLICT (workspace_id, " + strings.Join(keyCols, ", ") + ") DO UPDATE SET ")
	for i, c := range counterColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c + " = " + table + "." + c + " + excluded." + c)
	}
	upsertTexts.Store(key, b.String())
	return b.String()
}

// upsertRows writes rows in key order: concurrent PostgreSQL transactions
// then lock rows in the same order and cannot deadlock on each other.
func upsertRows[K comparable](ctx context.Context, tx *Tx, workspaceID int64, table string, keyCols []string,
	m map[K]*RollupCounts, keyVals func(K) []any, compare func(a, b K) int) error {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, compare)
	start := 0
	for _, size := range chunkSizes(len(keys)) {
		chunk := keys[start : start+size]
		start += size
		args := make([]any, 0, len(chunk)*(1+len(keyCols)+len(counterColumns)))
		for _, k := range chunk {
			args = append(args, workspaceID)
			args = append(args, keyVals(k)...)
			args = m[k].appendCounts(args)
		}
		if _, err := tx.exec(ctx, upsertSQL(table, keyCols, len(chunk)), args...); err != nil {
			return fmt.Errorf("upsert %s: %w", table, err)
		}
	}
	return nil
}

func (tx *Tx) applyRollupDelta(ctx context.Context, workspaceID int64, d *rollupDelta) error {
	err := upsertRows(ctx, tx, workspaceID, "rollup_slices", []string{"dim", "day", "val"}, d.slices,
		func(k sliceKey) []any { return []any{k.dim, int32(k.day), k.val} },
		func(a, b sliceKey) int {
			return cmp.Or(cmp.Compare(a.dim, b.dim), cmp.Compare(a.day, b.day), cmp.Compare(a.val, b.val))
		})
	if err != nil {
		return err
	}
	err = upsertRows(ctx, tx, workspaceID, "rollup_kind_slices", []string{"kind", "dim", "day", "val"}, d.kinds,
		func(k kindSliceKey) []any { return []any{k.kind, k.dim, int32(k.day), k.val} },
		func(a, b kindSliceKey) int {
			return cmp.Or(cmp.Compare(a.kind, b.kind), cmp.Compare(a.dim, b.dim), cmp.Compare(a.day, b.day), cmp.Compare(a.val, b.val))
		})
	if err != nil {
		return err
	}
	err = upsertRows(ctx, tx, workspaceID, "rollup_cube", append([]string{"day"}, cubeColumns...), d.cube,
		cubeKey.values, compareCube)
	if err != nil {
		return err
	}
	err = upsertRows(ctx, tx, workspaceID, "rollup_topic_cube", append([]string{"day", "topic"}, cubeColumns...), d.topics,
		func(k topicKey) []any { v := k.cube.values(); return append([]any{v[0], k.topic}, v[1:]...) },
		func(a, b topicKey) int {
			return cmp.Or(cmp.Compare(a.cube.day, b.cube.day), cmp.Compare(a.topic, b.topic), compareCube(a.cube, b.cube))
		})
	if err != nil {
		return err
	}
	return tx.upsertNPSTopics(ctx, workspaceID, d.nps)
}

// workspaceLocation loads the workspace's time zone; an unknown zone name
// falls back to UTC rather than refusing feedback.
func (tx *Tx) workspaceLocation(ctx context.Context, workspaceID int64) (*time.Location, error) {
	var tz string
	if err := tx.queryRow(ctx, `SELECT timezone FROM workspaces WHERE id = ?`, workspaceID).Scan(&tz); err != nil {
		return nil, notFound(err, "workspace")
	}
	return LoadLocation(tz), nil
}

// LoadLocation returns the named time zone, or UTC when the name is empty or
// unknown, so that rollups and queries agree on a workspace's days.
func LoadLocation(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" {
		return time.UTC
	}
	return loc
}

// addToRollups counts the newly stored items of a batch (duplicates skipped)
// into the rollups; InsertFeedback calls it inside its transaction.
func (tx *Tx) addToRollups(ctx context.Context, workspaceID int64, batch []NewFeedback, duplicates []bool) error {
	items := make([]*FeedbackItem, 0, len(batch))
	for i := range batch {
		if !duplicates[i] {
			items = append(items, &batch[i].Item)
		}
	}
	if tx.deferred != nil && len(items) > 0 {
		if err := tx.deferRollups(ctx, workspaceID, items); err != nil {
			return fmt.Errorf("rollups: %w", err)
		}
		return nil
	}
	return tx.changeRollups(ctx, workspaceID, items, 1)
}

func (tx *Tx) changeRollups(ctx context.Context, workspaceID int64, items []*FeedbackItem, sign int64) error {
	if len(items) == 0 {
		return nil
	}
	loc, err := tx.workspaceLocation(ctx, workspaceID)
	if err != nil {
		return fmt.Errorf("rollups: %w", err)
	}
	d := newRollupDelta()
	for _, it := range items {
		d.add(it, loc, sign)
	}
	if err := tx.applyRollupDelta(ctx, workspaceID, d); err != nil {
		return fmt.Errorf("rollups: %w", err)
	}
	return nil
}

// RemoveFromRollups subtracts stored items from the rollups, for deletions
// (GDPR erase, retention): call it in the transaction that deletes the items,
// with the items as they were stored. Rows left empty are deleted, so an
// erased person leaves no trace in rollups either. Only the rows the items
// touched are checked: a workspace-wide "items <= 0" sweep would read every
// cube row (about one per item) for each erase.
func (tx *Tx) RemoveFromRollups(ctx context.Context, workspaceID int64, items []FeedbackItem) error {
	if len(items) == 0 {
		return nil
	}
	loc, err := tx.workspaceLocation(ctx, workspaceID)
	if err != nil {
		return fmt.Errorf("rollups: %w", err)
	}
	d := newRollupDelta()
	for i := range items {
		d.add(&items[i], loc, -1)
	}
	if err := tx.applyRollupDelta(ctx, workspaceID, d); err != nil {
		return fmt.Errorf("rollups: %w", err)
	}
	return tx.pruneRollups(ctx, workspaceID, d)
}

// pruneRollups deletes the rows of d's keys that no item counts any more.
func (tx *Tx) pruneRollups(ctx context.Context, workspaceID int64, d *rollupDelta) error {
	cubeWhere := "day = ? AND kind = ? AND channel = ? AND region = ? AND segment = ? AND touchpoint = ? AND stage = ? AND lang = ? AND employee_id = ? AND survey_id = ?"
	for k := range d.slices {
		if _, err := tx.exec(ctx, `DELETE FROM rollup_slices WHERE workspace_id = ? AND dim = ? AND day = ? AND val = ? AND items <= 0`,
			workspaceID, k.dim, int32(k.day), k.val); err != nil {
			return fmt.Errorf("prune rollup_slices: %w", err)
		}
	}
	for k := range d.kinds {
		if _, err := tx.exec(ctx, `DELETE FROM rollup_kind_slices WHERE workspace_id = ? AND kind = ? AND dim = ? AND day = ? AND val = ? AND items <= 0`,
			workspaceID, k.kind, k.dim, int32(k.day), k.val); err != nil {
			return fmt.Errorf("prune rollup_kind_slices: %w", err)
		}
	}
	for k := range d.nps {
		if _, err := tx.exec(ctx, `DELETE FROM rollup_nps_topics WHERE workspace_id = ? AND day = ? AND stage = ? AND touchpoint = ?
			AND outcome = ? AND topics = ? AND items <= 0`, workspaceID, int32(k.day), k.stage, k.touchpoint, k.outcome, k.topics); err != nil {
			return fmt.Errorf("prune rollup_nps_topics: %w", err)
		}
	}
	for k := range d.cube {
		if _, err := tx.exec(ctx, `DELETE FROM rollup_cube WHERE workspace_id = ? AND `+cubeWhere+` AND items <= 0`,
			append([]any{workspaceID}, k.values()...)...); err != nil {
			return fmt.Errorf("prune rollup_cube: %w", err)
		}
	}
	for k := range d.topics {
		if _, err := tx.exec(ctx, `DELETE FROM rollup_topic_cube WHERE workspace_id = ? AND topic = ? AND `+cubeWhere+` AND items <= 0`,
			append([]any{workspaceID, k.topic}, k.cube.values()...)...); err != nil {
			return fmt.Errorf("prune rollup_topic_cube: %w", err)
		}
	}
	return nil
}

// RollupQuery asks for rollup counts over the local days [From, To], grouped
// by Dims (from RollupDims) and optionally by day, keeping only rows whose
// dimension values are among Filters[dim].
type RollupQuery struct {
	From, To Day
	Dims     []string
	ByDay    bool
	Filters  map[string][]string
	// Metric, when one of nps, csat, ces, sentiment or volume, limits the
	// counters read to Items and those the metric needs (the others stay
	// zero): fewer columns make a dashboard query about twice as fast.
	Metric string
}

// metricCounters returns the indexes in counterColumns a metric needs.
func metricCounters(metric string) []int {
	lo, hi := 1, len(counterColumns) // all
	switch metric {
	case "volume":
		lo, hi = 1, 1
	case "nps":
		lo, hi = 1, 4
	case "csat":
		lo, hi = 4, 19
	case "ces":
		lo, hi = 19, 26
	case "sentiment":
		lo, hi = 26, 29
	}
	idx := []int{0}
	for i := lo; i < hi; i++ {
		idx = append(idx, i)
	}
	return idx
}

// RollupRow is one group of a RollupQuery: Key holds the values of Dims in
// order, Day is set when grouping by day.
type RollupRow struct {
	Key    []string
	Day    Day
	Counts RollupCounts
}

func validDim(dim string) bool { return slices.Contains(RollupDims, dim) }

// RollupCounts answers q from the smallest rollup table that can: the slices
// table for one dimension without filters, the topic cube when a topic is
// involved, the cube otherwise. It never reads feedback_items.
func (db *DB) RollupCounts(ctx context.Context, workspaceID int64, q RollupQuery) ([]RollupRow, error) {
	usesTopic := false
	for _, d := range q.Dims {
		if !validDim(d) {
			return nil, fmt.Errorf("%w: unknown dimension %q", ErrBadRollupQuery, d)
		}
		usesTopic = usesTopic || d == "topic"
	}
	filters := 0
	for d, vals := range q.Filters {
		if !validDim(d) {
			return nil, fmt.Errorf("%w: unknown filter %q", ErrBadRollupQuery, d)
		}
		if len(vals) > 0 {
			filters++
			usesTopic = usesTopic || d == "topic"
		}
	}
	// An item mentioning two of the filtered topics is in two topic-cube
	// rows: without grouping by topic it would count twice.
	if len(q.Filters["topic"]) > 1 && !slices.Contains(q.Dims, "topic") {
		return nil, fmt.Errorf("%w: filter on several topics needs by=topic", ErrBadRollupQuery)
	}
	counters := metricCounters(q.Metric)
	sums := make([]string, len(counters))
	for i, c := range counters {
		sums[i] = "COALESCE(CAST(SUM(" + counterColumns[c] + ") AS BIGINT), 0)"
	}
	var group []string
	if q.ByDay {
		group = append(group, "day")
	}
	where := []string{"workspace_id = ?", "day >= ?", "day <= ?"}
	args := []any{workspaceID, int32(q.From), int32(q.To)}
	var table string
	switch kindDim, ok := kindSliceDim(q); {
	case ok:
		// Items of some kinds by (or filtered on) one other dimension.
		table = "rollup_kind_slices"
		kinds := q.Filters["kind"]
		where = append(where, "kind IN ("+placeholders(len(kinds))+")", "dim = ?")
		for _, k := range kinds {
			args = append(args, k)
		}
		args = append(args, kindDim)
		if vals := q.Filters[kindDim]; len(vals) > 0 {
			where = append(where, "val IN ("+placeholders(len(vals))+")")
			for _, v := range vals {
				if kindDim == "employee" || kindDim == "survey" {
					id, err := parseIDValue(v)
					if err != nil {
						return nil, fmt.Errorf("%w: filter %s: %q is not an id", ErrBadRollupQuery, kindDim, v)
					}
					v = idText(id)
				}
				args = append(args, v)
			}
		}
		if len(q.Dims) == 1 {
			group = append(group, "val")
		}
	case filters == 0 && len(q.Dims) <= 1:
		table = "rollup_slices"
		dim := "kind" // every item has exactly one kind, so its rows sum to the totals
		if len(q.Dims) == 1 {
			dim = q.Dims[0]
			group = append(group, "val")
		}
		where, args = append(where, "dim = ?"), append(args, dim)
	default:
		table = "rollup_cube"
		if usesTopic {
			table = "rollup_topic_cube"
		}
		for _, d := range q.Dims {
			group = append(group, dimColumn(d))
		}
		dims := make([]string, 0, len(q.Filters))
		for d := range q.Filters {
			dims = append(dims, d)
		}
		slices.Sort(dims)
		for _, d := range dims {
			vals := q.Filters[d]
			if len(vals) == 0 {
				continue
			}
			where = append(where, dimColumn(d)+" IN ("+placeholders(len(vals))+")")
			for _, v := range vals {
				if d == "employee" || d == "survey" {
					id, err := parseIDValue(v)
					if err != nil {
						return nil, fmt.Errorf("%w: filter %s: %q is not an id", ErrBadRollupQuery, d, v)
					}
					args = append(args, id)
				} else {
					args = append(args, v)
				}
			}
		}
	}
	query := "SELECT " + strings.Join(append(slices.Clone(group), sums...), ", ") + " FROM " + table +
		" WHERE " + strings.Join(where, " AND ")
	if len(group) > 0 {
		query += " GROUP BY " + strings.Join(group, ", ")
	}
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("rollup counts: %w", err)
	}
	defer rows.Close()
	var out []RollupRow
	for rows.Next() {
		var r RollupRow
		var day int32
		keys := make([]any, 0, len(group))
		if q.ByDay {
			keys = append(keys, &day)
		}
		raw := make([]any, len(group)-len(keys))
		for i := range raw {
			keys = append(keys, &raw[i])
		}
		dest := keys
		fields := r.Counts.fields()
		for _, c := range counters {
			dest = append(dest, fields[c])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("rollup counts: %w", err)
		}
		if r.Counts.Items == 0 {
			continue // SUM over no rows, or a fully subtracted group
		}
		r.Day = Day(day)
		r.Key = make([]string, len(raw))
		for i, v := range raw {
			r.Key[i] = keyText(v)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("rollup counts: %w", err)
	}
	return out, nil
}

// kindSliceDim says whether rollup_kind_slices answers q, and with the rows
// of which dimension: q filters on kind, groups by at most one dimension
// other than kind, and filters on no other dimension than that one (or on
// one when it groups by none). Every item has one channel, so the channel
// rows sum to the totals when no dimension is involved.
func kindSliceDim(q RollupQuery) (string, bool) {
	if len(q.Filters["kind"]) == 0 || slices.Contains(q.Dims, "kind") || len(q.Dims) > 1 {
		return "", false
	}
	dim := ""
	if len(q.Dims) == 1 {
		dim = q.Dims[0]
	}
	for d, vals := range q.Filters {
		if d == "kind" || len(vals) == 0 {
			continue
		}
		if dim != "" && d != dim {
			return "", false
		}
		dim = d
	}
	if dim == "" {
		dim = "channel"
	}
	return dim, true
}

// keyText renders a scanned key column: ids of 0 (none) become "".
func keyText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case int64:
		return idText(x)
	case int32:
		return idText(int64(x))
	case []byte:
		return string(x)
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// parseIDValue reads an employee or survey filter value ("" means none).
func parseIDValue(v string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 0 {
		return 0, errors.New("not an id")
	}
	return id, nil
}
