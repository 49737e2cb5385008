-- Churn-risk model per workspace and the risk it gave each customer.
-- The model itself is opaque JSON owned by internal/business; scores are kept
-- so that risk lists and revenue at risk are reads, not a re-computation of
-- features over the workspace's whole history on every request.

CREATE TABLE churn_models (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    trained_at   BIGINT NOT NULL,
    model        TEXT NOT NULL
);

-- Customers' rows go with the customer (ON DELETE CASCADE), so erasing a
-- person also erases their score.
CREATE TABLE churn_scores (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    customer_id  BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    risk         DOUBLE PRECISION NOT NULL,
    factors      TEXT NOT NULL DEFAULT '[]',
    scored_at    BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, customer_id)
);
CREATE INDEX churn_scores_risk ON churn_scores (workspace_id, risk);
