package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrTokenSpent means a one-time link (an invitation, a password reset) was
// already used, revoked or has expired: asking again is the way forward.
var ErrTokenSpent = errors.New("link expired or already used")

// ErrAccountExists means an invitee tried to create an account for an email
// that already has one: they must sign in with it instead.
var ErrAccountExists = errors.New("an account with this email exists")

// States of a member invitation, derived from its times.
const (
	MemberInvitationPending  = "pending"
	MemberInvitationAccepted = "accepted"
	MemberInvitationRevoked  = "revoked"
	MemberInvitationExpired  = "expired"
)

// MemberInvitation invites a person, by email, to join a workspace with a
// role. Only a hash of its token is stored; the token itself travels once,
// in the email (or on the inviting admin's screen).
type MemberInvitation struct {
	ID             int64
	WorkspaceID    int64
	Email          string
	Role           string
	InvitedBy      *int64
	InvitedByEmail string
	CreatedAt      time.Time
	ExpiresAt      time.Time
	AcceptedAt     *time.Time
	AcceptedBy     *int64
	RevokedAt      *time.Time
}

// State says where the invitation stands at now.
func (i MemberInvitation) State(now time.Time) string {
	switch {
	case i.AcceptedAt != nil:
		return MemberInvitationAccepted
	case i.RevokedAt != nil:
		return MemberInvitationRevoked
	case !now.Before(i.ExpiresAt):
		return MemberInvitationExpired
	}
	return MemberInvitationPending
}

const memberInvitationColumns = `i.id, i.workspace_id, i.email, i.role, i.invited_by, COALESCE(u.email, ''), i.created_at,
	i.expires_at, i.accepted_at, i.accepted_by, i.revoked_at`

const memberInvitationFrom = ` FROM member_invitations i LEFT JOIN users u ON u.id = i.invited_by`

func scanMemberInvitation(row interface{ Scan(...any) error }) (MemberInvitation, error) {
	var i MemberInvitation
	var created, expires int64
	var accepted, revoked sql.NullInt64
	err := row.Scan(&i.ID, &i.WorkspaceID, &i.Email, &i.Role, &i.InvitedBy, &i.InvitedByEmail, &created, &expires,
		&accepted, &i.AcceptedBy, &revoked)
	i.CreatedAt, i.ExpiresAt = fromMillis(created), fromMillis(expires)
	i.AcceptedAt, i.RevokedAt = nullTime(accepted), nullTime(revoked)
	return i, err
}

