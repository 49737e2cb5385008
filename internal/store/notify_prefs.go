package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Digest frequencies a user can choose.
const (
	DigestOff    = "off"
	DigestDaily  = "daily"
	DigestWeekly = "weekly"
)

// DigestFrequencies lists the valid digest settings.
var DigestFrequencies = []string{DigestOff, DigestDaily, DigestWeekly}

// NotifyPrefs are a user's notification settings in one workspace.
type NotifyPrefs struct {
	UserID         int64     `json:"user_id"`
	Digest         string    `json:"digest"`
	TelegramChatID string    `json:"telegram_chat_id"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// WorkspaceMember is a user of a workspace with their role.
type WorkspaceMember struct {
	User
	Role string `json:"role"`
}

// Member returns a user who belongs to the workspace, or ErrNotFound: a
// user id of another workspace is as unknown as one that does not exist.
func (db *DB) Member(ctx context.Context, workspaceID, userID int64) (WorkspaceMember, error) {
	var m WorkspaceMember
	var disabled int
	var created int64
	err := db.queryRow(ctx, `SELECT u.id, u.email, u.name, u.lang, u.disabled, u.created_at, m.role
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.workspace_id = ? AND m.user_id = ?`, workspaceID, userID).
		Scan(&m.ID, &m.Email, &m.Name, &m.Lang, &disabled, &created, &m.Role)
	if err != nil {
		return m, notFound(err, "member")
	}
	m.Disabled, m.CreatedAt = disabled != 0, fromMillis(created)
	return m, nil
}

// NotifyPrefs returns the user's settings in the workspace; without a
// stored row, the defaults (no digest).
func (db *DB) NotifyPrefs(ctx context.Context, workspaceID, userID int64) (NotifyPrefs, error) {
	p := NotifyPrefs{UserID: userID, Digest: DigestOff}
	var updated int64
	err := db.queryRow(ctx, `SELECT digest, telegram_chat_id, updated_at FROM notify_prefs WHERE workspace_id = ? AND user_id = ?`,
		workspaceID, userID).Scan(&p.Digest, &p.TelegramChatID, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("notify prefs: %w", err)
	}
	p.UpdatedAt = fromMillis(updated)
	return p, nil
}

// SetNotifyPrefs stores the user's settings in the workspace.
func (db *DB) SetNotifyPrefs(ctx context.Context, workspaceID int64, p NotifyPrefs) error {
	_, err := db.exec(ctx, `INSERT INTO notify_prefs (workspace_id, user_id, digest, telegram_chat_id, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, user_id) DO UPDATE SET digest = excluded.digest, telegram_chat_id = excluded.telegram_chat_id,
		updated_at = excluded.updated_at`, workspaceID, p.UserID, p.Digest, p.TelegramChatID, p.UpdatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("set notify prefs: %w", err)
	}
	return nil
}

// DigestSubscriber is a user who wants a digest, with what scheduling needs.
type DigestSubscriber struct {
	WorkspaceID int64
	UserID      int64
	Digest      string
	Timezone    string // the workspace's
	Since       time.Time
}

// DigestSubscribers lists, across workspaces, the enabled members whose
// digest is not off.
func (db *DB) DigestSubscribers(ctx context.Context) ([]DigestSubscriber, error) {
	rows, err := db.query(ctx, `SELECT p.workspace_id, p.user_id, p.digest, w.timezone, p.updated_at FROM notify_prefs p
		JOIN workspaces w ON w.id = p.workspace_id
		JOIN memberships m ON m.workspace_id = p.workspace_id AND m.user_id = p.user_id
		JOIN users u ON u.id = p.user_id
		WHERE p.digest <> 'off' AND u.disabled = 0 ORDER BY p.workspace_id, p.user_id`)
	if err != nil {
		return nil, fmt.Errorf("digest subscribers: %w", err)
	}
	defer rows.Close()
	var out []DigestSubscriber
	for rows.Next() {
		var s DigestSubscriber
		var since int64
		if err := rows.Scan(&s.WorkspaceID, &s.UserID, &s.Digest, &s.Timezone, &since); err != nil {
			return nil, err
		}
		s.Since = fromMillis(since)
		out = append(out, s)
	}
	return out, rows.Err()
}

// UserNotification is one in-app notification (praise, a digest).
type UserNotification struct {
	ID         int64          `json:"id"`
	UserID     int64          `json:"user_id"`
	Kind       string         `json:"kind"`
	Title      string         `json:"title"`
	Body       string         `json:"body"`
	FeedbackID *int64         `json:"feedback_id"`
	Details    map[string]any `json:"details"`
	DedupeKey  string         `json:"-"`
	ReadAt     *time.Time     `json:"read_at"`
	CreatedAt  time.Time      `json:"created_at"`
}

// AddUserNotification stores n unless the workspace already has one with
// its dedupe key; created reports which.
func (tx *Tx) AddUserNotification(ctx context.Context, workspaceID int64, n UserNotification) (bool, error) {
	return addUserNotification(ctx, tx, workspaceID, n)
}

// AddUserNotification is AddUserNotification in its own transaction.
func (db *DB) AddUserNotification(ctx context.Context, workspaceID int64, n UserNotification) (bool, error) {
	var created bool
	err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		created, err = addUserNotification(ctx, tx, workspaceID, n)
		return err
	})
	return created, err
}

func addUserNotification(ctx context.Context, tx *Tx, workspaceID int64, n UserNotification) (bool, error) {
	id, err := tx.allocID(ctx, "user_notifications")
	if err != nil {
		return false, err
	}
	r, err := tx.exec(ctx, `INSERT INTO user_notifications (id, workspace_id, user_id, kind, title, body, feedback_id, details,
		dedupe_key, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, dedupe_key) DO NOTHING`,
		id, workspaceID, n.UserID, n.Kind, n.Title, n.Body, n.FeedbackID, jsonText(n.Details, "{}"), n.DedupeKey, n.CreatedAt.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("add user notification: %w", err)
	}
	k, _ := r.RowsAffected()
	return k > 0, nil
}

// HasUserNotification reports whether the workspace has a notification
// with the dedupe key (a digest already sent).
func (db *DB) HasUserNotification(ctx context.Context, workspaceID int64, dedupeKey string) (bool, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM user_notifications WHERE workspace_id = ? AND dedupe_key = ?`, workspaceID, dedupeKey).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("user notification: %w", err)
	}
	return n > 0, nil
}

