package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// WebhookEndpoint is a receiver of signed events, with its health.
type WebhookEndpoint struct {
	ID              int64      `json:"id"`
	WorkspaceID     int64      `json:"-"`
	URL             string     `json:"url"`
	Events          []string   `json:"events"`
	Secret          string     `json:"-"`
	PrevSecret      string     `json:"-"`
	PrevSecretUntil *time.Time `json:"previous_secret_valid_until,omitempty"`
	Disabled        bool       `json:"disabled"`
	DisabledReason  string     `json:"disabled_reason,omitempty"`
	FailingSince    *time.Time `json:"failing_since,omitempty"`
	LastSuccessAt   *time.Time `json:"last_success_at,omitempty"`
	LastFailureAt   *time.Time `json:"last_failure_at,omitempty"`
	LastStatus      int        `json:"last_status"`
	LastError       string     `json:"last_error,omitempty"`
	Successes       int64      `json:"successes"`
	Failures        int64      `json:"failures"`
	CreatedAt       time.Time  `json:"created_at"`
}

// Subscribed reports whether the endpoint wants events of type event.
func (w WebhookEndpoint) Subscribed(event string) bool {
	return slices.Contains(w.Events, event) || slices.Contains(w.Events, "*")
}

// Secrets returns the secrets that sign a message sent at now: the current
// one and, during a rotation's overlap window, the previous one.
func (w WebhookEndpoint) Secrets(now time.Time) []string {
	out := []string{w.Secret}
	if w.PrevSecret != "" && w.PrevSecretUntil != nil && now.Before(*w.PrevSecretUntil) {
		out = append(out, w.PrevSecret)
	}
	return out
}

const webhookColumns = `id, workspace_id, url, events, secret, prev_secret, prev_secret_until, disabled, disabled_reason,
	failing_since, last_success_at, last_failure_at, last_status, last_error, successes, failures, created_at`

func scanWebhook(row interface{ Scan(...any) error }) (WebhookEndpoint, error) {
	var w WebhookEndpoint
	var events string
	var disabled int
	var prevUntil, failing, lastOK, lastFail sql.NullInt64
	var created int64
	err := row.Scan(&w.ID, &w.WorkspaceID, &w.URL, &events, &w.Secret, &w.PrevSecret, &prevUntil, &disabled, &w.DisabledReason,
		&failing, &lastOK, &lastFail, &w.LastStatus, &w.LastError, &w.Successes, &w.Failures, &created)
	if err != nil {
		return w, err
	}
	w.Disabled, w.CreatedAt = disabled != 0, fromMillis(created)
	w.PrevSecretUntil, w.FailingSince, w.LastSuccessAt, w.LastFailureAt = optMillis(prevUntil), optMillis(failing), optMillis(lastOK), optMillis(lastFail)
	w.Events = []string{}
	_ = json.Unmarshal([]byte(events), &w.Events)
	return w, nil
}

// CreateWebhook stores an endpoint; the caller made its secret.
func (db *DB) CreateWebhook(ctx context.Context, workspaceID int64, url string, events []string, secret string) (WebhookEndpoint, error) {
	var id int64
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		if id, err = tx.allocID(ctx, "webhook_endpoints"); err != nil {
			return err
		}
		_, err = tx.exec(ctx, `INSERT INTO webhook_endpoints (id, workspace_id, url, events, secret, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, workspaceID, url, jsonText(events, "[]"), secret, time.Now().UnixMilli())
		return err
	})
	if err != nil {
		return WebhookEndpoint{}, fmt.Errorf("create webhook: %w", err)
	}
	return db.Webhook(ctx, workspaceID, id)
}

// Webhook returns one endpoint of the workspace.
func (db *DB) Webhook(ctx context.Context, workspaceID, id int64) (WebhookEndpoint, error) {
	w, err := scanWebhook(db.queryRow(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return w, notFound(err, "webhook endpoint")
	}
	return w, nil
}

// Webhooks lists the workspace's endpoints.
func (db *DB) Webhooks(ctx context.Context, workspaceID int64) ([]WebhookEndpoint, error) {
	rows, err := db.query(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE workspace_id = ? ORDER BY id`, workspaceID)
	return collectWebhooks(rows, err)
}

