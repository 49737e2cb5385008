-- Two exact summaries that keep the overview off full scans at 1M items.
--
-- customer_counts: the number of a workspace's customers that are not merged
-- away, kept by every transaction that creates, merges or deletes customers
-- (customers_count.go). The overview's "Customers" card read COUNT(*) over
-- every customer row (~80 ms at 1M); this is one row.
CREATE TABLE customer_counts (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    customers    BIGINT NOT NULL DEFAULT 0
);
INSERT INTO customer_counts (workspace_id, customers)
    SELECT workspace_id, COUNT(*) FROM customers WHERE merged_into_id IS NULL GROUP BY workspace_id;

-- rollup_nps_topics: NPS answers per workspace × local day × stage ×
-- touchpoint × outcome (1 promoter, 0 passive, -1 detractor) × the answer's
-- topic set (its distinct topics, sorted, as a JSON array). Key drivers and
-- pain points need each answer's topic set, which the other rollups cannot
-- give; answers with the same set and outcome are interchangeable in the
-- regression, so these counts give exactly what the raw answers give. Kept
-- like the other rollups (rollups.go); items counts answers, so the same
-- pruning of empty rows applies. Filled for existing items by the Go step
-- of this migration (migrate.go).
CREATE TABLE rollup_nps_topics (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    day          INTEGER NOT NULL,
    stage        TEXT NOT NULL,
    touchpoint   TEXT NOT NULL,
    outcome      INTEGER NOT NULL,
    topics       TEXT NOT NULL,
    items        BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (workspace_id, day, stage, touchpoint, outcome, topics)
);

-- rollup_kind_slices: rollup_slices once more per item kind. The mentions
-- page and the overview's mentions card ask "mentions by channel", "mentions
-- of one channel by day": with a kind filter rollup_slices cannot answer and
-- rollup_cube holds about a row per item, so each such question scanned the
-- whole cube of the period (~50 ms at 200k items, several per page). Here
-- it reads a row per day and value. dim is any of rollup_slices' but kind
-- (the kind is a column). Same counters as the other rollups; filled from
-- the cubes, which hold exactly the same items.
CREATE TABLE rollup_kind_slices (
    workspace_id       BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    kind               TEXT NOT NULL,
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
    PRIMARY KEY (workspace_id, kind, dim, day, val)
);
INSERT INTO rollup_kind_slices (workspace_id, kind, dim, day, val, items, nps_promoters, nps_passives, nps_detractors, csat5_1, csat5_2, csat5_3, csat5_4, csat5_5, csat10_1, csat10_2, csat10_3, csat10_4, csat10_5, csat10_6, csat10_7, csat10_8, csat10_9, csat10_10, ces_1, ces_2, ces_3, ces_4, ces_5, ces_6, ces_7, sentiment_positive, sentiment_neutral, sentiment_negative)
    SELECT workspace_id, kind, 'channel', day, channel, SUM(items), SUM(nps_promoters), SUM(nps_passives), SUM(nps_detractors), SUM(csat5_1), SUM(csat5_2), SUM(csat5_3), SUM(csat5_4), SUM(csat5_5), SUM(csat10_1), SUM(csat10_2), SUM(csat10_3), SUM(csat10_4), SUM(csat10_5), SUM(csat10_6), SUM(csat10_7), SUM(csat10_8), SUM(csat10_9), SUM(csat10_10), SUM(ces_1), SUM(ces_2), SUM(ces_3), SUM(ces_4), SUM(ces_5), SUM(ces_6), SUM(ces_7), SUM(sentiment_positive), SUM(sentiment_neutral), SUM(sentiment_negative)
    FROM rollup_cube GROUP BY workspace_id, kind, day, channel;