// CreateMemberInvitation stores an invitation of email with role, valid
// until expires, and records it in the audit log.
func (db *DB) CreateMemberInvitation(ctx context.Context, workspaceID int64, email, role, tokenHash string,
	now, expires time.Time, actor AuditActor) (MemberInvitation, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if !ValidRole(role) {
		return MemberInvitation{}, fmt.Errorf("invite %s: unknown role %q", email, role)
	}
	var inv MemberInvitation
	err := db.InTx(ctx, func(tx *Tx) error {
		id, err := tx.allocID(ctx, "member_invitations")
		if err != nil {
			return err
		}
		var by any
		if actor.UserID > 0 {
			by = actor.UserID
		}
		if _, err := tx.exec(ctx, `INSERT INTO member_invitations (id, workspace_id, email, role, token_hash, invited_by, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, id, workspaceID, email, role, tokenHash, by, now.UnixMilli(), expires.UnixMilli()); err != nil {
			return err
		}
		if inv, err = scanMemberInvitation(tx.queryRow(ctx, `SELECT `+memberInvitationColumns+memberInvitationFrom+` WHERE i.id = ?`, id)); err != nil {
			return err
		}
		return tx.audit(ctx, actor.entry(workspaceID, "member.invite", "invitation", id, map[string]any{"email": email, "role": role}))
	})
	if err != nil {
		return MemberInvitation{}, fmt.Errorf("invite %s: %w", email, err)
	}
	return inv, nil
}

// MemberInvitationByToken finds an invitation by its token's hash, in
// whatever state: the token alone names it, since the invitee has no
// session yet.
func (db *DB) MemberInvitationByToken(ctx context.Context, tokenHash string) (MemberInvitation, error) {
	inv, err := scanMemberInvitation(db.queryRow(ctx, `SELECT `+memberInvitationColumns+memberInvitationFrom+` WHERE i.token_hash = ?`, tokenHash))
	if err != nil {
		return inv, notFound(err, "invitation")
	}
	return inv, nil
}

// OpenMemberInvitations lists the workspace's invitations neither accepted
// nor revoked (expired ones included, so the admin sees them lapse), newest first.
func (db *DB) OpenMemberInvitations(ctx context.Context, workspaceID int64, limit int) ([]MemberInvitation, error) {
	rows, err := db.query(ctx, `SELECT `+memberInvitationColumns+memberInvitationFrom+`
		WHERE i.workspace_id = ? AND i.accepted_at IS NULL AND i.revoked_at IS NULL ORDER BY i.id DESC LIMIT ?`, workspaceID, limit)
	if err != nil {
		return nil, fmt.Errorf("invitations: %w", err)
	}
	defer rows.Close()
	var out []MemberInvitation
	for rows.Next() {
		inv, err := scanMemberInvitation(rows)
		if err != nil {
			return nil, fmt.Errorf("invitations: %w", err)
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// RevokeMemberInvitation cancels an open invitation of the workspace.
func (db *DB) RevokeMemberInvitation(ctx context.Context, workspaceID, id int64, now time.Time, actor AuditActor) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		var email string
		err := tx.queryRow(ctx, `SELECT email FROM member_invitations WHERE workspace_id = ? AND id = ? AND accepted_at IS NULL
			AND revoked_at IS NULL`, workspaceID, id).Scan(&email)
		if err != nil {
			return notFound(err, "invitation")
		}
		if _, err := tx.exec(ctx, `UPDATE member_invitations SET revoked_at = ? WHERE workspace_id = ? AND id = ?`,
			now.UnixMilli(), workspaceID, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.entry(workspaceID, "member.invite_revoke", "invitation", id, map[string]any{"email": email}))
	})
	if err != nil {
		return fmt.Errorf("revoke invitation %d: %w", id, err)
	}
	return nil
}

// InvitationAcceptance is how an invitee takes up an invitation: as the
// existing account of the invited email (UserID, whose password the caller
// checked), or as a new account (UserID 0, Name and PasswordHash set).
type InvitationAcceptance struct {
	TokenHash    string
	Now          time.Time
	UserID       int64
	Name         string
	PasswordHash string
	Lang         string
}

// AcceptMemberInvitation spends the invitation, creates the account when
// asked, adds the membership and audits the join, all in one transaction:
// a token works once even when two browsers post it at the same moment.
// A user who already belongs to the workspace keeps their role. It returns
// ErrTokenSpent for an expired, used or revoked invitation.
func (db *DB) AcceptMemberInvitation(ctx context.Context, in InvitationAcceptance) (MemberInvitation, User, error) {
	var inv MemberInvitation
	var user User
	err := db.InTx(ctx, func(tx *Tx) error {
		r, err := tx.exec(ctx, `UPDATE member_invitations SET accepted_at = ? WHERE token_hash = ? AND accepted_at IS NULL
			AND revoked_at IS NULL AND expires_at > ?`, in.Now.UnixMilli(), in.TokenHash, in.Now.UnixMilli())
		if err != nil {
			return err
		}
		if inv, err = scanMemberInvitation(tx.queryRow(ctx, `SELECT `+memberInvitationColumns+memberInvitationFrom+` WHERE i.token_hash = ?`,
			in.TokenHash)); err != nil {
			return notFound(err, "invitation")
		}
		if n, _ := r.RowsAffected(); n == 0 {
			return ErrTokenSpent
		}
		if user, err = scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, inv.Email)); err != nil &&
			!errors.Is(err, sql.ErrNoRows) {
			return err
		}
		switch {
		case err == nil && user.ID != in.UserID:
			return fmt.Errorf("%s: %w", inv.Email, ErrAccountExists)
		case err == nil && user.Disabled:
			return fmt.Errorf("the account of %s is disabled", inv.Email)
		case err != nil && in.PasswordHash == "":
			return errors.New("a new account needs a password")
		case err != nil:
			if user, err = tx.insertInvitedUser(ctx, inv.Email, in.Name, in.PasswordHash, in.Lang, in.Now); err != nil {
				return err
			}
		}
		if _, err := tx.exec(ctx, `INSERT INTO memberships (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (workspace_id, user_id) DO NOTHING`, inv.WorkspaceID, user.ID, inv.Role, in.Now.UnixMilli()); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, `UPDATE member_invitations SET accepted_by = ? WHERE id = ?`, user.ID, inv.ID); err != nil {
			return err
		}
		at := in.Now.UTC()
		inv.AcceptedAt, inv.AcceptedBy = &at, &user.ID
		actor := AuditActor{UserID: user.ID, Name: user.Email}
		return tx.audit(ctx, actor.entry(inv.WorkspaceID, "member.join", "invitation", inv.ID, map[string]any{"role": inv.Role}))
	})
	if err != nil {
		return MemberInvitation{}, User{}, fmt.Errorf("accept invitation: %w", err)
	}
	return inv, user, nil
}

// insertInvitedUser creates the account of an invitee inside tx.
func (tx *Tx) insertInvitedUser(ctx context.Context, email, name, passwordHash, lang string, now time.Time) (User, error) {
	id, err := tx.allocID(ctx, "users")
	if err != nil {
		return User{}, err
	}
	u := User{ID: id, Email: email, Name: name, PasswordHash: passwordHash, Lang: lang, CreatedAt: now.UTC().Truncate(time.Millisecond)}
	if _, err := tx.exec(ctx, `INSERT INTO users (id, email, name, password_hash, lang, disabled, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)`,
		id, email, name, passwordHash, lang, u.CreatedAt.UnixMilli()); err != nil {
		return User{}, fmt.Errorf("create user %s: %w", email, err)
	}
	return u, nil
}
