-- Durable jobs (transactional outbox): notifications, webhook deliveries,
-- survey sends. A job is enqueued in the same transaction as the data that
-- caused it, claimed with a lease, and retried with backoff until it
-- succeeds or is declared dead (visible, manually retryable).

CREATE TABLE jobs (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    payload      TEXT NOT NULL DEFAULT '{}',
    dedupe_key   TEXT,
    status       TEXT NOT NULL DEFAULT 'pending',
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 10,
    run_at       BIGINT NOT NULL,
    locked_until BIGINT,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    finished_at  BIGINT,
    UNIQUE (workspace_id, kind, dedupe_key)
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_workspace ON jobs (workspace_id, status, id);
