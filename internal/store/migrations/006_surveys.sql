-- Surveys, invitations and responses (issue 6). A survey's questions live in
-- survey_versions so that editing a live survey never changes the questions
-- an invitation or a stored response refers to.

CREATE TABLE surveys (
    id           {{serial}},
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'live',
    touchpoint   TEXT NOT NULL DEFAULT '',
    stage        TEXT NOT NULL DEFAULT '',
    version      INTEGER NOT NULL DEFAULT 1,
    settings     TEXT NOT NULL DEFAULT '{}',
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX surveys_workspace ON surveys (workspace_id, id);

CREATE TABLE survey_versions (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    survey_id    BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    version      INTEGER NOT NULL,
    definition   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (survey_id, version)
);

-- One invitation is one chance for one customer to answer once, on one
-- channel. dedupe_key makes distribution idempotent (an event or a CSV row
-- sent twice creates one invitation).
CREATE TABLE survey_invitations (
    id               {{serial}},
    workspace_id     BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    survey_id        BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    survey_version   INTEGER NOT NULL,
    customer_id      BIGINT REFERENCES customers(id) ON DELETE SET NULL,
    channel          TEXT NOT NULL,
    address          TEXT NOT NULL DEFAULT '',
    lang             TEXT NOT NULL DEFAULT '',
    wave             TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL DEFAULT 'pending',
    dedupe_key       TEXT,
    provider_id      TEXT NOT NULL DEFAULT '',
    last_error       TEXT NOT NULL DEFAULT '',
    reminders_sent   INTEGER NOT NULL DEFAULT 0,
    send_at          BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL,
    sent_at          BIGINT,
    delivered_at     BIGINT,
    opened_at        BIGINT,
    answered_at      BIGINT,
    failed_at        BIGINT,
    created_at       BIGINT NOT NULL,
    UNIQUE (workspace_id, survey_id, dedupe_key)
);
CREATE INDEX survey_invitations_survey ON survey_invitations (workspace_id, survey_id, id);
CREATE INDEX survey_invitations_contact ON survey_invitations (workspace_id, customer_id, sent_at);
CREATE INDEX survey_invitations_address ON survey_invitations (workspace_id, channel, address, id);

-- invitation_id is UNIQUE: with the insert-or-nothing write in the same
-- transaction as the feedback item, this is what makes an invitation count
-- once however many times it is submitted. Anonymous answers (link, widget)
-- have no invitation; NULLs do not collide on either engine.
CREATE TABLE survey_responses (
    id               {{serial}},
    workspace_id     BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    survey_id        BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    survey_version   INTEGER NOT NULL,
    invitation_id    BIGINT UNIQUE REFERENCES survey_invitations(id) ON DELETE SET NULL,
    customer_id      BIGINT,
    feedback_item_id BIGINT NOT NULL,
    channel          TEXT NOT NULL,
    lang             TEXT NOT NULL DEFAULT '',
    answers          TEXT NOT NULL DEFAULT '{}',
    created_at       BIGINT NOT NULL
);
CREATE INDEX survey_responses_survey ON survey_responses (workspace_id, survey_id, id);

-- Partial answers of a multi-step survey, kept until the last step.
CREATE TABLE survey_drafts (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    draft_key    TEXT NOT NULL,
    survey_id    BIGINT NOT NULL,
    answers      TEXT NOT NULL DEFAULT '{}',
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, draft_key)
);

-- A customer who opted out is never invited again, on any channel.
CREATE TABLE survey_optouts (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    customer_id  BIGINT NOT NULL,
    channel      TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, customer_id)
);

-- Per-workspace collection settings (quiet hours, throttling, channel
-- credentials, brand keywords) as JSON.
CREATE TABLE survey_settings (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    settings     TEXT NOT NULL DEFAULT '{}',
    updated_at   BIGINT NOT NULL
);

-- Embeddable widgets: a public site key names the workspace and survey and
-- the origins allowed to post.
CREATE TABLE survey_widgets (
    site_key        TEXT PRIMARY KEY,
    workspace_id    BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    survey_id       BIGINT NOT NULL REFERENCES surveys(id) ON DELETE CASCADE,
    allowed_origins TEXT NOT NULL DEFAULT '[]',
    created_at      BIGINT NOT NULL
);
CREATE INDEX survey_widgets_workspace ON survey_widgets (workspace_id);
