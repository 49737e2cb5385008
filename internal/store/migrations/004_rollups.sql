-- Rollups: per workspace × local day × slice counts, maintained in the same
-- transaction as every feedback insert (rollups.go explains the design), and
-- the per-workspace journey configuration.
--
-- day is the local calendar date in the workspace's time zone, as days since
-- 1970-01-01. Counter columns are identical in the three rollup tables:
-- items; NPS promoters/passives/detractors; CSAT answers per score on the
-- 5-point (csat5_s) and 10-point (csat10_s) scales; CES answers per score 1-7;
-- sentiment label counts. Every counter counts items, so items = 0 means the
-- row is empty (used to prune rows after a subtraction).
-- employee_id and survey_id are 0 when the item has none (NULL would break
-- the uniqueness that the upsert relies on).

-- One row per day × single dimension value (dim is kind, channel, region,
-- segment, touchpoint, stage, lang, employee, survey or topic). Small: the
-- unfiltered "by X" queries of a dashboard read only this.
CREATE TABLE rollup_slices (
    workspace_id       BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    dim                TEXT NOT NULL,
    day                INTEGER NOT NULL,
    val                TEXT NOT NULL,
    items              BIGINT NOT NULL DEFAULT 0,
    nps_promoters      BIGINT NOT NULL DEFAULT 0,
    nps_passives       BIGINT NOT NULL DEFAULT 0,
    nps_detractors     BIGINT NOT NULL DEFAULT 0,
    csat5_1            BIGINT NOT NULL DEFAULT 0,
    csat5_2            BIGINT NOT NULL DEFAULT 0,
    csat5_3            BIGINT NOT NULL DEFAULT 0,
    csat5_4            BIGINT NOT NULL DEFAULT 0,
    csat5_5            BIGINT NOT NULL DEFAULT 0,
    csat10_1           BIGINT NOT NULL DEFAULT 0,
    csat10_2           BIGINT NOT NULL DEFAULT 0,
    csat10_3           BIGINT NOT NULL DEFAULT 0,
    csat10_4           BIGINT NOT NULL DEFAULT 0,
    csat10_5           BIGINT NOT NULL DEFAULT 0,
    csat10_6           BIGINT NOT NULL DEFAULT 0,
    csat10_7           BIGINT NOT NULL DEFAULT 0,
    csat10_8           BIGINT NOT NULL DEFAULT 0,
    csat10_9           BIGINT NOT NULL DEFAULT 0,
    csat10_10          BIGINT NOT NULL DEFAULT 0,
    ces_1              BIGINT NOT NULL DEFAULT 0,
    ces_2              BIGINT NOT NULL DEFAULT 0,
    ces_3              BIGINT NOT NULL DEFAULT 0,
    ces_4              BIGINT NOT NULL DEFAULT 0,
    ces_5              BIGINT NOT NULL DEFAULT 0,
    ces_6              BIGINT NOT NULL DEFAULT 0,
    ces_7              BIGINT NOT NULL DEFAULT 0,
    sentiment_positive BIGINT NOT NULL DEFAULT 0,
    sentiment_neutral  BIGINT NOT NULL DEFAULT 0,
    sentiment_negative BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, dim, day, val)
);

