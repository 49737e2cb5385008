package store

import (
	"context"
	"slices"
	"time"
)

// Survey answers arrive one item per call and are committed in groups
// (group_commit.go). The answers of one group mostly share their day, kind,
// channel and survey, so each call's rollup upserts would rewrite the same
// rollup_slices and rollup_kind_slices rows again and again: they were
// two thirds of the group's time. Instead, inside a group, each call's
// items are noted, counted into the group's sum when the call succeeds
// (forgotten with its savepoint when it fails), and the group writes the
// sum once before its COMMIT. If that write fails, the shared transaction
// fails and every call is run again alone, writing its own rows.
//
// Only additions are deferred: deletions (erase, retention, re-analysis)
// never run in a group and prune emptied rows as they go.

// deferredRollups collects the rollup additions of one group commit.
type deferredRollups struct {
	locs  map[int64]*time.Location // workspace time zones, read once per group
	group map[int64]*rollupDelta   // the additions of the calls that succeeded
	call  []deferredItems          // the items of the running call
}

type deferredItems struct {
	workspaceID int64
	items       []*FeedbackItem
}

func newDeferredRollups() *deferredRollups {
	return &deferredRollups{locs: map[int64]*time.Location{}, group: map[int64]*rollupDelta{}}
}

// endCall counts the running call's items into the group's sum when the
// call succeeded.
func (r *deferredRollups) endCall(ok bool) {
	if ok {
		for _, c := range r.call {
			d := r.group[c.workspaceID]
			if d == nil {
				d = newRollupDelta()
				r.group[c.workspaceID] = d
			}
			loc := r.locs[c.workspaceID]
			for _, it := range c.items {
				d.add(it, loc, 1)
			}
		}
	}
	r.call = r.call[:0]
}

// deferRollups notes items whose rollup additions the running call makes.
func (tx *Tx) deferRollups(ctx context.Context, workspaceID int64, items []*FeedbackItem) error {
	r := tx.deferred
	if r.locs[workspaceID] == nil {
		loc, err := tx.workspaceLocation(ctx, workspaceID)
		if err != nil {
			return err
		}
		r.locs[workspaceID] = loc
	}
	r.call = append(r.call, deferredItems{workspaceID, items})
	return nil
}

// flush writes the group's summed additions, workspace by workspace in id
// order (the same lock order for every writer on PostgreSQL).
func (r *deferredRollups) flush(ctx context.Context, tx *Tx) error {
	ids := make([]int64, 0, len(r.group))
	for ws := range r.group {
		ids = append(ids, ws)
	}
	slices.Sort(ids)
	for _, ws := range ids {
		if err := tx.applyRollupDelta(ctx, ws, r.group[ws]); err != nil {
			return err
		}
	}
	return nil
}