// ActiveWebhooks lists the enabled endpoints inside tx, for enqueueing
// deliveries in the transaction of the event that causes them.
func (tx *Tx) ActiveWebhooks(ctx context.Context, workspaceID int64) ([]WebhookEndpoint, error) {
	return groupRead(tx.reads.webhooks, workspaceID, func() ([]WebhookEndpoint, error) {
		rows, err := tx.query(ctx, `SELECT `+webhookColumns+` FROM webhook_endpoints WHERE workspace_id = ? AND disabled = 0 ORDER BY id`, workspaceID)
		return collectWebhooks(rows, err)
	})
}

func collectWebhooks(rows *sql.Rows, err error) ([]WebhookEndpoint, error) {
	if err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	defer rows.Close()
	out := []WebhookEndpoint{}
	for rows.Next() {
		w, err := scanWebhook(rows)
		if err != nil {
			return nil, fmt.Errorf("list webhooks: %w", err)
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// DeleteWebhook removes an endpoint; its pending deliveries find it gone
// and end without sending.
func (db *DB) DeleteWebhook(ctx context.Context, workspaceID, id int64) error {
	res, err := db.exec(ctx, `DELETE FROM webhook_endpoints WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("delete webhook %d: %w", id, ErrNotFound)
	}
	return nil
}

// RotateWebhookSecret makes secret current and keeps the old one signing
// until overlapUntil, so receivers can switch without dropping messages.
func (db *DB) RotateWebhookSecret(ctx context.Context, workspaceID, id int64, secret string, overlapUntil time.Time) error {
	res, err := db.exec(ctx, `UPDATE webhook_endpoints SET prev_secret = secret, prev_secret_until = ?, secret = ?
		WHERE workspace_id = ? AND id = ?`, overlapUntil.UnixMilli(), secret, workspaceID, id)
	if err != nil {
		return fmt.Errorf("rotate webhook secret: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("rotate webhook %d: %w", id, ErrNotFound)
	}
	return nil
}

// SetWebhookDisabled disables (with a reason) or re-enables an endpoint;
// re-enabling clears its failure streak.
func (db *DB) SetWebhookDisabled(ctx context.Context, workspaceID, id int64, disabled bool, reason string) error {
	q := `UPDATE webhook_endpoints SET disabled = 1, disabled_reason = ? WHERE workspace_id = ? AND id = ?`
	if !disabled {
		q = `UPDATE webhook_endpoints SET disabled = 0, disabled_reason = ?, failing_since = NULL WHERE workspace_id = ? AND id = ?`
	}
	res, err := db.exec(ctx, q, reason, workspaceID, id)
	if err != nil {
		return fmt.Errorf("set webhook disabled: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("webhook %d: %w", id, ErrNotFound)
	}
	return nil
}

// RecordWebhookSuccess notes a 2xx answer and ends any failure streak.
func (db *DB) RecordWebhookSuccess(ctx context.Context, workspaceID, id int64, status int, at time.Time) error {
	_, err := db.exec(ctx, `UPDATE webhook_endpoints SET successes = successes + 1, last_success_at = ?, last_status = ?,
		last_error = '', failing_since = NULL WHERE workspace_id = ? AND id = ?`, at.UnixMilli(), status, workspaceID, id)
	if err != nil {
		return fmt.Errorf("record webhook success: %w", err)
	}
	return nil
}

// RecordWebhookFailure notes a failed attempt and returns since when the
// endpoint has been failing without a success in between.
func (db *DB) RecordWebhookFailure(ctx context.Context, workspaceID, id int64, status int, cause string, at time.Time) (time.Time, error) {
	if len(cause) > 500 {
		cause = cause[:500]
	}
	var since int64
	err := db.w.QueryRowContext(ctx, db.q(`UPDATE webhook_endpoints SET failures = failures + 1, last_failure_at = ?, last_status = ?,
		last_error = ?, failing_since = COALESCE(failing_since, ?) WHERE workspace_id = ? AND id = ? RETURNING failing_since`),
		at.UnixMilli(), status, cause, at.UnixMilli(), workspaceID, id).Scan(&since)
	if err != nil {
		return time.Time{}, notFound(err, "record webhook failure")
	}
	return fromMillis(since), nil
}
