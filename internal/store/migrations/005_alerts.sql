-- Acting on feedback: rules, the alerts they raise, cases with an SLA, and
-- webhook endpoints. Deliveries themselves are jobs (003_jobs.sql).

CREATE TABLE alert_rules (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    enabled      INTEGER NOT NULL DEFAULT 1,
    match_mode   TEXT NOT NULL DEFAULT 'all',
    conditions   TEXT NOT NULL DEFAULT '[]',
    actions      TEXT NOT NULL DEFAULT '[]',
    -- round-robin position for "owner: round robin in a team"
    rr_cursor    BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX alert_rules_workspace ON alert_rules (workspace_id, id);

-- One row per rule firing or detected spike; dedupe_key makes a retried
-- evaluation or a spike seen again in the same window a no-op.
CREATE TABLE alerts (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    rule_id      BIGINT,
    feedback_id  BIGINT,
    case_id      BIGINT,
    title        TEXT NOT NULL DEFAULT '',
    details      TEXT NOT NULL DEFAULT '{}',
    dedupe_key   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, dedupe_key)
);
CREATE INDEX alerts_workspace ON alerts (workspace_id, id);

CREATE TABLE cases (
    id                {{serial}},
    workspace_id      BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    feedback_id       BIGINT,
    customer_id       BIGINT,
    rule_id           BIGINT,
    owner_employee_id BIGINT,
    team              TEXT NOT NULL DEFAULT '',
    title             TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL DEFAULT 'open',
    sla_minutes       BIGINT NOT NULL,
    due_at            BIGINT NOT NULL,
    first_action_at   BIGINT,
    resolved_at       BIGINT,
    escalation_level  INTEGER NOT NULL DEFAULT 0,
    -- bumped on reopen so escalation jobs of an earlier round are ignored
    sla_round         INTEGER NOT NULL DEFAULT 0,
    root_cause        TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    UNIQUE (workspace_id, feedback_id)
);
CREATE INDEX cases_status ON cases (workspace_id, status, due_at);
CREATE INDEX cases_owner ON cases (workspace_id, owner_employee_id, status);

-- The case's history: notes, status changes, escalations, replies sent.
CREATE TABLE case_events (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    case_id      BIGINT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    actor        TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    details      TEXT NOT NULL DEFAULT '{}',
    created_at   BIGINT NOT NULL
);
CREATE INDEX case_events_case ON case_events (workspace_id, case_id, id);

CREATE TABLE webhook_endpoints (
    id                {{serial}},
    workspace_id      BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    url               TEXT NOT NULL,
    events            TEXT NOT NULL DEFAULT '[]',
    secret            TEXT NOT NULL,
    -- during rotation the previous secret also signs, until prev_secret_until
    prev_secret       TEXT NOT NULL DEFAULT '',
    prev_secret_until BIGINT,
    disabled          INTEGER NOT NULL DEFAULT 0,
    disabled_reason   TEXT NOT NULL DEFAULT '',
    failing_since     BIGINT,
    last_success_at   BIGINT,
    last_failure_at   BIGINT,
    last_status       INTEGER NOT NULL DEFAULT 0,
    last_error        TEXT NOT NULL DEFAULT '',
    successes         BIGINT NOT NULL DEFAULT 0,
    failures          BIGINT NOT NULL DEFAULT 0,
    created_at        BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_workspace ON webhook_endpoints (workspace_id, id);
