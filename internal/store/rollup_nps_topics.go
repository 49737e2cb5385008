package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Key drivers and pain points regress each NPS answer's outcome on the set
// of topics it mentions, so they need topic sets, which the counters of the
// other rollups cannot give. Answers with the same outcome and topic set are
// interchangeable in that regression, so rollup_nps_topics (014) keeps how
// many answers of each (day, stage, touchpoint, outcome, topic set) there
// are: the same information as the raw answers, in a few rows per day
// rather than one per answer. It is maintained by the rollup delta of every
// insert, re-analysis and deletion, like the other rollup tables.

// npsTopicKey is one rollup_nps_topics row's key.
type npsTopicKey struct {
	day               Day
	stage, touchpoint string
	outcome           int
	topics            string // TopicSetKey of the answer's topics
}

func compareNPSTopic(a, b npsTopicKey) int {
	return cmp.Or(cmp.Compare(a.day, b.day), cmp.Compare(a.stage, b.stage), cmp.Compare(a.touchpoint, b.touchpoint),
		cmp.Compare(a.outcome, b.outcome), cmp.Compare(a.topics, b.topics))
}

// NPSOutcomeOf codes a 0-10 answer as 1 (promoter, 9-10), 0 (passive, 7-8)
// or −1 (detractor), as metrics.NPSCategory does.
func NPSOutcomeOf(score int) int {
	switch {
	case score >= 9:
		return 1
	case score >= 7:
		return 0
	}
	return -1
}

// TopicSetKey is the canonical text of a topic set: its distinct non-empty
// topics, sorted, as a JSON array. Two answers mentioning the same topics in
// any order or repetition have the same key.
func TopicSetKey(topics []string) string {
	set := ItemTopics(&FeedbackItem{Topics: topics})
	slices.Sort(set)
	b, _ := json.Marshal(set) // a []string always marshals
	return string(b)
}

// addNPS counts an item with an NPS answer into its rollup_nps_topics row.
func (d *rollupDelta) addNPS(it *FeedbackItem, day Day, sign int64) {
	if it.NPS == nil {
		return
	}
	k := npsTopicKey{day: day, stage: it.Stage, touchpoint: it.Touchpoint, outcome: NPSOutcomeOf(*it.NPS), topics: TopicSetKey(it.Topics)}
	d.nps[k] += sign
}