-- One row per day × combination of every single-valued dimension: answers
-- filtered queries and any two dimensions at once.
CREATE TABLE rollup_cube (
    workspace_id       BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    day                INTEGER NOT NULL,
    kind               TEXT NOT NULL,
    channel            TEXT NOT NULL,
    region             TEXT NOT NULL,
    segment            TEXT NOT NULL,
    touchpoint         TEXT NOT NULL,
    stage              TEXT NOT NULL,
    lang               TEXT NOT NULL,
    employee_id        BIGINT NOT NULL,
    survey_id          BIGINT NOT NULL,
    items              BIGINT NOT NULL DEFAULT 0,
    nps_promoters      BIGINT NOT NULL DEFAULT 0,
    nps_passives       BIGINT NOT NULL DEFAULT 0,
    nps_detractors     BIGINT NOT NULL DEFAULT 0,
    csat5_1            BIGINT NOT NULL DEFAULT 0,
    csat5_2            BIGINT NOT NULL DEFAULT 0,
    csat5_3            BIGINT NOT NULL DEFAULT 0,
    csat5_4            BIGINT NOT NULL DEFAULT 0,
    csat5_5            BIGINT NOT NULL DEFAULT 0,
    csat10_1           BIGINT NOT NULL DEFAULT 0,
    csat10_2           BIGINT NOT NULL DEFAULT 0,
    csat10_3           BIGINT NOT NULL DEFAULT 0,
    csat10_4           BIGINT NOT NULL DEFAULT 0,
    csat10_5           BIGINT NOT NULL DEFAULT 0,
    csat10_6           BIGINT NOT NULL DEFAULT 0,
    csat10_7           BIGINT NOT NULL DEFAULT 0,
    csat10_8           BIGINT NOT NULL DEFAULT 0,
    csat10_9           BIGINT NOT NULL DEFAULT 0,
    csat10_10          BIGINT NOT NULL DEFAULT 0,
    ces_1              BIGINT NOT NULL DEFAULT 0,
    ces_2              BIGINT NOT NULL DEFAULT 0,
    ces_3              BIGINT NOT NULL DEFAULT 0,
    ces_4              BIGINT NOT NULL DEFAULT 0,
    ces_5              BIGINT NOT NULL DEFAULT 0,
    ces_6              BIGINT NOT NULL DEFAULT 0,
    ces_7              BIGINT NOT NULL DEFAULT 0,
    sentiment_positive BIGINT NOT NULL DEFAULT 0,
    sentiment_neutral  BIGINT NOT NULL DEFAULT 0,
    sentiment_negative BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, day, kind, channel, region, segment, touchpoint, stage, lang, employee_id, survey_id)
);

-- The cube once more per topic an item mentions (topics are multi-valued, so
-- they cannot be a column of rollup_cube without double counting its totals).
CREATE TABLE rollup_topic_cube (
    workspace_id       BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    day                INTEGER NOT NULL,
    topic              TEXT NOT NULL,
    kind               TEXT NOT NULL,
    channel            TEXT NOT NULL,
    region             TEXT NOT NULL,
    segment            TEXT NOT NULL,
    touchpoint         TEXT NOT NULL,
    stage              TEXT NOT NULL,
    lang               TEXT NOT NULL,
    employee_id        BIGINT NOT NULL,
    survey_id          BIGINT NOT NULL,
    items              BIGINT NOT NULL DEFAULT 0,
    nps_promoters      BIGINT NOT NULL DEFAULT 0,
    nps_passives       BIGINT NOT NULL DEFAULT 0,
    nps_detractors     BIGINT NOT NULL DEFAULT 0,
    csat5_1            BIGINT NOT NULL DEFAULT 0,
    csat5_2            BIGINT NOT NULL DEFAULT 0,
    csat5_3            BIGINT NOT NULL DEFAULT 0,
    csat5_4            BIGINT NOT NULL DEFAULT 0,
    csat5_5            BIGINT NOT NULL DEFAULT 0,
    csat10_1           BIGINT NOT NULL DEFAULT 0,
    csat10_2           BIGINT NOT NULL DEFAULT 0,
    csat10_3           BIGINT NOT NULL DEFAULT 0,
    csat10_4           BIGINT NOT NULL DEFAULT 0,
    csat10_5           BIGINT NOT NULL DEFAULT 0,
    csat10_6           BIGINT NOT NULL DEFAULT 0,
    csat10_7           BIGINT NOT NULL DEFAULT 0,
    csat10_8           BIGINT NOT NULL DEFAULT 0,
    csat10_9           BIGINT NOT NULL DEFAULT 0,
    csat10_10          BIGINT NOT NULL DEFAULT 0,
    ces_1              BIGINT NOT NULL DEFAULT 0,
    ces_2              BIGINT NOT NULL DEFAULT 0,
    ces_3              BIGINT NOT NULL DEFAULT 0,
    ces_4              BIGINT NOT NULL DEFAULT 0,
    ces_5              BIGINT NOT NULL DEFAULT 0,
    ces_6              BIGINT NOT NULL DEFAULT 0,
    ces_7              BIGINT NOT NULL DEFAULT 0,
    sentiment_positive BIGINT NOT NULL DEFAULT 0,
    sentiment_neutral  BIGINT NOT NULL DEFAULT 0,
    sentiment_negative BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, day, topic, kind, channel, region, segment, touchpoint, stage, lang, employee_id, survey_id)
);

-- A workspace's journey stages and touchpoints as JSON (journey.go); no row
-- means the defaults.
CREATE TABLE journey_configs (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    config       TEXT NOT NULL,
    updated_at   BIGINT NOT NULL
);
