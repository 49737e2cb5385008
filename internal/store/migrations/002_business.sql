-- Business linkage: what customers pay and when they leave.

CREATE TABLE transactions (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    customer_id  BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    amount       DOUBLE PRECISION NOT NULL,
    currency     TEXT NOT NULL,
    occurred_at  BIGINT NOT NULL,
    external_id  TEXT,
    UNIQUE (workspace_id, external_id)
);
CREATE INDEX transactions_customer ON transactions (workspace_id, customer_id, occurred_at);
CREATE INDEX transactions_time ON transactions (workspace_id, occurred_at);

CREATE TABLE churn_events (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    customer_id  BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    occurred_at  BIGINT NOT NULL,
    reason       TEXT NOT NULL DEFAULT ''
);
CREATE INDEX churn_events_time ON churn_events (workspace_id, occurred_at);
CREATE INDEX churn_events_customer ON churn_events (workspace_id, customer_id);
