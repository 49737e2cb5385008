package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// Identity kinds that resolve to a customer.
const (
	IdentityEmail            = "email"
	IdentityPhone            = "phone"
	IdentityTelegramID       = "telegram_id"
	IdentityTelegramUsername = "telegram_username"
	IdentityExternalID       = "external_id"
)

// IdentityKinds lists the valid identity kinds.
var IdentityKinds = []string{IdentityEmail, IdentityPhone, IdentityTelegramID, IdentityTelegramUsername, IdentityExternalID}

// Identity is one way of recognising a customer.
type Identity struct {
	Kind  string `json:"kind"`
	Value string `json:"value"`
}

// NormalizeIdentity returns the canonical stored form of an identity value,
// so that "Anna@Example.com " and "anna@example.com" are the same person.
func NormalizeIdentity(kind, value string) string {
	v := strings.TrimSpace(value)
	switch kind {
	case IdentityEmail:
		return strings.ToLower(v)
	case IdentityPhone:
		var b strings.Builder
		for i, r := range v {
			if unicode.IsDigit(r) || (r == '+' && i == 0) {
				b.WriteRune(r)
			}
		}
		return b.String()
	case IdentityTelegramUsername:
		return strings.ToLower(strings.TrimPrefix(v, "@"))
	}
	return v
}

