package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"fmt"
	"strings"
	"time"
)

// API keys as the settings page manages them: each creation and revocation
// is made by someone and lands in the audit log in the same transaction.

// APIKeyInfo is a key as the settings page lists it (never its secret).
type APIKeyInfo struct {
	APIKey
	CreatedByEmail string     // "" when made outside the UI (demo seed, tests)
	LastUsedAt     *time.Time // when stored by the API; nil otherwise
	// CreatorRole is the role the key acts with: its creator's current role
	// in the workspace, "" when the creator left, RoleOwner for keys made
	// outside the UI (see APIKeyAccess).
	CreatorRole string
}

// maxAPIKeyName bounds a key's label.
const maxAPIKeyName = 100

// CreateAPIKeyAudited makes a new key of the workspace, remembering who made
// it, and returns the secret, which is shown once and never stored.
func (db *DB) CreateAPIKeyAudited(ctx context.Context, workspaceID int64, name string, now time.Time, actor AuditActor) (APIKey, string, error) {
	name = strings.TrimSpace(name)
	if name == "" || len([]rune(name)) > maxAPIKeyName {
		return APIKey{}, "", fmt.Errorf("create api key: the name must have 1 to %d characters", maxAPIKeyName)
	}
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return APIKey{}, "", fmt.Errorf("create api key: %w", err)
	}
	secret := "vox_" + base64.RawURLEncoding.EncodeToString(buf)
	k := APIKey{WorkspaceID: workspaceID, Name: name, Prefix: secret[:12], CreatedAt: now.UTC().Truncate(time.Millisecond)}
	err := db.InTx(ctx, func(tx *Tx) error {
		id, err := tx.allocID(ctx, "api_keys")
		if err != nil {
			return err
		}
		k.ID = id
		var by any
		if actor.UserID > 0 {
			by = actor.UserID
		}
		if _, err := tx.exec(ctx, `INSERT INTO api_keys (id, workspace_id, name, prefix, hash, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, workspaceID, name, k.Prefix, HashAPIKey(secret), k.CreatedAt.UnixMilli(), by); err != nil {
			return err
		}
		return tx.audit(ctx, actor.entry(workspaceID, "apikey.create", "api_key", id, map[string]any{"name": name, "prefix": k.Prefix}))
	})
	if err != nil {
		return APIKey{}, "", fmt.Errorf("create api key: %w", err)
	}
	return k, secret, nil
}

// APIKeyInfos lists the workspace's keys, live ones first, newest first.
func (db *DB) APIKeyInfos(ctx context.Context, workspaceID int64) ([]APIKeyInfo, error) {
	rows, err := db.query(ctx, `SELECT k.id, k.workspace_id, k.name, k.prefix, k.created_at, k.revoked_at, k.last_used_at, COALESCE(u.email, ''),
			CASE WHEN k.created_by IS NULL THEN ? ELSE COALESCE(m.role, '') END
		FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
		LEFT JOIN memberships m ON m.workspace_id = k.workspace_id AND m.user_id = k.created_by
		WHERE k.workspace_id = ? ORDER BY CASE WHEN k.revoked_at IS NULL THEN 0 ELSE 1 END, k.id DESC`, RoleOwner, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var out []APIKeyInfo
	for rows.Next() {
		var k APIKeyInfo
		var created int64
		var revoked, used sql.NullInt64
		if err := rows.Scan(&k.ID, &k.WorkspaceID, &k.Name, &k.Prefix, &created, &revoked, &used, &k.CreatedByEmail, &k.CreatorRole); err != nil {
			return nil, fmt.Errorf("list api keys: %w", err)
		}
		k.CreatedAt, k.RevokedAt, k.LastUsedAt = fromMillis(created), nullTime(revoked), nullTime(used)
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKeyAudited disables a live key of the workspace (ErrNotFound
// for another workspace's key or one already revoked).
func (db *DB) RevokeAPIKeyAudited(ctx context.Context, workspaceID, id int64, now time.Time, actor AuditActor) error {
	err := db.InTx(ctx, func(tx *Tx) error {
		var name, prefix string
		if err := tx.queryRow(ctx, `SELECT name, prefix FROM api_keys WHERE workspace_id = ? AND id = ? AND revoked_at IS NULL`,
			workspaceID, id).Scan(&name, &prefix); err != nil {
			return notFound(err, "api key")
		}
		if _, err := tx.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE workspace_id = ? AND id = ?`,
			now.UnixMilli(), workspaceID, id); err != nil {
			return err
		}
		return tx.audit(ctx, actor.entry(workspaceID, "apikey.revoke", "api_key", id, map[string]any{"name": name, "prefix": prefix}))
	})
	if err != nil {
		return fmt.Errorf("revoke api key %d: %w", id, err)
	}
	return nil
}
