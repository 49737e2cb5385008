package store

import "slices"

// The calls of one group commit are survey answers, and the feedback hooks
// each of them runs (alert rules, webhooks) read the same workspace
// settings: its enabled rules and active webhook endpoints. Grouped calls
// only store feedback, never change those settings, so within the group
// each is read once per workspace instead of once per answer (it was a
// fifth of a group's time). Outside a group commit the maps are nil and
// every read goes to the database.

// groupReads holds what the calls of one group commit read once.
type groupReads struct {
	rules    map[int64][]Rule
	webhooks map[int64][]WebhookEndpoint
}

func newGroupReads() groupReads {
	return groupReads{rules: map[int64][]Rule{}, webhooks: map[int64][]WebhookEndpoint{}}
}

// groupRead returns memo[workspaceID], reading it with read the first time;
// with a nil memo (no group commit) it always reads. Each caller gets its
// own copy of the slice.
func groupRead[T any](memo map[int64][]T, workspaceID int64, read func() ([]T, error)) ([]T, error) {
	if memo == nil {
		return read()
	}
	v, ok := memo[workspaceID]
	if !ok {
		var err error
		if v, err = read(); err != nil {
			return nil, err
		}
		memo[workspaceID] = v
	}
	return slices.Clone(v), nil
}