INSERT INTO rollup_kind_slices (workspace_id, kind, dim, day, val, items, nps_promoters, nps_passives, nps_detractors, csat5_1, csat5_2, csat5_3, csat5_4, csat5_5, csat10_1, csat10_2, csat10_3, csat10_4, csat10_5, csat10_6, csat10_7, csat10_8, csat10_9, csat10_10, ces_1, ces_2, ces_3, ces_4, ces_5, ces_6, ces_7, sentiment_positive, sentiment_neutral, sentiment_negative)
    SELECT workspace_id, kind, 'region', day, region, SUM(items), SUM(nps_promoters), SUM(nps_passives), SUM(nps_detractors), SUM(csat5_1), SUM(csat5_2), SUM(csat5_3), SUM(csat5_4), SUM(csat5_5), SUM(csat10_1), SUM(csat10_2), SUM(csat10_3), SUM(csat10_4), SUM(csat10_5), SUM(csat10_6), SUM(csat10_7), SUM(csat10_8), SUM(csat10_9), SUM(csat10_10), SUM(ces_1), SUM(ces_2), SUM(ces_3), SUM(ces_4), SUM(ces_5), SUM(ces_6), SUM(ces_7), SUM(sentiment_positive), SUM(sentiment_neutral), SUM(sentiment_negative)
    FROM rollup_cube GROUP BY workspace_id, kind, day, region;

INSERT INTO rollup_kind_slices (workspace_id, kind, dim, day, val, items, nps_promoters, nps_passives, nps_detractors, csat5_1, csat5_2, csat5_3, csat5_4, csat5_5, csat10_1, csat10_2, csat10_3, csat10_4, csat10_5, csat10_6, csat10_7, csat10_8, csat10_9, csat10_10, ces_1, ces_2, ces_3, ces_4, ces_5, ces_6, ces_7, sentiment_positive, sentiment_neutral, sentiment_negative)
    SELECT workspace_id, kind, 'segment', day, segment, SUM(items), SUM(nps_promoters), SUM(nps_passives), SUM(nps_detractors), SUM(csat5_1), SUM(csat5_2), SUM(csat5_3), SUM(csat5_4), SUM(csat5_5), SUM(csat10_1), SUM(csat10_2), SUM(csat10_3), SUM(csat10_4), SUM(csat10_5), SUM(csat10_6), SUM(csat10_7), SUM(csat10_8), SUM(csat10_9), SUM(csat10_10), SUM(ces_1), SUM(ces_2), SUM(ces_3), SUM(ces_4), SUM(ces_5), SUM(ces_6), SUM(ces_7), SUM(sentiment_positive), SUM(sentiment_neutral), SUM(sentiment_negative)
    FROM rollup_cube GROUP BY workspace_id, kind, day, segment;

INSERT INTO rollup_kind_slices (workspace_id, kind, dim, day, val, items, nps_promoters, nps_passives, nps_detractors, csat5_1, csat5_2, csat5_3, csat5_4, csat5_5, csat10_1, csat10_2, csat10_3, csat10_4, csat10_5, csat10_6, csat10_7, csat10_8, csat10_9, csat10_10, ces_1, ces_2, ces_3, ces_4, ces_5, ces_6, ces_7, sentiment_positive, sentiment_neutral, sentiment_negative)
    SELECT workspace_id, kind, 'touchpoint', day, touchpoint, SUM(items), SUM(nps_promoters), SUM(nps_passives), SUM(nps_detractors), SUM(csat5_1), SUM(csat5_2), SUM(csat5_3), SUM(csat5_4), SUM(csat5_5), SUM(csat10_1), SUM(csat10_2), SUM(csat10_3), SUM(csat10_4), SUM(csat10_5), SUM(csat10_6), SUM(csat10_7), SUM(csat10_8), SUM(csat10_9), SUM(csat10_10), SUM(ces_1), SUM(ces_2), SUM(ces_3), SUM(ces_4), SUM(ces_5), SUM(ces_6), SUM(ces_7), SUM(sentiment_positive), SUM(sentiment_neutral), SUM(sentiment_negative)
    FROM rollup_cube GROUP BY workspace_id, kind, day, touchpoint;

