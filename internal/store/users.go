package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Roles a membership can carry, from most to least powerful.
const (
	RoleOwner    = "owner"
	RoleAdmin    = "admin"
	RoleManager  = "manager"
	RoleAgent    = "agent"
	RoleViewer   = "viewer"
	RoleEmployee = "employee"
)

// Roles lists the valid roles.
var Roles = []string{RoleOwner, RoleAdmin, RoleManager, RoleAgent, RoleViewer, RoleEmployee}

// User is a person who logs in to Vox.
type User struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash string    `json:"-"`
	Lang         string    `json:"lang"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
}

// Membership ties a user to a workspace with a role.
type Membership struct {
	WorkspaceID int64  `json:"workspace_id"`
	UserID      int64  `json:"user_id"`
	Role        string `json:"role"`
}

// CreateUser inserts a user; the email is stored lower-cased and must be unique.
func (db *DB) CreateUser(ctx context.Context, email, name, passwordHash, lang string) (User, error) {
	u := User{Email: strings.ToLower(strings.TrimSpace(email)), Name: name, PasswordHash: passwordHash,
		Lang: lang, CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err := db.InTx(ctx, func(tx *Tx) error {
		id, err := tx.allocID(ctx, "users")
		if err != nil {
			return err
		}
		u.ID = id
		_, err = tx.exec(ctx, `INSERT INTO users (id, email, name, password_hash, lang, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, 0, ?)`, id, u.Email, name, passwordHash, lang, u.CreatedAt.UnixMilli())
		return err
	})
	if err != nil {
		return User{}, fmt.Errorf("create user %s: %w", u.Email, err)
	}
	return u, nil
}

func scanUser(row interface{ Scan(...any) error }) (User, error) {
	var u User
	var disabled int
	var created int64
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.PasswordHash, &u.Lang, &disabled, &created)
	u.Disabled = disabled != 0
	u.CreatedAt = fromMillis(created)
	return u, err
}

const userColumns = `id, email, name, password_hash, lang, disabled, created_at`

// UserByEmail finds a user by email (case-insensitive).
func (db *DB) UserByEmail(ctx context.Context, email string) (User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`,
		strings.ToLower(strings.TrimSpace(email))))
	if err != nil {
		return u, notFound(err, "user")
	}
	return u, nil
}

// User returns one user by id.
func (db *DB) User(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return u, notFound(err, "user")
	}
	return u, nil
}

// SetUserLang remembers the user's UI language.
func (db *DB) SetUserLang(ctx context.Context, userID int64, lang string) error {
	_, err := db.exec(ctx, `UPDATE users SET lang = ? WHERE id = ?`, lang, userID)
	return err
}

// AddMember gives a user a role in a workspace (replacing any earlier role).
func (db *DB) AddMember(ctx context.Context, workspaceID, userID int64, role string) error {
	_, err := db.exec(ctx, `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`,
		workspaceID, userID, role, time.Now().UnixMilli())
	if err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	return nil
}

// Memberships lists the workspaces a user belongs to.
func (db *DB) Memberships(ctx context.Context, userID int64) ([]Membership, error) {
	rows, err := db.query(ctx, `SELECT workspace_id, user_id, role FROM memberships WHERE user_id = ? ORDER BY workspace_id`, userID)
	if err != nil {
		return nil, fmt.Errorf("memberships: %w", err)
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.WorkspaceID, &m.UserID, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Role returns the user's role in a workspace, or ErrNotFound.
func (db *DB) Role(ctx context.Context, workspaceID, userID int64) (string, error) {
	var role string
	err := db.queryRow(ctx, `SELECT role FROM memberships WHERE workspace_id = ? AND user_id = ?`, workspaceID, userID).Scan(&role)
	if err != nil {
		return "", notFound(err, "membership")
	}
	return role, nil
}
