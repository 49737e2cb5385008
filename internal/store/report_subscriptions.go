package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"
)

// ReportSubscription is a workspace's order of the weekly report by email:
// last full week's PDF, in Lang, to Recipients, on Weekday (ISO: 1 Monday
// … 7 Sunday) once Hour has struck in the workspace's time zone.
type ReportSubscription struct {
	ID         int64      `json:"id"`
	Recipients []string   `json:"recipients"`
	Lang       string     `json:"lang"`
	Weekday    int        `json:"weekday"`
	Hour       int        `json:"hour"`
	Enabled    bool       `json:"enabled"`
	CreatedBy  *int64     `json:"created_by"` // the user; nil when made through the API
	CreatedAt  time.Time  `json:"created_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	LastPeriod string     `json:"last_period"` // first day of the last week sent on schedule
	LastSentAt *time.Time `json:"last_sent_at"`
	LastError  string     `json:"last_error"` // why the last send failed; empty after a success
}

const reportSubscriptionColumns = `id, recipients, lang, weekday, hour, enabled, created_by, created_at, updated_at,
	last_period, last_sent_at, last_error`

func scanReportSubscription(row interface{ Scan(...any) error }) (ReportSubscription, error) {
	var s ReportSubscription
	var recipients string
	var enabled int
	var createdBy, sentAt sql.NullInt64
	var created, updated int64
	if err := row.Scan(&s.ID, &recipients, &s.Lang, &s.Weekday, &s.Hour, &enabled, &createdBy, &created, &updated,
		&s.LastPeriod, &sentAt, &s.LastError); err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(recipients), &s.Recipients); err != nil {
		return s, fmt.Errorf("report subscription %d recipients: %w", s.ID, err)
	}
	s.Enabled, s.CreatedAt, s.UpdatedAt, s.LastSentAt = enabled != 0, fromMillis(created), fromMillis(updated), optMillis(sentAt)
	if createdBy.Valid {
		s.CreatedBy = &createdBy.Int64
	}
	return s, nil
}

// Subscriptions mail the workspace's figures to addresses that need not
// belong to its members, so every creation, change and removal lands in
// the audit log, in the same transaction, with the recipients.

// CreateReportSubscription stores a new subscription and returns it with
// its id.
func (db *DB) CreateReportSubscription(ctx context.Context, workspaceID int64, s ReportSubscription, actor AuditActor) (ReportSubscription, error) {
	recipients, err := json.Marshal(s.Recipients)
	if err != nil {
		return s, err
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = time.Now()
	}
	s.CreatedAt = s.CreatedAt.UTC().Truncate(time.Millisecond)
	s.UpdatedAt, s.LastPeriod, s.LastSentAt, s.LastError = s.CreatedAt, "", nil, ""
	err = db.InTx(ctx, func(tx *Tx) error {
		if s.ID, err = tx.allocID(ctx, "report_subscriptions"); err != nil {
			return err
		}
		_, err := tx.exec(ctx, `INSERT INTO report_subscriptions (id, workspace_id, recipients, lang, weekday, hour, enabled,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, workspaceID, string(recipients),
			s.Lang, s.Weekday, s.Hour, boolInt(s.Enabled), s.CreatedBy, s.CreatedAt.UnixMilli(), s.UpdatedAt.UnixMilli())
		if err != nil {
			return err
		}
		return tx.audit(ctx, actor.entry(workspaceID, "report_subscription.create", "report_subscription", s.ID, s.auditDetails()))
	})
	if err != nil {
		return s, fmt.Errorf("create report subscription: %w", err)
	}
	return s, nil
}

