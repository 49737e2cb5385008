-- A send to a segment of customers runs in the background (job
-- survey.segment), walking the segment a page at a time. This row is the
-- send and its progress: the survey page and the API show it. One row per
-- survey, wave, channel, segment and region: asking again for the same wave
-- finds the same send instead of starting another.
CREATE TABLE segment_sends (
    id            {{serial}},
    workspace_id  BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    survey_id     BIGINT NOT NULL,
    channel       TEXT NOT NULL,
    segment       TEXT NOT NULL,
    region        TEXT NOT NULL DEFAULT '',
    wave          TEXT NOT NULL DEFAULT '',
    delay_seconds INTEGER NOT NULL DEFAULT 0,
    status        TEXT NOT NULL DEFAULT 'queued',
    after_id      BIGINT NOT NULL DEFAULT 0,
    matched       INTEGER NOT NULL DEFAULT 0,
    queued        INTEGER NOT NULL DEFAULT 0,
    duplicates    INTEGER NOT NULL DEFAULT 0,
    opted_out     INTEGER NOT NULL DEFAULT 0,
    throttled     INTEGER NOT NULL DEFAULT 0,
    no_address    INTEGER NOT NULL DEFAULT 0,
    invalid       INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (workspace_id, survey_id, wave, channel, segment, region)
);
CREATE INDEX segment_sends_survey ON segment_sends (workspace_id, survey_id, id);
