-- Accounts: inviting people into a workspace, resetting a forgotten
-- password, and who created an API key. Tokens are kept only as SHA-256
-- hashes (like sessions): a copy of the database opens no account.

CREATE TABLE member_invitations (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    email        TEXT NOT NULL,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    invited_by   BIGINT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    accepted_at  BIGINT,
    accepted_by  BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX member_invitations_workspace ON member_invitations (workspace_id, id);

-- One row per reset link sent; used_at makes each link single-use, and the
-- rows of the last hour bound how many links one account can be sent.
CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX password_resets_user ON password_resets (user_id, created_at);

ALTER TABLE api_keys ADD COLUMN created_by BIGINT;

CREATE INDEX audit_log_workspace_id ON audit_log (workspace_id, id);
