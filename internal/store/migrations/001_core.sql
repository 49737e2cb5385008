-- Core model: tenants, people, customers with identities, feedback.
-- Times are unix milliseconds; JSON is TEXT. {{serial}} is the engine's
-- auto-increment primary key (ids are allocated by the store, see ids.go).

CREATE TABLE workspaces (
    id          {{serial}},
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    timezone    TEXT NOT NULL DEFAULT 'UTC',
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id            {{serial}},
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL DEFAULT '',
    password_hash TEXT NOT NULL DEFAULT '',
    lang          TEXT NOT NULL DEFAULT '',
    disabled      INTEGER NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);

CREATE TABLE memberships (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE api_keys (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    hash         TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_workspace ON api_keys (workspace_id);

CREATE TABLE sessions (
    token_hash   TEXT PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    csrf_token   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE employees (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    external_id  TEXT NOT NULL,
    name         TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    team         TEXT NOT NULL DEFAULT '',
    region       TEXT NOT NULL DEFAULT '',
    manager_id   BIGINT,
    user_id      BIGINT,
    created_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, external_id)
);

CREATE TABLE customers (
    id               {{serial}},
    workspace_id     BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name             TEXT NOT NULL DEFAULT '',
    segment          TEXT NOT NULL DEFAULT '',
    region           TEXT NOT NULL DEFAULT '',
    lang             TEXT NOT NULL DEFAULT '',
    timezone         TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'active',
    annual_revenue   DOUBLE PRECISION NOT NULL DEFAULT 0,
    account_owner_id BIGINT,
    attributes       TEXT NOT NULL DEFAULT '{}',
    merged_into_id   BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX customers_workspace ON customers (workspace_id, id);

-- One identity belongs to exactly one customer of a workspace: this is what
-- makes feedback from any channel land on the same profile.
CREATE TABLE customer_identities (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    value        TEXT NOT NULL,
    customer_id  BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, kind, value)
);
CREATE INDEX customer_identities_customer ON customer_identities (customer_id);

CREATE TABLE feedback_items (
    id              {{serial}},
    workspace_id    BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    customer_id     BIGINT REFERENCES customers(id) ON DELETE SET NULL,
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL,
    source          TEXT NOT NULL DEFAULT '',
    author          TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL DEFAULT '',
    text            TEXT NOT NULL DEFAULT '',
    search_text     TEXT NOT NULL DEFAULT '',
    lang            TEXT NOT NULL DEFAULT '',
    sentiment_label TEXT NOT NULL DEFAULT '',
    sentiment_score DOUBLE PRECISION,
    topics          TEXT NOT NULL DEFAULT '[]',
    aspects         TEXT NOT NULL DEFAULT '[]',
    tags            TEXT NOT NULL DEFAULT '[]',
    nps             INTEGER,
    csat            INTEGER,
    csat_scale      INTEGER,
    ces             INTEGER,
    touchpoint      TEXT NOT NULL DEFAULT '',
    stage           TEXT NOT NULL DEFAULT '',
    region          TEXT NOT NULL DEFAULT '',
    segment         TEXT NOT NULL DEFAULT '',
    employee_id     BIGINT REFERENCES employees(id) ON DELETE SET NULL,
    survey_id       BIGINT,
    occurred_at     BIGINT NOT NULL,
    received_at     BIGINT NOT NULL,
    external_id     TEXT,
    metadata        TEXT NOT NULL DEFAULT '{}',
    UNIQUE (workspace_id, external_id)
);
CREATE INDEX feedback_items_time ON feedback_items (workspace_id, occurred_at, id);
CREATE INDEX feedback_items_customer ON feedback_items (workspace_id, customer_id, occurred_at);

-- A batch sent with an Idempotency-Key stores its response here, in the same
-- transaction as the items, so a retry returns the first result.
CREATE TABLE idempotency_keys (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

CREATE TABLE audit_log (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id      BIGINT,
    actor        TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL DEFAULT '',
    object_id    BIGINT,
    details      TEXT NOT NULL DEFAULT '{}',
    created_at   BIGINT NOT NULL
);
CREATE INDEX audit_log_workspace ON audit_log (workspace_id, created_at);
