package store

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Queries of the web UI's pages that no other package needs: the customer
// 360's history and channels, the employees' praise feed and the live
// updates of the explorer. Every query is scoped by workspace.

// NPSPoint is one NPS answer of a customer.
type NPSPoint struct {
	At    time.Time
	Score int
}

// CustomerNPSHistory returns a customer's latest NPS answers (up to limit),
// oldest first, for a sparkline.
func (db *DB) CustomerNPSHistory(ctx context.Context, workspaceID, customerID int64, limit int) ([]NPSPoint, error) {
	rows, err := db.query(ctx, `SELECT occurred_at, nps FROM feedback_items
		WHERE workspace_id = ? AND customer_id = ? AND nps IS NOT NULL ORDER BY occurred_at DESC, id DESC LIMIT ?`,
		workspaceID, customerID, limit)
	if err != nil {
		return nil, fmt.Errorf("customer nps history: %w", err)
	}
	defer rows.Close()
	var out []NPSPoint
	for rows.Next() {
		var at int64
		var p NPSPoint
		if err := rows.Scan(&at, &p.Score); err != nil {
			return nil, err
		}
		p.At = fromMillis(at)
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("customer nps history: %w", err)
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, nil
}

// ChannelActivity is how often, and how lately, a customer spoke on a channel.
type ChannelActivity struct {
	Channel string
	Items   int
	Last    time.Time
}

// CustomerChannels lists the channels a customer's feedback came through,
// busiest first.
func (db *DB) CustomerChannels(ctx context.Context, workspaceID, customerID int64) ([]ChannelActivity, error) {
	rows, err := db.query(ctx, `SELECT channel, COUNT(*), MAX(occurred_at) FROM feedback_items
		WHERE workspace_id = ? AND customer_id = ? GROUP BY channel ORDER BY COUNT(*) DESC, channel`,
		workspaceID, customerID)
	if err != nil {
		return nil, fmt.Errorf("customer channels: %w", err)
	}
	defer rows.Close()
	var out []ChannelActivity
	for rows.Next() {
		var c ChannelActivity
		var last int64
		if err := rows.Scan(&c.Channel, &c.Items, &last); err != nil {
			return nil, err
		}
		c.Last = fromMillis(last)
		out = append(out, c)
	}
	return out, rows.Err()
}

// RevenueTotal is what a customer paid in one currency: the historical LTV.
type RevenueTotal struct {
	Currency    string
	Total       float64
	Count       int
	First, Last time.Time
}

// CustomerRevenue sums a customer's transactions per currency.
func (db *DB) CustomerRevenue(ctx context.Context, workspaceID, customerID int64) ([]RevenueTotal, error) {
	rows, err := db.query(ctx, `SELECT currency, SUM(amount), COUNT(*), MIN(occurred_at), MAX(occurred_at)
		FROM transactions WHERE workspace_id = ? AND customer_id = ? GROUP BY currency ORDER BY SUM(amount) DESC`,
		workspaceID, customerID)
	if err != nil {
		return nil, fmt.Errorf("customer revenue: %w", err)
	}
	defer rows.Close()
	var out []RevenueTotal
	for rows.Next() {
		var r RevenueTotal
		var first, last int64
		if err := rows.Scan(&r.Currency, &r.Total, &r.Count, &first, &last); err != nil {
			return nil, err
		}
		r.First, r.Last = fromMillis(first), fromMillis(last)
		out = append(out, r)
	}
	return out, rows.Err()
}

// PraiseFeed returns the latest positive items about an employee: of one
// (employeeID > 0) or of anyone, newest first.
func (db *DB) PraiseFeed(ctx context.Context, workspaceID, employeeID int64, limit int) ([]FeedbackItem, error) {
	query := `SELECT ` + feedbackColumns + ` FROM feedback_items
		WHERE workspace_id = ? AND sentiment_label = 'positive' AND employee_id IS NOT NULL`
	args := []any{workspaceID}
	if employeeID > 0 {
		query += ` AND employee_id = ?`
		args = append(args, employeeID)
	}
	rows, err := db.query(ctx, query+` ORDER BY occurred_at DESC, id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("praise feed: %w", err)
	}
	defer rows.Close()
	out := []FeedbackItem{}
	for rows.Next() {
		it, err := scanFeedback(rows)
		if err != nil {
			return nil, fmt.Errorf("praise feed: %w", err)
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// FeedbackSince counts the workspace's items stored after the item afterID
// (of one employee when employeeID > 0) and returns the newest id, which
// is afterID when there are none; live pages poll it.
func (db *DB) FeedbackSince(ctx context.Context, workspaceID, afterID, employeeID int64) (count int, lastID int64, err error) {
	query := `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM feedback_items WHERE workspace_id = ? AND id > ?`
	args := []any{workspaceID, afterID}
	if employeeID > 0 {
		query += ` AND employee_id = ?`
		args = append(args, employeeID)
	}
	if err := db.queryRow(ctx, query, args...).Scan(&count, &lastID); err != nil {
		return 0, 0, fmt.Errorf("feedback since: %w", err)
	}
	if count == 0 {
		lastID = afterID
	}
	return count, lastID, nil
}

// LatestFeedbackID returns the id of the workspace's newest stored item (0
// when there is none): where a live page starts counting new items.
func (db *DB) LatestFeedbackID(ctx context.Context, workspaceID int64) (int64, error) {
	var id int64
	err := db.queryRow(ctx, `SELECT id FROM feedback_items WHERE workspace_id = ? ORDER BY id DESC LIMIT 1`, workspaceID).Scan(&id)
	if err != nil {
		if err := notFound(err, "feedback"); errors.Is(err, ErrNotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("latest feedback id: %w", err)
	}
	return id, nil
}
