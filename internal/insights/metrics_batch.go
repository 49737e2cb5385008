package insights

import (
	"context"
	"maps"
	"slices"
	"strings"

	"vox/internal/store"
)

// Metrics answers several queries that share their filters with one read of
// the rollups, by day, over the union of what they need (their periods, the
// periods before them and the buckets before their first): a page's cards
// then cost one rollup scan rather than two or three each. The answers equal
// Metric's, query by query: both sum the same rows.
//
// The read groups by every dimension any query groups by, and each query
// sums the rows over the dimensions it does not group by. Topics are
// multi-valued, so an item is in as many topic rows as it has topics: when
// some but not all queries group by topic (or they group by more than
// MaxDims dimensions together), the queries are answered one by one.
func (s *Service) Metrics(ctx context.Context, workspaceID int64, qs []Query) ([]Result, error) {
	out := make([]Result, len(qs))
	if len(qs) == 0 {
		return out, nil
	}
	var dims []string
	topics := 0
	for _, q := range qs {
		if err := q.Validate(); err != nil {
			return nil, err
		}
		for _, d := range q.By {
			if !slices.Contains(dims, d) {
				dims = append(dims, d)
			}
		}
		if slices.Contains(q.By, "topic") {
			topics++
		}
	}
	shared := len(dims) <= MaxDims && (topics == 0 || topics == len(qs))
	for _, q := range qs[1:] {
		shared = shared && sameFilters(q.Filters, qs[0].Filters)
	}
	if !shared {
		for i, q := range qs {
			var err error
			if out[i], err = s.Metric(ctx, workspaceID, q); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	// The days each query needs: with a grain, from the bucket before its
	// first; without, from the period of equal length before From.
	start := func(q Query) store.Day {
		if q.Grain != "" {
			return bucketOf(bucketOf(q.From, q.Grain)-1, q.Grain)
		}
		return q.From - (q.To - q.From + 1)
	}
	lo, hi := start(qs[0]), qs[0].To
	metric := qs[0].Metric
	for _, q := range qs {
		lo, hi = min(lo, start(q)), max(hi, q.To)
		if q.Metric != metric {
			metric = "" // every counter
		}
	}
	rows, err := s.DB.RollupCounts(ctx, workspaceID, store.RollupQuery{From: lo, To: hi, Dims: dims, ByDay: true,
		Filters: qs[0].Filters, Metric: metric})
	if err != nil {
		return nil, err
	}
	for i, q := range qs {
		out[i] = s.fromDays(q, dims, rows)
	}
	return out, nil
}

// sameFilters says whether two filter sets keep the same items.
func sameFilters(a, b map[string][]string) bool {
	nonEmpty := func(m map[string][]string) map[string][]string {
		out := map[string][]string{}
		for d, vs := range m {
			if len(vs) > 0 {
				out[d] = vs
			}
		}
		return out
	}
	return maps.EqualFunc(nonEmpty(a), nonEmpty(b), slices.Equal[[]string])
}

// fromDays answers q from daily rows grouped by dims (a superset of q.By),
// as Metric does from its own reads.
func (s *Service) fromDays(q Query, dims []string, rows []store.RollupRow) Result {
	res := emptyResult(q)
	idx := make([]int, len(q.By))
	for i, d := range q.By {
		idx[i] = slices.Index(dims, d)
	}
	length := q.To - q.From + 1
	firstPrev := q.From - length
	if q.Grain != "" {
		firstPrev = bucketOf(bucketOf(q.From, q.Grain)-1, q.Grain)
	}
	cur := map[groupKey]*store.RollupCounts{}
	prev := map[groupKey]*store.RollupCounts{}
	keys := map[string][]string{}
	key := make([]string, len(q.By))
	for i := range rows {
		r := &rows[i]
		if r.Day < firstPrev || r.Day > q.To {
			continue
		}
		for j, x := range idx {
			key[j] = r.Key[x]
		}
		k := groupKey{dims: strings.Join(key, "\x00")}
		if q.Grain != "" {
			k.bucket = bucketOf(r.Day, q.Grain)
		}
		if _, ok := keys[k.dims]; !ok && (q.Grain != "" || r.Day >= q.From) {
			keys[k.dims] = slices.Clone(key)
		}
		if r.Day < q.From {
			add(prev, k, &r.Counts)
		} else {
			add(cur, k, &r.Counts)
		}
	}
	res.Groups = groups(q, cur, prev, keys)
	return res
}
