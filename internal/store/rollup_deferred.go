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
// additions are collected in memory, added to the group's sum when the call
// succeeds (dropped with its savepoint when it fails), and the group writes
// the sum once before its COMMIT. If that write fails, the shared
// transaction fails and every call is run again alone, writing its own rows.
//
// Only additions are deferred: deletions (erase, retention, re-analysis)
// never run in a group and prune emptied rows as they go.

// deferredRollups collects the rollup additions of one group commit.
type deferredRollups struct {
	locs  map[int64]*time.Location // workspace time zones, read once per group
	group map[int64]*rollupDelta   // the additions of the calls that succeeded
	call  map[int64]*rollupDelta   // the additions of the running call
}

func newDeferredRollups() *deferredRollups {
	return &deferredRollups{locs: map[int64]*time.Location{}, group: map[int64]*rollupDelta{}}
}

// startCall begins collecting a call's additions.
func (r *deferredRollups) startCall() { r.call = map[int64]*rollupDelta{} }

// endCall adds the call's additions to the group's when it succeeded.
func (r *deferredRollups) endCall(ok bool) {
	if ok {
		for ws, d := range r.call {
			g := r.group[ws]
			if g == nil {
				g = newRollupDelta()
				r.group[ws] = g
			}
			g.merge(d)
		}
	}
	r.call = nil
}

// deferRollups counts items into the running call's additions.
func (tx *Tx) deferRollups(ctx context.Context, workspaceID int64, items []*FeedbackItem) error {
	r := tx.deferred
	loc := r.locs[workspaceID]
	if loc == nil {
		var err error
		if loc, err = tx.workspaceLocation(ctx, workspaceID); err != nil {
			return err
		}
		r.locs[workspaceID] = loc
	}
	d := r.call[workspaceID]
	if d == nil {
		d = newRollupDelta()
		r.call[workspaceID] = d
	}
	for _, it := range items {
		d.add(it, loc, 1)
	}
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

// merge adds o's counts to d.
func (d *rollupDelta) merge(o *rollupDelta) {
	mergeCounts(d.slices, o.slices)
	mergeCounts(d.kinds, o.kinds)
	mergeCounts(d.cube, o.cube)
	mergeCounts(d.topics, o.topics)
	for k, n := range o.nps {
		d.nps[k] += n
	}
}

func mergeCounts[K comparable](dst, src map[K]*RollupCounts) {
	for k, c := range src {
		if have := dst[k]; have != nil {
			have.Add(c)
		} else {
			cp := *c
			dst[k] = &cp
		}
	}
}
