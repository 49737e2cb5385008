package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// identityRef is a normalised identity and the index of the first input
// that names it.
type identityRef struct{ kind, value string }

// newCustomer is a profile created by this batch.
type newCustomer struct {
	id    int64
	input CustomerInput
}

type knownCustomer struct {
	id                                    int64
	name, segment, region, lang, timezone string
}

// resolveCustomers maps each input to a customer id with a constant number
// of queries per batch (not per item): one lookup of every identity, one
// multi-row insert of new customers and one of new identities. Inputs of
// the batch that share an identity share the new profile. On PostgreSQL a
// concurrent writer may create the same identity first: then our new
// profile is dropped and its inputs land on theirs.
func (tx *Tx) resolveCustomers(ctx context.Context, workspaceID int64, inputs []CustomerInput, now time.Time) ([]int64, error) {
	out := make([]int64, len(inputs))
	norm := make([][]identityRef, len(inputs))
	var all []identityRef
	seen := map[identityRef]bool{}
	for i, in := range inputs {
		for _, idn := range in.Identities {
			r := identityRef{idn.Kind, NormalizeIdentity(idn.Kind, idn.Value)}
			if r.value == "" {
				continue
			}
			norm[i] = append(norm[i], r)
			if !seen[r] {
				seen[r] = true
				all = append(all, r)
			}
		}
	}
	owner, known, err := tx.lookupIdentities(ctx, workspaceID, all)
	if err != nil {
		return nil, err
	}
	// Reserve ids for the worst case: every input that no stored identity
	// resolves may need a new profile (unused ids are harmless gaps).
	need := 0
	for i := range inputs {
		if len(norm[i]) > 0 && ownerOf(owner, norm[i]) == 0 {
			need++
		}
	}
	ids, err := tx.allocIDs(ctx, "customers", need)
	if err != nil {
		return nil, err
	}
	var created []newCustomer
	for i := range inputs {
		if len(norm[i]) == 0 {
			continue
		}
		// Inputs are taken in order so that a later input finds the profile
		// an earlier one of the same batch created.
		out[i] = ownerOf(owner, norm[i])
		if out[i] == 0 {
			out[i], ids = ids[0], ids[1:]
			created = append(created, newCustomer{id: out[i], input: inputs[i]})
		}
		for _, r := range norm[i] {
			if _, ok := owner[r]; !ok {
				owner[r] = out[i]
			}
		}
	}
	if err := tx.insertCustomers(ctx, workspaceID, created, now); err != nil {
		return nil, err
	}
	if err := tx.addCustomerCount(ctx, workspaceID, len(created)); err != nil {
		return nil, err
	}
	// Attach every identity that had no owner to the profile that claimed it.
	var fresh []identityRef
	for _, r := range all {
		if _, existed := known[r]; !existed {
			fresh = append(fresh, r)
		}
	}
	if err := tx.insertIdentities(ctx, workspaceID, fresh, owner, now); err != nil {
		return nil, err
	}
	if len(created) > 0 && tx.db.Dialect == Postgres {
		// A concurrent transaction may have won an identity: re-read owners.
		actual, _, err := tx.lookupIdentities(ctx, workspaceID, fresh)
		if err != nil {
			return nil, err
		}
		remap := map[int64]int64{}
		for _, r := range fresh {
			if a := actual[r]; a != 0 && a != owner[r] {
				remap[owner[r]] = a
			}
		}
		dropped := 0
		for lost, winner := range remap {
			r, err := tx.exec(ctx, `DELETE FROM customers WHERE workspace_id = ? AND id = ?`, workspaceID, lost)
			if err != nil {
				return nil, fmt.Errorf("resolve customers: %w", err)
			}
			n, _ := r.RowsAffected()
			dropped += int(n)
			for i := range out {
				if out[i] == lost {
					out[i] = winner
				}
			}
		}
		if err := tx.addCustomerCount(ctx, workspaceID, -dropped); err != nil {
			return nil, err
		}
	}
	if err := tx.fillProfiles(ctx, workspaceID, inputs, out, known); err != nil {
		return nil, err
	}
	return out, nil
}

func ownerOf(owner map[identityRef]int64, refs []identityRef) int64 {
	for _, r := range refs {
		if id, ok := owner[r]; ok {
			return id
		}
	}
	return 0
}