// ReportSubscriptions lists the workspace's subscriptions, oldest first.
func (db *DB) ReportSubscriptions(ctx context.Context, workspaceID int64) ([]ReportSubscription, error) {
	rows, err := db.query(ctx, `SELECT `+reportSubscriptionColumns+` FROM report_subscriptions WHERE workspace_id = ? ORDER BY id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("report subscriptions: %w", err)
	}
	defer rows.Close()
	out := []ReportSubscription{}
	for rows.Next() {
		s, err := scanReportSubscription(rows)
		if err != nil {
			return nil, fmt.Errorf("report subscriptions: %w", err)
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// ReportSubscription returns one subscription of the workspace; another
// workspace's is ErrNotFound.
func (db *DB) ReportSubscription(ctx context.Context, workspaceID, id int64) (ReportSubscription, error) {
	s, err := scanReportSubscription(db.queryRow(ctx, `SELECT `+reportSubscriptionColumns+`
		FROM report_subscriptions WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	if err != nil {
		return s, notFound(err, "report subscription")
	}
	return s, nil
}

// UpdateReportSubscription saves what a user may change: recipients,
// language, weekday, hour and whether it is enabled.
func (db *DB) UpdateReportSubscription(ctx context.Context, workspaceID int64, s ReportSubscription, actor AuditActor) error {
	recipients, err := json.Marshal(s.Recipients)
	if err != nil {
		return err
	}
	return db.InTx(ctx, func(tx *Tx) error {
		r, err := tx.exec(ctx, `UPDATE report_subscriptions SET recipients = ?, lang = ?, weekday = ?, hour = ?, enabled = ?, updated_at = ?
			WHERE workspace_id = ? AND id = ?`, string(recipients), s.Lang, s.Weekday, s.Hour, boolInt(s.Enabled),
			s.UpdatedAt.UnixMilli(), workspaceID, s.ID)
		if err := affectedOne(r, err, "update report subscription"); err != nil {
			return err
		}
		return tx.audit(ctx, actor.entry(workspaceID, "report_subscription.update", "report_subscription", s.ID, s.auditDetails()))
	})
}

// DeleteReportSubscription removes a subscription; jobs already queued for
// it find it gone and send nothing.
func (db *DB) DeleteReportSubscription(ctx context.Context, workspaceID, id int64, actor AuditActor) error {
	return db.InTx(ctx, func(tx *Tx) error {
		s, err := scanReportSubscription(tx.queryRow(ctx, `SELECT `+reportSubscriptionColumns+`
			FROM report_subscriptions WHERE workspace_id = ? AND id = ?`, workspaceID, id))
		if err != nil {
			return notFound(err, "delete report subscription")
		}
		r, err := tx.exec(ctx, `DELETE FROM report_subscriptions WHERE workspace_id = ? AND id = ?`, workspaceID, id)
		if err := affectedOne(r, err, "delete report subscription"); err != nil {
			return err
		}
		return tx.audit(ctx, actor.entry(workspaceID, "report_subscription.delete", "report_subscription", id, s.auditDetails()))
	})
}

// auditDetails is what the audit log keeps of a subscription.
func (s ReportSubscription) auditDetails() map[string]any {
	return map[string]any{"recipients": s.Recipients, "lang": s.Lang, "weekday": s.Weekday, "hour": s.Hour, "enabled": s.Enabled}
}

// RecordReportSent notes a send at at: period (the week's first day, for
// a scheduled send; empty for one asked for by hand) and what went wrong
// with it, if anything (refused recipients; empty clears an old error).
func (db *DB) RecordReportSent(ctx context.Context, workspaceID, id int64, period string, at time.Time, problem string) error {
	r, err := db.exec(ctx, `UPDATE report_subscriptions SET last_period = CASE WHEN ? = '' THEN last_period ELSE ? END,
		last_sent_at = ?, last_error = ? WHERE workspace_id = ? AND id = ?`, period, period, at.UnixMilli(), problem, workspaceID, id)
	return affectedOne(r, err, "record report sent")
}

// RecordReportError notes why a send failed.
func (db *DB) RecordReportError(ctx context.Context, workspaceID, id int64, problem string) error {
	if len(problem) > 1000 {
		problem = problem[:1000]
	}
	r, err := db.exec(ctx, `UPDATE report_subscriptions SET last_error = ? WHERE workspace_id = ? AND id = ?`, problem, workspaceID, id)
	return affectedOne(r, err, "record report error")
}

// ScheduledReport is an enabled subscription with its workspace's time
// zone, as the scheduler needs it.
type ScheduledReport struct {
	WorkspaceID int64
	Timezone    string
	ReportSubscription
}

// ScheduledReports lists the enabled subscriptions of every workspace: the
// scheduler's one query across workspaces.
func (db *DB) ScheduledReports(ctx context.Context) ([]ScheduledReport, error) {
	rows, err := db.query(ctx, `SELECT s.workspace_id, w.timezone, s.id, s.recipients, s.lang, s.weekday, s.hour, s.enabled,
		s.created_by, s.created_at, s.updated_at, s.last_period, s.last_sent_at, s.last_error
		FROM report_subscriptions s JOIN workspaces w ON w.id = s.workspace_id
		WHERE s.enabled = 1 ORDER BY s.workspace_id, s.id`)
	if err != nil {
		return nil, fmt.Errorf("scheduled reports: %w", err)
	}
	defer rows.Close()
	var out []ScheduledReport
	for rows.Next() {
		var r ScheduledReport
		var ws int64
		var tz string
		sub, err := scanReportSubscription(scanFunc(func(dest ...any) error {
			return rows.Scan(append([]any{&ws, &tz}, dest...)...)
		}))
		if err != nil {
			return nil, fmt.Errorf("scheduled reports: %w", err)
		}
		r.WorkspaceID, r.Timezone, r.ReportSubscription = ws, tz, sub
		out = append(out, r)
	}
	return out, rows.Err()
}

// affectedOne turns an update of no row into ErrNotFound.
func affectedOne(r sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return fmt.Errorf("%s: %w", what, ErrNotFound)
	}
	return nil
}

// scanFunc adapts a function to the Scan interface.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
