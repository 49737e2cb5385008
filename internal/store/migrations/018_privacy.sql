-- GDPR (DESIGN.md "Reliability and security"): retention settings, and the
-- id floors that keep erased rows' ids from being handed out again.

-- How long a workspace keeps feedback. survey_id 0 is the workspace's
-- default; a row with a survey id overrides it for that survey's answers.
-- days 0 means "keep forever" (an override can exempt one survey from the
-- workspace default). No row for the workspace: nothing is deleted.
CREATE TABLE retention_policies (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    survey_id    BIGINT NOT NULL DEFAULT 0,
    days         INTEGER NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, survey_id)
);

-- On SQLite the store allocates ids as MAX(id) + 1 (ids.go): deleting the
-- newest rows would give their ids to the next rows, so an audit entry
-- "customer.erase #57", a bookmarked URL or a stored idempotent answer would
-- silently name someone else. Erase and retention record here the highest id
-- they deleted per table, and allocation never goes below it. PostgreSQL's
-- sequences never reuse ids and do not need it.
CREATE TABLE id_floors (
    table_name TEXT PRIMARY KEY,
    floor      BIGINT NOT NULL
);
