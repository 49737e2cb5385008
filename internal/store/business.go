package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Transaction is money a customer paid (business linkage: LTV, revenue at risk).
type Transaction struct {
	ID         int64     `json:"id"`
	CustomerID int64     `json:"customer_id"`
	Amount     float64   `json:"amount"`
	Currency   string    `json:"currency"`
	OccurredAt time.Time `json:"occurred_at"`
	ExternalID string    `json:"external_id,omitempty"`
}

// ChurnEvent records that a customer left.
type ChurnEvent struct {
	ID         int64     `json:"id"`
	CustomerID int64     `json:"customer_id"`
	OccurredAt time.Time `json:"occurred_at"`
	Reason     string    `json:"reason"`
}

// InsertTransactions stores transactions of the workspace's customers;
// one whose external_id is already stored is skipped. It returns how many
// were new.
func (db *DB) InsertTransactions(ctx context.Context, workspaceID int64, txs []Transaction) (int, error) {
	inserted := 0
	err := db.InTx(ctx, func(tx *Tx) error {
		owners := make([]int64, len(txs))
		for i, t := range txs {
			owners[i] = t.CustomerID
		}
		if err := tx.checkCustomersOwned(ctx, workspaceID, owners); err != nil {
			return err
		}
		if err := tx.chooseReportingCurrency(ctx, workspaceID, txs); err != nil {
			return fmt.Errorf("insert transactions: %w", err)
		}
		ids, err := tx.allocIDs(ctx, "transactions", len(txs))
		if err != nil {
			return err
		}
		for start := 0; start < len(txs); start += rowsPerInsert {
			end := min(start+rowsPerInsert, len(txs))
			rows := make([]string, 0, end-start)
			args := make([]any, 0, (end-start)*7)
			for i := start; i < end; i++ {
				t := txs[i]
				var ext any
				if t.ExternalID != "" {
					ext = t.ExternalID
				}
				rows = append(rows, "(?, ?, ?, ?, ?, ?, ?)")
				args = append(args, ids[i], workspaceID, t.CustomerID, t.Amount, t.Currency, t.OccurredAt.UnixMilli(), ext)
			}
			r, err := tx.exec(ctx, `INSERT INTO transactions (id, workspace_id, customer_id, amount, currency, occurred_at, external_id)
				VALUES `+strings.Join(rows, ",")+` ON CONFLICT (workspace_id, external_id) DO NOTHING`, args...)
			if err != nil {
				return fmt.Errorf("insert transactions: %w", err)
			}
			n, _ := r.RowsAffected()
			inserted += int(n)
		}
		return nil
	})
	return inserted, err
}

// InsertChurnEvent records a customer leaving and marks the profile churned.
func (db *DB) InsertChurnEvent(ctx context.Context, workspaceID int64, e ChurnEvent) (int64, error) {
	var id int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		if id, err = tx.allocID(ctx, "churn_events"); err != nil {
			return err
		}
		r, err := tx.exec(ctx, `UPDATE customers SET status = 'churned', updated_at = ? WHERE workspace_id = ? AND id = ?`,
			time.Now().UnixMilli(), workspaceID, e.CustomerID)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return fmt.Errorf("customer %d: %w", e.CustomerID, ErrNotFound)
		}
		_, err = tx.exec(ctx, `INSERT INTO churn_events (id, workspace_id, customer_id, occurred_at, reason) VALUES (?, ?, ?, ?, ?)`,
			id, workspaceID, e.CustomerID, e.OccurredAt.UnixMilli(), e.Reason)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("insert churn event: %w", err)
	}
	return id, nil
}

// CustomerTransactions lists a customer's transactions, newest first.
func (db *DB) CustomerTransactions(ctx context.Context, workspaceID, customerID int64, limit int) ([]Transaction, error) {
	rows, err := db.query(ctx, `SELECT id, customer_id, amount, currency, occurred_at, COALESCE(external_id, '')
		FROM transactions WHERE workspace_id = ? AND customer_id = ? ORDER BY occurred_at DESC, id DESC LIMIT ?`,
		workspaceID, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("customer transactions: %w", err)
	}
	defer rows.Close()
	out := []Transaction{}
	for rows.Next() {
		var t Transaction
		var at int64
		if err := rows.Scan(&t.ID, &t.CustomerID, &t.Amount, &t.Currency, &at, &t.ExternalID); err != nil {
			return nil, err
		}
		t.OccurredAt = fromMillis(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

// checkCustomersOwned fails with ErrNotFound unless every id is a customer of
// the workspace: foreign keys alone would accept another workspace's customer.
func (tx *Tx) checkCustomersOwned(ctx context.Context, workspaceID int64, ids []int64) error {
	distinct := map[int64]bool{}
	var args []any
	for _, id := range ids {
		if !distinct[id] {
			distinct[id] = true
			args = append(args, id)
		}
	}
	for start := 0; start < len(args); start += 500 {
		chunk := args[start:min(start+500, len(args))]
		var n int
		err := tx.queryRow(ctx, `SELECT COUNT(*) FROM customers WHERE workspace_id = ? AND id IN (`+placeholders(len(chunk))+`)`,
			append([]any{workspaceID}, chunk...)...).Scan(&n)
		if err != nil {
			return fmt.Errorf("check customers: %w", err)
		}
		if n != len(chunk) {
			return fmt.Errorf("check customers: %w", ErrNotFound)
		}
	}
	return nil
}
