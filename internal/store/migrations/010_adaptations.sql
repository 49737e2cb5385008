-- Workspace adaptation of the sentiment model (weak supervision from the
-- workspace's own rated answers) and the checkpoints of `vox reanalyze`.

-- One fitted adjustment per workspace and language: a workspace's Russian and
-- English answers are different data and get separate corrections. The row
-- is replaced by each fit. score_base/score_adapted are macro-F1 on the
-- newest 20 % of the labelled texts; active is 1 only when the adjustment did
-- not make that score worse, and only active rows are used by ingest.
-- model is the fingerprint of the base model the adjustment was fitted on: a
-- new base model ignores older adjustments until they are fitted again.
CREATE TABLE adaptations (
    workspace_id  BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    lang          TEXT NOT NULL,
    model         TEXT NOT NULL,
    adjustment    TEXT NOT NULL,
    examples      INTEGER NOT NULL,
    positives     INTEGER NOT NULL,
    negatives     INTEGER NOT NULL,
    held_out      INTEGER NOT NULL,
    score_base    DOUBLE PRECISION NOT NULL,
    score_adapted DOUBLE PRECISION NOT NULL,
    active        INTEGER NOT NULL,
    fitted_at     BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, lang)
);

-- Where a `vox reanalyze` run of a workspace got to: params identify the run
-- (since, model, adjustments), last_id is the highest item id already
-- re-analysed. It is written in the same transaction as each batch, so an
-- interrupted run resumes exactly where its last commit left off.
CREATE TABLE reanalyze_checkpoints (
    workspace_id BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    params       TEXT NOT NULL,
    last_id      BIGINT NOT NULL,
    scanned      BIGINT NOT NULL,
    changed      BIGINT NOT NULL,
    started_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
