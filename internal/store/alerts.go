package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Alert kinds.
const (
	AlertRule  = "rule"
	AlertSpike = "spike"
)

// Alert records a rule firing on an item or a detected spike.
type Alert struct {
	ID          int64          `json:"id"`
	WorkspaceID int64          `json:"-"`
	Kind        string         `json:"kind"`
	RuleID      *int64         `json:"rule_id,omitempty"`
	FeedbackID  *int64         `json:"feedback_id,omitempty"`
	CaseID      *int64         `json:"case_id,omitempty"`
	Title       string         `json:"title"`
	Details     map[string]any `json:"details"`
	DedupeKey   string         `json:"-"`
	CreatedAt   time.Time      `json:"created_at"`
}

// InsertAlert stores a unless an alert with its dedupe key exists; created
// is false then, and the caller must not act on it a second time.
func (tx *Tx) InsertAlert(ctx context.Context, a Alert) (Alert, bool, error) {
	id, err := tx.allocID(ctx, "alerts")
	if err != nil {
		return a, false, err
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now()
	}
	res, err := tx.exec(ctx, `INSERT INTO alerts (id, workspace_id, kind, rule_id, feedback_id, case_id, title, details, dedupe_key, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, dedupe_key) DO NOTHING`,
		id, a.WorkspaceID, a.Kind, a.RuleID, a.FeedbackID, a.CaseID, a.Title, jsonText(a.Details, "{}"), a.DedupeKey, a.CreatedAt.UnixMilli())
	if err != nil {
		return a, false, fmt.Errorf("insert alert: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return a, false, nil
	}
	a.ID = id
	return a, true, nil
}

// SetAlertCase links an alert to the case its rule opened.
func (tx *Tx) SetAlertCase(ctx context.Context, workspaceID, alertID, caseID int64) error {
	_, err := tx.exec(ctx, `UPDATE alerts SET case_id = ? WHERE workspace_id = ? AND id = ?`, caseID, workspaceID, alertID)
	return err
}

// Alerts lists the workspace's alerts, newest first.
func (db *DB) Alerts(ctx context.Context, workspaceID int64, kind string, beforeID int64, limit int) ([]Alert, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	q := `SELECT id, kind, rule_id, feedback_id, case_id, title, details, dedupe_key, created_at FROM alerts WHERE workspace_id = ?`
	args := []any{workspaceID}
	if kind != "" {
		q, args = q+` AND kind = ?`, append(args, kind)
	}
	if beforeID > 0 {
		q, args = q+` AND id < ?`, append(args, beforeID)
	}
	rows, err := db.query(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("list alerts: %w", err)
	}
	defer rows.Close()
	out := []Alert{}
	for rows.Next() {
		a := Alert{WorkspaceID: workspaceID}
		var details string
		var at int64
		if err := rows.Scan(&a.ID, &a.Kind, &a.RuleID, &a.FeedbackID, &a.CaseID, &a.Title, &details, &a.DedupeKey, &at); err != nil {
			return nil, err
		}
		a.CreatedAt, a.Details = fromMillis(at), map[string]any{}
		_ = json.Unmarshal([]byte(details), &a.Details)
		out = append(out, a)
	}
	return out, rows.Err()
}

// HourlyCount is the number of items (and negative ones) in one hour of a
// series, per dimension value.
type HourlyCount struct {
	Value    string // the channel
	Hour     int    // index from the series start
	Total    int
	Negative int
}

// HourlyChannelCounts counts the workspace's items per channel and hour in
// [start, start+hours h), the series spike detection compares. Hours are
// counted from start, not aligned to the clock, so the latest window can
// end at "now".
func (db *DB) HourlyChannelCounts(ctx context.Context, workspaceID int64, start time.Time, hours int) ([]HourlyCount, error) {
	return db.hourlyCounts(ctx, `channel`, ``, workspaceID, start, hours)
}

// HourlyTopicCounts counts, per hour, the items whose topics include topic.
func (db *DB) HourlyTopicCounts(ctx context.Context, workspaceID int64, topic string, start time.Time, hours int) ([]HourlyCount, error) {
	b, _ := json.Marshal(topic)
	return db.hourlyCounts(ctx, `''`, ` AND topics LIKE ? ESCAPE '\'`, workspaceID, start, hours, "%"+escapeLike(string(b))+"%")
}

func (db *DB) hourlyCounts(ctx context.Context, dim, extra string, workspaceID int64, start time.Time, hours int, extraArgs ...any) ([]HourlyCount, error) {
	s := start.UnixMilli()
	end := start.Add(time.Duration(hours) * time.Hour).UnixMilli()
	args := append([]any{s, workspaceID, s, end}, extraArgs...)
	rows, err := db.query(ctx, `SELECT `+dim+` AS dim, (occurred_at - ?) / 3600000 AS h, COUNT(*),
		SUM(CASE WHEN sentiment_label = 'negative' THEN 1 ELSE 0 END)
		FROM feedback_items WHERE workspace_id = ? AND occurred_at >= ? AND occurred_at < ?`+extra+`
		GROUP BY 1, 2`, args...)
	if err != nil {
		return nil, fmt.Errorf("hourly counts: %w", err)
	}
	defer rows.Close()
	var out []HourlyCount
	for rows.Next() {
		var c HourlyCount
		if err := rows.Scan(&c.Value, &c.Hour, &c.Total, &c.Negative); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// RecentFeedbackSample returns up to limit items of [from, to), newest
// first, optionally of one channel: the sample texts of a spike alert.
func (db *DB) RecentFeedbackSample(ctx context.Context, workspaceID int64, channel, topic string, from, to time.Time, limit int) ([]FeedbackItem, error) {
	q := `SELECT ` + feedbackColumns + ` FROM feedback_items WHERE workspace_id = ? AND occurred_at >= ? AND occurred_at < ?`
	args := []any{workspaceID, from.UnixMilli(), to.UnixMilli()}
	if channel != "" {
		q, args = q+` AND channel = ?`, append(args, channel)
	}
	if topic != "" {
		b, _ := json.Marshal(topic)
		q, args = q+` AND topics LIKE ? ESCAPE '\'`, append(args, "%"+escapeLike(string(b))+"%")
	}
	rows, err := db.query(ctx, q+` ORDER BY occurred_at DESC, id DESC LIMIT ?`, append(args, limit)...)
	if err != nil {
		return nil, fmt.Errorf("feedback sample: %w", err)
	}
	defer rows.Close()
	var out []FeedbackItem
	for rows.Next() {
		it, err := scanFeedback(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, rows.Err()
}