// upsertNPSTopics adds the delta's answer counts to rollup_nps_topics, in key
// order (see upsertRows).
func (tx *Tx) upsertNPSTopics(ctx context.Context, workspaceID int64, m map[npsTopicKey]int64) error {
	keys := make([]npsTopicKey, 0, len(m))
	for k, n := range m {
		if n != 0 {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, compareNPSTopic)
	start := 0
	for _, size := range chunkSizes(len(keys)) {
		chunk := keys[start : start+size]
		start += size
		args := make([]any, 0, 7*len(chunk))
		for _, k := range chunk {
			args = append(args, workspaceID, int32(k.day), k.stage, k.touchpoint, k.outcome, k.topics, m[k])
		}
		if _, err := tx.exec(ctx, npsTopicsUpsert(len(chunk)), args...); err != nil {
			return fmt.Errorf("upsert rollup_nps_topics: %w", err)
		}
	}
	return nil
}

// npsTopicsUpsert is the upsert of n rollup_nps_topics rows (chunkSizes
// keeps n to a few values, so the texts stay few and compiled).
func npsTopicsUpsert(n int) string {
	row := "(?, ?, ?, ?, ?, ?, ?)"
	return `INSERT INTO rollup_nps_topics (workspace_id, day, stage, touchpoint, outcome, topics, items)
		VALUES ` + row + strings.Repeat(", "+row, n-1) + `
		ON CONFLICT (workspace_id, day, stage, touchpoint, outcome, topics)
		DO UPDATE SET items = rollup_nps_topics.items + excluded.items`
}

// NPSTopicSet is a number of NPS answers sharing an outcome, a topic set, a
// journey stage and a touchpoint.
type NPSTopicSet struct {
	Stage, Touchpoint string
	Outcome           int      // 1 promoter, 0 passive, −1 detractor
	Topics            []string // distinct, sorted
	Answers           int
}

// NPSTopicSets returns the NPS answers of the local days [from, to] grouped
// by stage, touchpoint, outcome and topic set, ordered by those. It reads
// rollup_nps_topics only: a few rows per day, whatever the answer count.
func (db *DB) NPSTopicSets(ctx context.Context, workspaceID int64, from, to Day) ([]NPSTopicSet, error) {
	rows, err := db.query(ctx, `SELECT stage, touchpoint, outcome, topics, items FROM rollup_nps_topics
		WHERE workspace_id = ? AND day >= ? AND day <= ?`, workspaceID, int32(from), int32(to))
	if err != nil {
		return nil, fmt.Errorf("nps topic sets: %w", err)
	}
	defer rows.Close()
	type key struct {
		stage, touchpoint string
		outcome           int
		topics            string
	}
	sums := map[key]int64{}
	for rows.Next() {
		var k key
		var n int64
		if err := rows.Scan(&k.stage, &k.touchpoint, &k.outcome, &k.topics, &n); err != nil {
			return nil, fmt.Errorf("nps topic sets: %w", err)
		}
		sums[k] += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("nps topic sets: %w", err)
	}
	// Many days share a topic set: decode each set once.
	decoded := map[string][]string{}
	out := make([]NPSTopicSet, 0, len(sums))
	for k, n := range sums {
		if n <= 0 {
			continue
		}
		topics, ok := decoded[k.topics]
		if !ok {
			if err := json.Unmarshal([]byte(k.topics), &topics); err != nil {
				return nil, fmt.Errorf("nps topic sets: topics %q: %w", k.topics, err)
			}
			decoded[k.topics] = topics
		}
		out = append(out, NPSTopicSet{Stage: k.stage, Touchpoint: k.touchpoint, Outcome: k.outcome, Topics: topics, Answers: int(n)})
	}
	SortNPSTopicSets(out)
	return out, nil
}

// SortNPSTopicSets orders sets by stage, touchpoint, outcome and topics, so
// that computations over them are deterministic.
func SortNPSTopicSets(sets []NPSTopicSet) {
	slices.SortFunc(sets, func(a, b NPSTopicSet) int {
		return cmp.Or(cmp.Compare(a.Stage, b.Stage), cmp.Compare(a.Touchpoint, b.Touchpoint),
			cmp.Compare(a.Outcome, b.Outcome), slices.Compare(a.Topics, b.Topics))
	})
}

// fillNPSTopicRollups computes rollup_nps_topics from the stored items of
// every workspace: the Go step of migration 014, for items stored before it.
func (tx *Tx) fillNPSTopicRollups(ctx context.Context) error {
	rows, err := tx.query(ctx, `SELECT id, timezone FROM workspaces ORDER BY id`)
	if err != nil {
		return err
	}
	type ws struct {
		id  int64
		loc *time.Location
	}
	var all []ws
	for rows.Next() {
		var w ws
		var tz string
		if err := rows.Scan(&w.id, &tz); err != nil {
			rows.Close()
			return err
		}
		w.loc = LoadLocation(tz)
		all = append(all, w)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, w := range all {
		var after int64
		for {
			d := newRollupDelta()
			rows, err := tx.query(ctx, `SELECT id, nps, topics, stage, touchpoint, occurred_at FROM feedback_items
				WHERE workspace_id = ? AND id > ? AND nps IS NOT NULL ORDER BY id LIMIT 20000`, w.id, after)
			if err != nil {
				return err
			}
			n := 0
			for rows.Next() {
				var it FeedbackItem
				var nps int
				var topics string
				var at int64
				if err := rows.Scan(&after, &nps, &topics, &it.Stage, &it.Touchpoint, &at); err != nil {
					rows.Close()
					return err
				}
				_ = json.Unmarshal([]byte(topics), &it.Topics) // as scanFeedback: bad JSON means no topics
				it.NPS = &nps
				d.addNPS(&it, DayOf(time.UnixMilli(at), w.loc), 1)
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if n == 0 {
				break
			}
			if err := tx.upsertNPSTopics(ctx, w.id, d.nps); err != nil {
				return err
			}
		}
	}
	return nil
}