// UserNotifications lists a user's notifications in the workspace, newest
// first, before the id cursor when it is > 0.
func (db *DB) UserNotifications(ctx context.Context, workspaceID, userID, beforeID int64, limit int) ([]UserNotification, error) {
	if limit <= 0 || limit > 500 {
		limit = 50
	}
	if beforeID <= 0 {
		beforeID = 1 << 62
	}
	rows, err := db.query(ctx, `SELECT id, user_id, kind, title, body, feedback_id, details, dedupe_key, read_at, created_at
		FROM user_notifications WHERE workspace_id = ? AND user_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
		workspaceID, userID, beforeID, limit)
	if err != nil {
		return nil, fmt.Errorf("user notifications: %w", err)
	}
	defer rows.Close()
	out := []UserNotification{}
	for rows.Next() {
		var n UserNotification
		var details string
		var read sql.NullInt64
		var created int64
		if err := rows.Scan(&n.ID, &n.UserID, &n.Kind, &n.Title, &n.Body, &n.FeedbackID, &details, &n.DedupeKey, &read, &created); err != nil {
			return nil, err
		}
		n.ReadAt, n.CreatedAt, n.Details = optMillis(read), fromMillis(created), map[string]any{}
		_ = json.Unmarshal([]byte(details), &n.Details)
		out = append(out, n)
	}
	return out, rows.Err()
}

// PraiseRecipient is a user linked to an employee, who hears of praise
// for that employee.
type PraiseRecipient struct {
	EmployeeID     int64
	EmployeeName   string
	UserID         int64
	Email          string
	Name           string
	Lang           string
	TelegramChatID string
}

// PraiseRecipients returns, for the given employees of the workspace, the
// enabled members linked to them, keyed by employee id.
func (tx *Tx) PraiseRecipients(ctx context.Context, workspaceID int64, employeeIDs []int64) (map[int64][]PraiseRecipient, error) {
	out := map[int64][]PraiseRecipient{}
	for start := 0; start < len(employeeIDs); start += 500 {
		chunk := employeeIDs[start:min(start+500, len(employeeIDs))]
		args := []any{workspaceID}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := tx.query(ctx, `SELECT e.id, e.name, u.id, u.email, u.name, u.lang, COALESCE(p.telegram_chat_id, '')
			FROM employees e JOIN users u ON u.id = e.user_id
			JOIN memberships m ON m.workspace_id = e.workspace_id AND m.user_id = u.id
			LEFT JOIN notify_prefs p ON p.workspace_id = e.workspace_id AND p.user_id = u.id
			WHERE e.workspace_id = ? AND e.id IN (`+placeholders(len(chunk))+`) AND u.disabled = 0 ORDER BY e.id, u.id`, args...)
		if err != nil {
			return nil, fmt.Errorf("praise recipients: %w", err)
		}
		for rows.Next() {
			var r PraiseRecipient
			if err := rows.Scan(&r.EmployeeID, &r.EmployeeName, &r.UserID, &r.Email, &r.Name, &r.Lang, &r.TelegramChatID); err != nil {
				rows.Close()
				return nil, err
			}
			out[r.EmployeeID] = append(out[r.EmployeeID], r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