// Customer is one profile; its identities resolve feedback from any channel to it.
type Customer struct {
	ID            int64   `json:"id"`
	WorkspaceID   int64   `json:"-"`
	Name          string  `json:"name"`
	Segment       string  `json:"segment"`
	Region        string  `json:"region"`
	Lang          string  `json:"lang"`
	Timezone      string  `json:"timezone"`
	Status        string  `json:"status"`
	AnnualRevenue float64 `json:"annual_revenue"`
	// RevenueCurrency is the currency of AnnualRevenue; "" is the
	// workspace's reporting currency.
	RevenueCurrency string `json:"annual_revenue_currency"`
	// ReportingRevenue is AnnualRevenue in the workspace's reporting
	// currency at today's rate, nil without a rate. Only the customers
	// rules evaluate carry it (RuleCustomers): a rule's threshold is an
	// amount in the reporting currency, whatever each customer's own.
	ReportingRevenue *float64       `json:"-"`
	AccountOwnerID   *int64         `json:"account_owner_id,omitempty"`
	Attributes       map[string]any `json:"attributes"`
	MergedIntoID     *int64         `json:"merged_into_id,omitempty"`
	Identities       []Identity     `json:"identities"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

// CustomerInput describes a customer as a caller knows it: identities to
// resolve by, and profile fields to fill in when they are empty.
type CustomerInput struct {
	Identities    []Identity
	Name          string
	Segment       string
	Region        string
	Lang          string
	Timezone      string
	AnnualRevenue *float64
	// RevenueCurrency is the currency of AnnualRevenue ("" for the
	// reporting currency); set only with it.
	RevenueCurrency string
	Attributes      map[string]any
}

// Empty reports whether the input names nobody.
func (in CustomerInput) Empty() bool { return len(in.Identities) == 0 }

// UpsertCustomer resolves in to an existing customer (by any identity) or
// creates one, and returns its id.
func (db *DB) UpsertCustomer(ctx context.Context, workspaceID int64, in CustomerInput) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		id, err = tx.resolveCustomer(ctx, workspaceID, in, time.Now())
		return err
	})
	return id, err
}

// resolveCustomer finds the customer owning any of in's identities,
// attaches the other identities to it, or creates a new customer. When the
// identities belong to two different customers the first found wins and the
// others keep their owner: merging is an explicit, audited act
// (MergeCustomers).
func (tx *Tx) resolveCustomer(ctx context.Context, workspaceID int64, in CustomerInput, now time.Time) (int64, error) {
	ids, err := tx.resolveCustomers(ctx, workspaceID, []CustomerInput{in}, now)
	if err != nil {
		return 0, err
	}
	if ids[0] == 0 {
		return 0, errors.New("resolve customer: no identity")
	}
	return ids[0], nil
}

const customerColumns = `id, workspace_id, name, segment, region, lang, timezone, status, annual_revenue, annual_revenue_currency,
	account_owner_id, attributes, merged_into_id, created_at, updated_at`

func scanCustomer(row interface{ Scan(...any) error }) (Customer, error) {
	var c Customer
	var attrs string
	var created, updated int64
	err := row.Scan(&c.ID, &c.WorkspaceID, &c.Name, &c.Segment, &c.Region, &c.Lang, &c.Timezone, &c.Status,
		&c.AnnualRevenue, &c.RevenueCurrency, &c.AccountOwnerID, &attrs, &c.MergedIntoID, &created, &updated)
	if err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = fromMillis(created), fromMillis(updated)
	c.Attributes = map[string]any{}
	_ = json.Unmarshal([]byte(attrs), &c.Attributes)
	c.Identities = []Identity{}
	return c, nil
}

// Customer returns one customer of the workspace with its identities.
func (db *DB) Customer(ctx context.Context, workspaceID, id int64) (Customer, error) {
	c, err := scanCustomer(db.queryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return c, notFound(err, "customer")
	}
	rows, err := db.query(ctx, `SELECT ci.kind, ci.value FROM `+identitiesOfCustomers+` = ? ORDER BY ci.kind, ci.value`, workspaceID, id)
	if err != nil {
		return c, fmt.Errorf("customer identities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var idn Identity
		if err := rows.Scan(&idn.Kind, &idn.Value); err != nil {
			return c, err
		}
		c.Identities = append(c.Identities, idn)
	}
	return c, rows.Err()
}

// CustomerExists reports whether the workspace has customer id: the cheap
// check of a reference (a survey answer's customer) that needs no profile.
func (db *DB) CustomerExists(ctx context.Context, workspaceID, id int64) (bool, error) {
	var one int
	err := db.hotRow(ctx, `SELECT 1 FROM customers WHERE workspace_id = ? AND id = ?`, workspaceID, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("customer exists: %w", err)
	}
	return true, nil
}

// identitiesOfCustomers is the FROM clause that reads identities of given
// customers: append "= ?" or "IN (…)" for the customer ids, after the
// workspace id argument. The workspace is checked on customers, not on
// customer_identities: SQLite, without statistics, takes any equality on the
// first column of an index for selective and would walk the workspace's
// identities through their unique (workspace_id, kind, value) index — 1.2 s
// per customer page at 1M items. Through customers it probes the
// customer_id index once per customer. An identity always belongs to its
// customer's workspace.
const identitiesOfCustomers = `customers c JOIN customer_identities ci ON ci.customer_id = c.id
	WHERE c.workspace_id = ? AND c.id`

// CustomerFilter narrows a customer listing.
type CustomerFilter struct {
	Segment string
	Region  string
	Q       string // matches name or an identity value
	AfterID int64  // cursor: customers with a smaller id (newest first)
	Limit   int
}

// Customers lists the workspace's customers, newest first.
func (db *DB) Customers(ctx context.Context, workspaceID int64, f CustomerFilter) ([]Customer, error) {
	where := []string{"workspace_id = ?", "merged_into_id IS NULL"}
	args := []any{workspaceID}
	if f.Segment != "" {
		where, args = append(where, "segment = ?"), append(args, f.Segment)
	}
	if f.Region != "" {
		where, args = append(where, "region = ?"), append(args, f.Region)
	}
	if f.Q != "" {
		like := "%" + escapeLike(strings.ToLower(f.Q)) + "%"
		where = append(where, `(LOWER(name) LIKE ? ESCAPE '\' OR id IN (SELECT customer_id FROM customer_identities
			WHERE workspace_id = ? AND value LIKE ? ESCAPE '\'))`)
		args = append(args, like, workspaceID, like)
	}
	if f.AfterID > 0 {
		where, args = append(where, "id < ?"), append(args, f.AfterID)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 50
	}
	rows, err := db.query(ctx, `SELECT `+customerColumns+` FROM customers WHERE `+strings.Join(where, " AND ")+
		` ORDER BY id DESC LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("list customers: %w", err)
	}
	defer rows.Close()
	out := []Customer{}
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MergeCustomers folds customer `from` into `into`: identities and feedback
// move, `from` is kept as a tombstone pointing at `into`, and the act is audited.
func (db *DB) MergeCustomers(ctx context.Context, workspaceID, into, from int64, actor string) error {
	if into == from {
		return errors.New("merge customers: a customer cannot be merged into itself")
	}
	return db.InTx(ctx, func(tx *Tx) error {
		for _, id := range []int64{into, from} {
			var n int
			if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE workspace_id = ? AND id = ? AND merged_into_id IS NULL`,
				workspaceID, id).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("merge customers: customer %d: %w", id, ErrNotFound)
			}
		}
		now := time.Now().UnixMilli()
		stmts := []string{
			`UPDATE customer_identities SET customer_id = ? WHERE workspace_id = ? AND customer_id = ?`,
			`UPDATE feedback_items SET customer_id = ? WHERE workspace_id = ? AND customer_id = ?`,
		}
		for _, s := range stmts {
			if _, err := tx.exec(ctx, s, into, workspaceID, from); err != nil {
				return fmt.Errorf("merge customers: %w", err)
			}
		}
		if _, err := tx.exec(ctx, `UPDATE customers SET merged_into_id = ?, updated_at = ? WHERE workspace_id = ? AND id = ?`,
			into, now, workspaceID, from); err != nil {
			return fmt.Errorf("merge customers: %w", err)
		}
		if err := tx.addCustomerCount(ctx, workspaceID, -1); err != nil {
			return err
		}
		return tx.audit(ctx, AuditEntry{WorkspaceID: workspaceID, Actor: actor, Action: "customer.merge",
			ObjectType: "customer", ObjectID: into, Details: map[string]any{"merged": from}})
	})
}

// escapeLike escapes LIKE wildcards so user text matches literally.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
