package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Invitation statuses. Timestamps (sent_at, opened_at…) record the funnel;
// the status is where the invitation stands now.
const (
	InvitationPending   = "pending"   // waiting for its send job
	InvitationSending   = "sending"   // a worker is handing it to the channel
	InvitationSent      = "sent"      // accepted by the channel
	InvitationDelivered = "delivered" // the provider confirmed delivery
	InvitationFailed    = "failed"    // the channel refused it for good
	InvitationThrottled = "throttled" // not sent: the customer was surveyed recently
	InvitationOptedOut  = "opted_out" // not sent: the customer opted out
	InvitationAnswered  = "answered"
)

// Invitation is one customer's one chance to answer a survey once.
type Invitation struct {
	ID            int64      `json:"id"`
	WorkspaceID   int64      `json:"-"`
	SurveyID      int64      `json:"survey_id"`
	SurveyVersion int        `json:"survey_version"`
	CustomerID    *int64     `json:"customer_id"`
	Channel       string     `json:"channel"`
	Address       string     `json:"address"`
	Lang          string     `json:"lang"`
	Wave          string     `json:"wave"`
	Status        string     `json:"status"`
	DedupeKey     string     `json:"dedupe_key,omitempty"`
	ProviderID    string     `json:"provider_id,omitempty"`
	LastError     string     `json:"last_error,omitempty"`
	RemindersSent int        `json:"reminders_sent"`
	SendAt        time.Time  `json:"send_at"`
	ExpiresAt     time.Time  `json:"expires_at"`
	SentAt        *time.Time `json:"sent_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	OpenedAt      *time.Time `json:"opened_at"`
	AnsweredAt    *time.Time `json:"answered_at"`
	FailedAt      *time.Time `json:"failed_at"`
	CreatedAt     time.Time  `json:"created_at"`
}

// NewInvitation is an invitation to create. Customer is resolved (or
// created) inside the same transaction.
type NewInvitation struct {
	SurveyID      int64
	SurveyVersion int
	Customer      CustomerInput
	Channel       string
	Address       string
	Lang          string
	Wave          string
	DedupeKey     string // optional: the same key for the same survey creates one invitation
	Status        string // "" → pending
	SendAt        time.Time
	ExpiresAt     time.Time
	SentAt        time.Time // set for channels that send nothing (a link handed to the caller)
}

// CreateInvitation stores an invitation inside tx and returns it. With a
// dedupe key already used for the survey it returns the earlier invitation
// and created=false.
func (tx *Tx) CreateInvitation(ctx context.Context, workspaceID int64, in NewInvitation, now time.Time) (inv Invitation, created bool, err error) {
	if in.DedupeKey != "" {
		inv, err = scanInvitation(tx.queryRow(ctx, `SELECT `+invitationColumns+` FROM survey_invitations
			WHERE workspace_id = ? AND survey_id = ? AND dedupe_key = ?`, workspaceID, in.SurveyID, in.DedupeKey))
		if err == nil {
			return inv, false, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return inv, false, fmt.Errorf("create invitation: %w", err)
		}
	}
	var customerID *int64
	if !in.Customer.Empty() {
		id, err := tx.resolveCustomer(ctx, workspaceID, in.Customer, now)
		if err != nil {
			return inv, false, err
		}
		customerID = &id
	}
	id, err := tx.allocID(ctx, "survey_invitations")
	if err != nil {
		return inv, false, err
	}
	status := in.Status
	if status == "" {
		status = InvitationPending
	}
	var dedupe any
	if in.DedupeKey != "" {
		dedupe = in.DedupeKey
	}
	r, err := tx.exec(ctx, `INSERT INTO survey_invitations (id, workspace_id, survey_id, survey_version, customer_id, channel, address, lang, wave,
		status, dedupe_key, send_at, expires_at, sent_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, survey_id, dedupe_key) DO NOTHING`,
		id, workspaceID, in.SurveyID, in.SurveyVersion, customerID, in.Channel, in.Address, in.Lang, in.Wave, status, dedupe,
		in.SendAt.UnixMilli(), in.ExpiresAt.UnixMilli(), nullMillis(in.SentAt), now.UnixMilli())
	if err != nil {
		return inv, false, fmt.Errorf("create invitation: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 { // lost a race on the dedupe key
		inv, err = scanInvitation(tx.queryRow(ctx, `SELECT `+invitationColumns+` FROM survey_invitations
			WHERE workspace_id = ? AND survey_id = ? AND dedupe_key = ?`, workspaceID, in.SurveyID, in.DedupeKey))
		return inv, false, err
	}
	inv, err = scanInvitation(tx.queryRow(ctx, `SELECT `+invitationColumns+` FROM survey_invitations WHERE id = ?`, id))
	return inv, true, err
}

const invitationColumns = `id, workspace_id, survey_id, survey_version, customer_id, channel, address, lang, wave, status,
	COALESCE(dedupe_key, ''), provider_id, last_error, reminders_sent, send_at, expires_at, sent_at, delivered_at, opened_at,
	answered_at, failed_at, created_at`

func scanInvitation(row interface{ Scan(...any) error }) (Invitation, error) {
	var i Invitation
	var sendAt, expires, created int64
	var sent, delivered, opened, answered, failed sql.NullInt64
	err := row.Scan(&i.ID, &i.WorkspaceID, &i.SurveyID, &i.SurveyVersion, &i.CustomerID, &i.Channel, &i.Address, &i.Lang, &i.Wave,
		&i.Status, &i.DedupeKey, &i.ProviderID, &i.LastError, &i.RemindersSent, &sendAt, &expires, &sent, &delivered, &opened,
		&answered, &failed, &created)
	i.SendAt, i.ExpiresAt, i.CreatedAt = fromMillis(sendAt), fromMillis(expires), fromMillis(created)
	i.SentAt, i.DeliveredAt, i.OpenedAt = nullTime(sent), nullTime(delivered), nullTime(opened)
	i.AnsweredAt, i.FailedAt = nullTime(answered), nullTime(failed)
	return i, err
}

func nullTime(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMillis(v.Int64)
	return &t
}

// Invitation returns one invitation of the workspace.
func (db *DB) Invitation(ctx context.Context, workspaceID, id int64) (Invitation, error) {
	inv, err := scanInvitation(db.hotRow(ctx, `SELECT `+invitationColumns+` FROM survey_invitations WHERE workspace_id = ? AND id = ?`,
		workspaceID, id))
	if err != nil {
		return inv, notFound(err, "invitation")
	}
	return inv, nil
}

// Invitations lists a survey's invitations, newest first.
func (db *DB) Invitations(ctx context.Context, workspaceID, surveyID int64, limit int) ([]Invitation, error) {
	rows, err := db.query(ctx, `SELECT `+invitationColumns+` FROM survey_invitations WHERE workspace_id = ? AND survey_id = ?
		ORDER BY id DESC LIMIT ?`, workspaceID, surveyID, limit)
	if err != nil {
		return nil, fmt.Errorf("list invitations: %w", err)
	}
	defer rows.Close()
	var out []Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// ClaimInvitationSend moves a pending invitation to sending and reports
// whether this caller won it: a retried or duplicated send job finds it
// already sent and sends nothing.
func (db *DB) ClaimInvitationSend(ctx context.Context, workspaceID, id int64) (bool, error) {
	r, err := db.exec(ctx, `UPDATE survey_invitations SET status = 'sending' WHERE workspace_id = ? AND id = ? AND status IN ('pending', 'sending')`,
		workspaceID, id)
	if err != nil {
		return false, fmt.Errorf("claim invitation: %w", err)
	}
	n, _ := r.RowsAffected()
	return n == 1, nil
}

// SetInvitationStatus sets an invitation's status without sending
// (throttled, opted out) or puts it back to pending after a failed attempt.
func (db *DB) SetInvitationStatus(ctx context.Context, workspaceID, id int64, status, lastError string) error {
	_, err := db.exec(ctx, `UPDATE survey_invitations SET status = ?, last_error = ? WHERE workspace_id = ? AND id = ? AND status <> 'answered'`,
		status, lastError, workspaceID, id)
	if err != nil {
		return fmt.Errorf("set invitation status: %w", err)
	}
	return nil
}

// MarkInvitationSent records that the channel accepted the invitation.
func (db *DB) MarkInvitationSent(ctx context.Context, workspaceID, id int64, providerID string, at time.Time) error {
	_, err := db.exec(ctx, `UPDATE survey_invitations SET status = CASE WHEN status = 'answered' THEN status ELSE 'sent' END,
		provider_id = ?, sent_at = COALESCE(sent_at, ?), last_error = '' WHERE workspace_id = ? AND id = ?`, providerID, at.UnixMilli(), workspaceID, id)
	if err != nil {
		return fmt.Errorf("mark invitation sent: %w", err)
	}
	return nil
}

// MarkInvitationFailed records a permanent failure (a bounce, a refused number).
func (db *DB) MarkInvitationFailed(ctx context.Context, workspaceID, id int64, cause string, at time.Time) error {
	_, err := db.exec(ctx, `UPDATE survey_invitations SET status = CASE WHEN status = 'answered' THEN status ELSE 'failed' END,
		last_error = ?, failed_at = COALESCE(failed_at, ?) WHERE workspace_id = ? AND id = ?`, cause, at.UnixMilli(), workspaceID, id)
	if err != nil {
		return fmt.Errorf("mark invitation failed: %w", err)
	}
	return nil
}

// MarkInvitationDelivered records a delivery receipt.
func (db *DB) MarkInvitationDelivered(ctx context.Context, workspaceID, id int64, at time.Time) error {
	_, err := db.exec(ctx, `UPDATE survey_invitations SET status = CASE WHEN status IN ('sent', 'sending') THEN 'delivered' ELSE status END,
		delivered_at = COALESCE(delivered_at, ?) WHERE workspace_id = ? AND id = ?`, at.UnixMilli(), workspaceID, id)
	if err != nil {
		return fmt.Errorf("mark invitation delivered: %w", err)
	}
	return nil
}

// MarkInvitationOpened records the first opening of the survey page.
func (db *DB) MarkInvitationOpened(ctx context.Context, workspaceID, id int64, at time.Time) error {
	_, err := db.exec(ctx, `UPDATE survey_invitations SET opened_at = ? WHERE workspace_id = ? AND id = ? AND opened_at IS NULL`,
		at.UnixMilli(), workspaceID, id)
	if err != nil {
		return fmt.Errorf("mark invitation opened: %w", err)
	}
	return nil
}

// CountReminder records one more reminder sent.
func (db *DB) CountReminder(ctx context.Context, workspaceID, id int64) error {
	_, err := db.exec(ctx, `UPDATE survey_invitations SET reminders_sent = reminders_sent + 1 WHERE workspace_id = ? AND id = ?`, workspaceID, id)
	if err != nil {
		return fmt.Errorf("count reminder: %w", err)
	}
	return nil
}

// LastContact returns when the customer was last sent an invitation of any
// survey other than exceptID (zero time: never), for contact throttling.
func (db *DB) LastContact(ctx context.Context, workspaceID, customerID, exceptID int64) (time.Time, error) {
	var last sql.NullInt64
	err := db.queryRow(ctx, `SELECT MAX(sent_at) FROM survey_invitations WHERE workspace_id = ? AND customer_id = ? AND id <> ?`,
		workspaceID, customerID, exceptID).Scan(&last)
	if err != nil {
		return time.Time{}, fmt.Errorf("last contact: %w", err)
	}
	if !last.Valid {
		return time.Time{}, nil
	}
	return fromMillis(last.Int64), nil
}

// LatestInvitationTo returns the newest invitation sent on a channel to an
// address (a Telegram chat), e.g. to attach a free-text reply to it.
func (db *DB) LatestInvitationTo(ctx context.Context, workspaceID int64, channel, address string) (Invitation, error) {
	inv, err := scanInvitation(db.queryRow(ctx, `SELECT `+invitationColumns+` FROM survey_invitations
		WHERE workspace_id = ? AND channel = ? AND address = ? ORDER BY id DESC LIMIT 1`, workspaceID, channel, address))
	if err != nil {
		return inv, notFound(err, "invitation")
	}
	return inv, nil
}

// OptOut records that a customer wants no more surveys.
func (db *DB) OptOut(ctx context.Context, workspaceID, customerID int64, channel string) error {
	_, err := db.exec(ctx, `INSERT INTO survey_optouts (workspace_id, customer_id, channel, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id, customer_id) DO NOTHING`, workspaceID, customerID, channel, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("opt out: %w", err)
	}
	return nil
}

// OptedOut reports whether the customer opted out of surveys.
func (db *DB) OptedOut(ctx context.Context, workspaceID, customerID int64) (bool, error) {
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM survey_optouts WHERE workspace_id = ? AND customer_id = ?`,
		workspaceID, customerID).Scan(&n); err != nil {
		return false, fmt.Errorf("opted out: %w", err)
	}
	return n > 0, nil
}

