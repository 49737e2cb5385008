package store

import (
	"context"
	"fmt"
)

// SegmentContact is a customer of a segment with the first address of each
// identity kind it has: what a survey sent to the segment needs to reach it.
type SegmentContact struct {
	ID       int64
	Name     string
	Lang     string
	Timezone string
	// Addresses maps an identity kind (IdentityEmail, IdentityPhone…) to the
	// customer's oldest value of that kind.
	Addresses map[string]string
}

// SegmentFilter selects a page of a segment's customers.
type SegmentFilter struct {
	Segment string // required: an empty segment matches nobody
	Region  string // optional
	AfterID int64  // cursor: customers with a larger id (oldest first)
	Limit   int    // 1-1000; other values mean 1000
}

// MaxSegmentPage bounds one page of SegmentContacts: the ids of a page go
// into one IN list, which both engines take far beyond this.
const MaxSegmentPage = 1000

// SegmentContacts lists a page of the workspace's customers of a segment
// (and region, when given) that are not merged into another profile, oldest
// first, each with its addresses. It costs two queries per page whatever
// the page size: the customers, then all their identities at once.
func (db *DB) SegmentContacts(ctx context.Context, workspaceID int64, f SegmentFilter) ([]SegmentContact, error) {
	if f.Segment == "" {
		return nil, nil
	}
	if f.Limit <= 0 || f.Limit > MaxSegmentPage {
		f.Limit = MaxSegmentPage
	}
	where := "workspace_id = ? AND segment = ? AND merged_into_id IS NULL AND id > ?"
	args := []any{workspaceID, f.Segment, f.AfterID}
	if f.Region != "" {
		where, args = where+" AND region = ?", append(args, f.Region)
	}
	rows, err := db.query(ctx, `SELECT id, name, lang, timezone FROM customers WHERE `+where+` ORDER BY id LIMIT ?`,
		append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("segment contacts: %w", err)
	}
	var out []SegmentContact
	index := map[int64]int{}
	ids := []any{workspaceID}
	for rows.Next() {
		c := SegmentContact{Addresses: map[string]string{}}
		if err := rows.Scan(&c.ID, &c.Name, &c.Lang, &c.Timezone); err != nil {
			rows.Close()
			return nil, fmt.Errorf("segment contacts: %w", err)
		}
		index[c.ID] = len(out)
		out = append(out, c)
		ids = append(ids, c.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("segment contacts: %w", err)
	}
	if len(out) == 0 {
		return out, nil
	}
	// No ORDER BY: sorting by created_at would steer SQLite off the
	// customer_id index onto a walk of the workspace's identities; the
	// oldest address per kind is picked here instead.
	rows, err = db.query(ctx, `SELECT ci.customer_id, ci.kind, ci.value, ci.created_at FROM `+identitiesOfCustomers+` IN (`+
		placeholders(len(out))+`)`, ids...)
	if err != nil {
		return nil, fmt.Errorf("segment contact identities: %w", err)
	}
	defer rows.Close()
	type pick struct {
		at    int64
		value string
	}
	oldest := map[int64]map[string]pick{}
	for rows.Next() {
		var id, at int64
		var kind, value string
		if err := rows.Scan(&id, &kind, &value, &at); err != nil {
			return nil, fmt.Errorf("segment contact identities: %w", err)
		}
		if oldest[id] == nil {
			oldest[id] = map[string]pick{}
		}
		if p, ok := oldest[id][kind]; !ok || at < p.at || (at == p.at && value < p.value) {
			oldest[id][kind] = pick{at, value}
		}
	}
	for id, kinds := range oldest {
		c := &out[index[id]]
		for kind, p := range kinds {
			c.Addresses[kind] = p.value
		}
	}
	return out, rows.Err()
}

// SegmentCount is a segment of the workspace's customers and its size.
type SegmentCount struct {
	Segment   string
	Customers int
}

// CustomerSegments lists the segments the workspace's customers (not
// merged) belong to, by name, with how many customers each has; customers
// without a segment are left out.
func (db *DB) CustomerSegments(ctx context.Context, workspaceID int64) ([]SegmentCount, error) {
	rows, err := db.query(ctx, `SELECT segment, COUNT(*) FROM customers
		WHERE workspace_id = ? AND merged_into_id IS NULL AND segment <> ''
		GROUP BY segment ORDER BY segment`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("customer segments: %w", err)
	}
	defer rows.Close()
	var out []SegmentCount
	for rows.Next() {
		var s SegmentCount
		if err := rows.Scan(&s.Segment, &s.Customers); err != nil {
			return nil, fmt.Errorf("customer segments: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// CustomerRegions lists the distinct regions of the workspace's segmented
// customers (not merged), for narrowing a segment by region.
func (db *DB) CustomerRegions(ctx context.Context, workspaceID int64) ([]string, error) {
	rows, err := db.query(ctx, `SELECT DISTINCT region FROM customers
		WHERE workspace_id = ? AND merged_into_id IS NULL AND segment <> '' AND region <> ''
		ORDER BY region`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("customer regions: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("customer regions: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
