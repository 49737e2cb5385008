package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"time"
)

// APIKey is a workspace's credential for the REST API. Only a SHA-256 of the
// secret is stored: keys are 256-bit random, so a fast hash is enough and
// lets every request be authenticated with one indexed lookup.
type APIKey struct {
	ID          int64      `json:"id"`
	WorkspaceID int64      `json:"workspace_id"`
	Name        string     `json:"name"`
	Prefix      string     `json:"prefix"`
	CreatedAt   time.Time  `json:"created_at"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// HashAPIKey returns the stored form of a key.
func HashAPIKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// CreateAPIKey makes a new key for a workspace and returns it with its
// secret, which is shown once and never stored.
func (db *DB) CreateAPIKey(ctx context.Context, workspaceID int64, name string) (APIKey, string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return APIKey{}, "", err
	}
	secret := "vox_" + base64.RawURLEncoding.EncodeToString(buf)
	k := APIKey{WorkspaceID: workspaceID, Name: name, Prefix: secret[:12], CreatedAt: time.Now().UTC().Truncate(time.Millisecond)}
	err := db.InTx(ctx, func(tx *Tx) error {
		id, err := tx.allocID(ctx, "api_keys")
		if err != nil {
			return err
		}
		k.ID = id
		_, err = tx.exec(ctx, `INSERT INTO api_keys (id, workspace_id, name, prefix, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			id, workspaceID, name, k.Prefix, HashAPIKey(secret), k.CreatedAt.UnixMilli())
		return err
	})
	if err != nil {
		return APIKey{}, "", fmt.Errorf("create api key: %w", err)
	}
	return k, secret, nil
}

// apiKeyUseResolution is how stale a key's "last used" time may get before a
// request writes it again: recording every request would add a write to each
// API call (ingest batches included) for a figure people read in minutes.
const apiKeyUseResolution = time.Minute

// WorkspaceForAPIKey authenticates a key, returning its workspace id (see
// APIKeyAccess, which also says with which role the key acts).
func (db *DB) WorkspaceForAPIKey(ctx context.Context, secret string) (int64, error) {
	a, err := db.APIKeyAccess(ctx, secret)
	return a.WorkspaceID, err
}

// APIKeyGrant is what an authenticated key may do: its workspace and the
// role it acts with — its creator's current role in that workspace (""
// when the creator is no longer a member). Keys made without a user (the
// demo, the CLI) act as owner.
type APIKeyGrant struct {
	WorkspaceID int64
	Role        string
}

// APIKeyAccess authenticates a key and records when it was last used (to
// the minute) so that the settings page can show which keys are still
// alive before someone revokes one.
func (db *DB) APIKeyAccess(ctx context.Context, secret string) (APIKeyGrant, error) {
	var id int64
	var g APIKeyGrant
	var used, creator sql.NullInt64
	var role sql.NullString
	err := db.queryRow(ctx, `SELECT k.id, k.workspace_id, k.last_used_at, k.created_by, m.role FROM api_keys k
		LEFT JOIN memberships m ON m.workspace_id = k.workspace_id AND m.user_id = k.created_by
		WHERE k.hash = ? AND k.revoked_at IS NULL`, HashAPIKey(secret)).Scan(&id, &g.WorkspaceID, &used, &creator, &role)
	if err != nil {
		return APIKeyGrant{}, notFound(err, "api key")
	}
	switch {
	case !creator.Valid:
		g.Role = RoleOwner
	case role.Valid:
		g.Role = role.String
	}
	now := time.Now().UnixMilli()
	if stale := now - apiKeyUseResolution.Milliseconds(); !used.Valid || used.Int64 < stale {
		// The guard in WHERE keeps concurrent requests of one key (and
		// replicas) from all writing in the same minute.
		if _, err := db.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`,
			now, id, stale); err != nil {
			return APIKeyGrant{}, fmt.Errorf("record api key use: %w", err)
		}
	}
	return g, nil
}

// APIKeys lists a workspace's keys (without secrets).
func (db *DB) APIKeys(ctx context.Context, workspaceID int64) ([]APIKey, error) {
	rows, err := db.query(ctx, `SELECT id, workspace_id, name, prefix, created_at, revoked_at FROM api_keys
		WHERE workspace_id = ? ORDER BY id`, workspaceID)
	if err != nil {
		return nil, fmt.Errorf("list api keys: %w", err)
	}
	defer rows.Close()
	var out []APIKey
	for rows.Next() {
		var k APIKey
		var created int64
		var revoked *int64
		if err := rows.Scan(&k.ID, &k.WorkspaceID, &k.Name, &k.Prefix, &created, &revoked); err != nil {
			return nil, err
		}
		k.CreatedAt = fromMillis(created)
		if revoked != nil {
			t := fromMillis(*revoked)
			k.RevokedAt = &t
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey disables a key of the workspace.
func (db *DB) RevokeAPIKey(ctx context.Context, workspaceID, id int64) error {
	res, err := db.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE workspace_id = ? AND id = ? AND revoked_at IS NULL`,
		time.Now().UnixMilli(), workspaceID, id)
	if err != nil {
		return fmt.Errorf("revoke api key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("revoke api key: %w", ErrNotFound)
	}
	return nil
}
