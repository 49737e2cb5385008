package store

import (
	"context"
	"database/sql"
)

// APIKeyRole returns the role an API key acts with: the current role in the
// key's workspace of the user who created it, so that a key made by an admin
// who was later demoted to viewer loses what only admins may do. A key made
// outside the UI (vox demo, tests: no creator) acts for the operator, as
// owner. A creator no longer in the workspace gives "" (no role).
func (db *DB) APIKeyRole(ctx context.Context, workspaceID int64, secret string) (string, error) {
	var creator sql.NullInt64
	var role sql.NullString
	err := db.queryRow(ctx, `SELECT k.created_by, m.role FROM api_keys k
		LEFT JOIN memberships m ON m.workspace_id = k.workspace_id AND m.user_id = k.created_by
		WHERE k.hash = ? AND k.workspace_id = ? AND k.revoked_at IS NULL`, HashAPIKey(secret), workspaceID).Scan(&creator, &role)
	if err != nil {
		return "", notFound(err, "api key role")
	}
	if !creator.Valid {
		return RoleOwner, nil
	}
	if !role.Valid {
		return "", nil
	}
	return role.String, nil
}
