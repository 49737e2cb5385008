-- Closing the loop (issue 7): what each user wants to hear about, the
-- in-app record of what they were told (praise, digests), and optional
-- business hours per workspace that SLA clocks run on.

-- A user's notification settings in one workspace. No row means the
-- defaults: no digest, no Telegram chat.
CREATE TABLE notify_prefs (
    workspace_id     BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id          BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- off, daily or weekly
    digest           TEXT NOT NULL DEFAULT 'off',
    telegram_chat_id TEXT NOT NULL DEFAULT '',
    updated_at       BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX notify_prefs_digest ON notify_prefs (digest, workspace_id);

-- In-app notifications. dedupe_key makes a retried job or a re-evaluated
-- item a no-op ("praise:<item>:<user>", "digest:<user>:<period>:<day>").
-- Praise quotes the customer, so it goes with the item it quotes.
CREATE TABLE user_notifications (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    title        TEXT NOT NULL DEFAULT '',
    body         TEXT NOT NULL DEFAULT '',
    feedback_id  BIGINT REFERENCES feedback_items(id) ON DELETE CASCADE,
    details      TEXT NOT NULL DEFAULT '{}',
    dedupe_key   TEXT NOT NULL,
    read_at      BIGINT,
    created_at   BIGINT NOT NULL,
    UNIQUE (workspace_id, dedupe_key)
);
CREATE INDEX user_notifications_user ON user_notifications (workspace_id, user_id, id);

-- Working days and hours ({"days":[1,2,3,4,5],"start":"09:00","end":"18:00"},
-- ISO weekdays, in the workspace's time zone). No row: SLAs run on the
-- wall clock.
CREATE TABLE business_hours (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    config       TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- Case statistics read the cases created in a period.
CREATE INDEX cases_created ON cases (workspace_id, created_at);