INSERT INTO rollup_kind_slices (workspace_id, kind, dim, day, val, items, nps_promoters, nps_passives, nps_detractors, csat5_1, csat5_2, csat5_3, csat5_4, csat5_5, csat10_1, csat10_2, csat10_3, csat10_4, csat10_5, csat10_6, csat10_7, csat10_8, csat10_9, csat10_10, ces_1, ces_2, ces_3, ces_4, ces_5, ces_6, ces_7, sentiment_positive, sentiment_neutral, sentiment_negative)
    SELECT workspace_id, kind, 'stage', day, stage, SUM(items), SUM(nps_promoters), SUM(nps_passives), SUM(nps_detractors), SUM(csat5_1), SUM(csat5_2), SUM(csat5_3), SUM(csat5_4), SUM(csat5_5), SUM(csat10_1), SUM(csat10_2), SUM(csat10_3), SUM(csat10_4), SUM(csat10_5), SUM(csat10_6), SUM(csat10_7), SUM(csat10_8), SUM(csat10_9), SUM(csat10_10), SUM(ces_1), SUM(ces_2), SUM(ces_3), SUM(ces_4), SUM(ces_5), SUM(ces_6), SUM(ces_7), SUM(sentiment_positive), SUM(sentiment_neutral), SUM(sentiment_negative)
    FROM rollup_cube GROUP BY workspace_id, kind, day, stage;

INSERT INTO rollup_kind_slices (workspace_id, kind, dim, day, val, items, nps_promoters, nps_passives, nps_detractors, csat5_1, csat5_2, csat5_3, csat5_4, csat5_5, csat10_1, csat10_2, csat10_3, csat10_4, csat10_5, csat10_6, csat10_7, csat10_8, csat10_9, csat10_10, ces_1, ces_2, ces_3, ces_4, ces_5, ces_6, ces_7, sentiment_positive, sentiment_neutral, sentiment_negative)
    SELECT workspace_id, kind, 'lang', day, lang, SUM(items), SUM(nps_promoters), SUM(nps_passives), SUM(nps_detractors), SUM(csat5_1), SUM(csat5_2), SUM(csat5_3), SUM(csat5_4), SUM(csat5_5), SUM(csat10_1), SUM(csat10_2), SUM(csat10_3), SUM(csat10_4), SUM(csat10_5), SUM(csat10_6), SUM(csat10_7), SUM(csat10_8), SUM(csat10_9), SUM(csat10_10), SUM(ces_1), SUM(ces_2), SUM(ces_3), SUM(ces_4), SUM(ces_5), SUM(ces_6), SUM(ces_7), SUM(sentiment_positive), SUM(sentiment_neutral), SUM(sentiment_negative)
    FROM rollup_cube GROUP BY workspace_id, kind, day, lang;

INSERT INTO rollup_kind_slices (workspace_id, kind, dim, day, val, items, nps_promoters, nps_passives, nps_detractors, csat5_1, csat5_2, csat5_3, csat5_4, csat5_5, csat10_1, csat10_2, csat10_3, csat10_4, csat10_5, csat10_6, csat10_7, csat10_8, csat10_9, csat10_10, ces_1, ces_2, ces_3, ces_4, ces_5, ces_6, ces_7, sentiment_positive, sentiment_neutral, sentiment_negative)
    SELECT workspace_id, kind, 'employee', day, CASE WHEN employee_id = 0 THEN '' ELSE CAST(employee_id AS TEXT) END, SUM(items), SUM(nps_promoters), SUM(nps_passives), SUM(nps_detractors), SUM(csat5_1), SUM(csat5_2), SUM(csat5_3), SUM(csat5_4), SUM(csat5_5), SUM(csat10_1), SUM(csat10_2), SUM(csat10_3), SUM(csat10_4), SUM(csat10_5), SUM(csat10_6), SUM(csat10_7), SUM(csat10_8), SUM(csat10_9), SUM(csat10_10), SUM(ces_1), SUM(ces_2), SUM(ces_3), SUM(ces_4), SUM(ces_5), SUM(ces_6), SUM(ces_7), SUM(sentiment_positive), SUM(sentiment_neutral), SUM(sentiment_negative)
    FROM rollup_cube GROUP BY workspace_id, kind, day, employee_id;