// RateRow is the response funnel of one slice of invitations.
type RateRow struct {
	Channel   string `json:"channel,omitempty"`
	Wave      string `json:"wave,omitempty"`
	Invited   int    `json:"invited"`
	Sent      int    `json:"sent"`
	Delivered int    `json:"delivered"`
	Opened    int    `json:"opened"`
	Answered  int    `json:"answered"`
	Failed    int    `json:"failed"`
	Skipped   int    `json:"skipped"` // throttled or opted out
}

// ResponseRates returns a survey's funnel per channel and wave.
func (db *DB) ResponseRates(ctx context.Context, workspaceID, surveyID int64) ([]RateRow, error) {
	rows, err := db.query(ctx, `SELECT channel, wave, COUNT(*), COUNT(sent_at), COUNT(delivered_at), COUNT(opened_at), COUNT(answered_at),
		COUNT(failed_at), SUM(CASE WHEN status IN ('throttled', 'opted_out') THEN 1 ELSE 0 END)
		FROM survey_invitations WHERE workspace_id = ? AND survey_id = ? GROUP BY channel, wave ORDER BY channel, wave`, workspaceID, surveyID)
	if err != nil {
		return nil, fmt.Errorf("response rates: %w", err)
	}
	defer rows.Close()
	var out []RateRow
	for rows.Next() {
		var r RateRow
		if err := rows.Scan(&r.Channel, &r.Wave, &r.Invited, &r.Sent, &r.Delivered, &r.Opened, &r.Answered, &r.Failed, &r.Skipped); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Draft returns the partial answers kept under key ("{}" when none).
func (db *DB) Draft(ctx context.Context, workspaceID int64, key string) (string, error) {
	var s string
	err := db.hotRow(ctx, `SELECT answers FROM survey_drafts WHERE workspace_id = ? AND draft_key = ?`, workspaceID, key).Scan(&s)
	if errors.Is(err, sql.ErrNoRows) {
		return "{}", nil
	}
	if err != nil {
		return "", fmt.Errorf("draft: %w", err)
	}
	return s, nil
}

// PutDraft keeps partial answers so that a respondent who leaves half-way
// loses nothing.
func (db *DB) PutDraft(ctx context.Context, workspaceID, surveyID int64, key, answers string) error {
	_, err := db.exec(ctx, `INSERT INTO survey_drafts (workspace_id, draft_key, survey_id, answers, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, draft_key) DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at`,
		workspaceID, key, surveyID, answers, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("put draft: %w", err)
	}
	return nil
}

// OptedOut is DB.OptedOut inside a transaction.
func (tx *Tx) OptedOut(ctx context.Context, workspaceID, customerID int64) (bool, error) {
	var n int
	if err := tx.queryRow(ctx, `SELECT COUNT(*) FROM survey_optouts WHERE workspace_id = ? AND customer_id = ?`,
		workspaceID, customerID).Scan(&n); err != nil {
		return false, fmt.Errorf("opted out: %w", err)
	}
	return n > 0, nil
}

// SetInvitationStatus is DB.SetInvitationStatus inside a transaction.
func (tx *Tx) SetInvitationStatus(ctx context.Context, workspaceID, id int64, status, lastError string) error {
	_, err := tx.exec(ctx, `UPDATE survey_invitations SET status = ?, last_error = ? WHERE workspace_id = ? AND id = ? AND status <> 'answered'`,
		status, lastError, workspaceID, id)
	if err != nil {
		return fmt.Errorf("set invitation status: %w", err)
	}
	return nil
}