// lookupIdentities returns the owner of each known identity and the known
// owners' profile fields.
func (tx *Tx) lookupIdentities(ctx context.Context, workspaceID int64, refs []identityRef) (map[identityRef]int64, map[identityRef]knownCustomer, error) {
	owner := map[identityRef]int64{}
	known := map[identityRef]knownCustomer{}
	// One `value IN (…)` per kind walks the (workspace, kind, value) key
	// directly; an OR of (kind, value) pairs made SQLite plan poorly.
	byKind := map[string][]any{}
	var kinds []string
	for _, r := range refs {
		if _, ok := byKind[r.kind]; !ok {
			kinds = append(kinds, r.kind)
		}
		byKind[r.kind] = append(byKind[r.kind], r.value)
	}
	const chunk = 500
	for _, kind := range kinds {
		values := byKind[kind]
		for start := 0; start < len(values); start += chunk {
			part := values[start:min(start+chunk, len(values))]
			rows, err := tx.query(ctx, `SELECT ci.value, c.id, c.name, c.segment, c.region, c.lang, c.timezone
				FROM customer_identities ci JOIN customers c ON c.id = ci.customer_id
				WHERE ci.workspace_id = ? AND ci.kind = ? AND ci.value IN (`+placeholders(len(part))+`)`,
				append([]any{workspaceID, kind}, part...)...)
			if err != nil {
				return nil, nil, fmt.Errorf("lookup identities: %w", err)
			}
			for rows.Next() {
				r := identityRef{kind: kind}
				var k knownCustomer
				if err := rows.Scan(&r.value, &k.id, &k.name, &k.segment, &k.region, &k.lang, &k.timezone); err != nil {
					rows.Close()
					return nil, nil, err
				}
				owner[r], known[r] = k.id, k
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, nil, err
			}
		}
	}
	return owner, known, nil
}

func (tx *Tx) insertCustomers(ctx context.Context, workspaceID int64, created []newCustomer, now time.Time) error {
	const chunk = 200
	for start := 0; start < len(created); start += chunk {
		part := created[start:min(start+chunk, len(created))]
		rows := make([]string, len(part))
		args := make([]any, 0, len(part)*13)
		for i, c := range part {
			in := c.input
			revenue, currency := 0.0, ""
			if in.AnnualRevenue != nil {
				revenue, currency = *in.AnnualRevenue, in.RevenueCurrency
			}
			attrs := "{}"
			if len(in.Attributes) > 0 {
				b, err := json.Marshal(in.Attributes)
				if err != nil {
					return fmt.Errorf("customer attributes: %w", err)
				}
				attrs = string(b)
			}
			rows[i] = "(?, ?, ?, ?, ?, ?, ?, 'active', ?, ?, ?, ?, ?)"
			args = append(args, c.id, workspaceID, in.Name, in.Segment, in.Region, in.Lang, in.Timezone, revenue, currency, attrs,
				now.UnixMilli(), now.UnixMilli())
		}
		if _, err := tx.exec(ctx, `INSERT INTO customers (id, workspace_id, name, segment, region, lang, timezone, status,
			annual_revenue, annual_revenue_currency, attributes, created_at, updated_at) VALUES `+strings.Join(rows, ","), args...); err != nil {
			return fmt.Errorf("create customers: %w", err)
		}
	}
	return nil
}

func (tx *Tx) insertIdentities(ctx context.Context, workspaceID int64, refs []identityRef, owner map[identityRef]int64, now time.Time) error {
	const chunk = 300
	for start := 0; start < len(refs); start += chunk {
		part := refs[start:min(start+chunk, len(refs))]
		rows := make([]string, len(part))
		args := make([]any, 0, len(part)*5)
		for i, r := range part {
			rows[i] = "(?, ?, ?, ?, ?)"
			args = append(args, workspaceID, r.kind, r.value, owner[r], now.UnixMilli())
		}
		if _, err := tx.exec(ctx, `INSERT INTO customer_identities (workspace_id, kind, value, customer_id, created_at)
			VALUES `+strings.Join(rows, ",")+` ON CONFLICT (workspace_id, kind, value) DO NOTHING`, args...); err != nil {
			return fmt.Errorf("add identities: %w", err)
		}
	}
	return nil
}

// fillProfiles fills empty profile fields of existing customers from the
// inputs, never overwriting; only customers with something to fill are
// updated, so a batch from known customers costs no extra queries.
func (tx *Tx) fillProfiles(ctx context.Context, workspaceID int64, inputs []CustomerInput, ids []int64,
	known map[identityRef]knownCustomer) error {
	byID := map[int64]knownCustomer{}
	for _, k := range known {
		byID[k.id] = k
	}
	done := map[int64]bool{}
	for i, in := range inputs {
		k, ok := byID[ids[i]]
		if !ok || done[k.id] {
			continue
		}
		if (k.name == "" && in.Name != "") || (k.segment == "" && in.Segment != "") || (k.region == "" && in.Region != "") ||
			(k.lang == "" && in.Lang != "") || (k.timezone == "" && in.Timezone != "") {
			done[k.id] = true
			_, err := tx.exec(ctx, `UPDATE customers SET
				name = CASE WHEN name = '' THEN ? ELSE name END,
				segment = CASE WHEN segment = '' THEN ? ELSE segment END,
				region = CASE WHEN region = '' THEN ? ELSE region END,
				lang = CASE WHEN lang = '' THEN ? ELSE lang END,
				timezone = CASE WHEN timezone = '' THEN ? ELSE timezone END,
				updated_at = ?
				WHERE workspace_id = ? AND id = ?`,
				in.Name, in.Segment, in.Region, in.Lang, in.Timezone, time.Now().UnixMilli(), workspaceID, k.id)
			if err != nil {
				return fmt.Errorf("update customer: %w", err)
			}
		}
	}
	return nil
}