INSERT INTO rollup_kind_slices (workspace_id, kind, dim, day, val, items, nps_promoters, nps_passives, nps_detractors, csat5_1, csat5_2, csat5_3, csat5_4, csat5_5, csat10_1, csat10_2, csat10_3, csat10_4, csat10_5, csat10_6, csat10_7, csat10_8, csat10_9, csat10_10, ces_1, ces_2, ces_3, ces_4, ces_5, ces_6, ces_7, sentiment_positive, sentiment_neutral, sentiment_negative)
    SELECT workspace_id, kind, 'survey', day, CASE WHEN survey_id = 0 THEN '' ELSE CAST(survey_id AS TEXT) END, SUM(items), SUM(nps_promoters), SUM(nps_passives), SUM(nps_detractors), SUM(csat5_1), SUM(csat5_2), SUM(csat5_3), SUM(csat5_4), SUM(csat5_5), SUM(csat10_1), SUM(csat10_2), SUM(csat10_3), SUM(csat10_4), SUM(csat10_5), SUM(csat10_6), SUM(csat10_7), SUM(csat10_8), SUM(csat10_9), SUM(csat10_10), SUM(ces_1), SUM(ces_2), SUM(ces_3), SUM(ces_4), SUM(ces_5), SUM(ces_6), SUM(ces_7), SUM(sentiment_positive), SUM(sentiment_neutral), SUM(sentiment_negative)
    FROM rollup_cube GROUP BY workspace_id, kind, day, survey_id;

INSERT INTO rollup_kind_slices (workspace_id, kind, dim, day, val, items, nps_promoters, nps_passives, nps_detractors, csat5_1, csat5_2, csat5_3, csat5_4, csat5_5, csat10_1, csat10_2, csat10_3, csat10_4, csat10_5, csat10_6, csat10_7, csat10_8, csat10_9, csat10_10, ces_1, ces_2, ces_3, ces_4, ces_5, ces_6, ces_7, sentiment_positive, sentiment_neutral, sentiment_negative)
    SELECT workspace_id, kind, 'topic', day, topic, SUM(items), SUM(nps_promoters), SUM(nps_passives), SUM(nps_detractors), SUM(csat5_1), SUM(csat5_2), SUM(csat5_3), SUM(csat5_4), SUM(csat5_5), SUM(csat10_1), SUM(csat10_2), SUM(csat10_3), SUM(csat10_4), SUM(csat10_5), SUM(csat10_6), SUM(csat10_7), SUM(csat10_8), SUM(csat10_9), SUM(csat10_10), SUM(ces_1), SUM(ces_2), SUM(ces_3), SUM(ces_4), SUM(ces_5), SUM(ces_6), SUM(ces_7), SUM(sentiment_positive), SUM(sentiment_neutral), SUM(sentiment_negative)
    FROM rollup_topic_cube GROUP BY workspace_id, kind, day, topic;

-- The overview's mentions card lists the period's spike alerts: without an
-- index on kind SQLite read every alert of the workspace to find them (rule
-- alerts are one per matched item: ~50k at 1M items). (workspace_id, kind,
-- id) also keeps "alerts of a kind, newest first" in index order.
CREATE INDEX alerts_kind ON alerts (workspace_id, kind, id);

-- The overview's cases card counts the period's cases by their SLA figures
-- (CaseSLACounts): with these columns in the index the count reads the
-- index alone instead of every case row of the period (11k at 1M items).
-- It replaces 009's (workspace_id, created_at), a prefix of it.
DROP INDEX cases_created;
CREATE INDEX cases_created ON cases (workspace_id, created_at, status, due_at, first_action_at, resolved_at);
