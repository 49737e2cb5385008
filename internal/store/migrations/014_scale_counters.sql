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
