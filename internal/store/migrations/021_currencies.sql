-- Revenue in more than one currency (issue 5): every revenue figure is
-- converted into one reporting currency per workspace with the workspace's
-- own exchange rates (Vox is offline: there is no rate feed).

-- The currency a workspace's revenue figures are shown in. No row: the
-- first transactions choose it (InsertTransactions), else "USD".
CREATE TABLE currency_settings (
    workspace_id       BIGINT PRIMARY KEY REFERENCES workspaces(id) ON DELETE CASCADE,
    reporting_currency TEXT NOT NULL,
    updated_at         BIGINT NOT NULL
);

-- One unit of currency is worth rate units of the reporting currency from
-- valid_from (unix ms, inclusive) until the next rate of the same currency
-- starts, so a new rate does not rewrite history. A rate without a start
-- date has valid_from -9223372036854775807 (store.undatedFrom): it applies
-- to everything before the first dated one.
CREATE TABLE exchange_rates (
    workspace_id BIGINT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
    currency     TEXT NOT NULL,
    valid_from   BIGINT NOT NULL,
    rate         DOUBLE PRECISION NOT NULL CHECK (rate > 0),
    PRIMARY KEY (workspace_id, currency, valid_from)
);

-- The currency of a customer's annual revenue; '' is the reporting currency
-- (what every annual revenue meant before this migration).
ALTER TABLE customers ADD COLUMN annual_revenue_currency TEXT NOT NULL DEFAULT '';

-- Workspaces that already hold transactions report in the currency most of
-- them are in, so their totals do not change unless they bill in several.
INSERT INTO currency_settings (workspace_id, reporting_currency, updated_at)
SELECT w.id, (SELECT t.currency FROM transactions t WHERE t.workspace_id = w.id
        GROUP BY t.currency ORDER BY COUNT(*) DESC, t.currency LIMIT 1), 0
FROM workspaces w WHERE EXISTS (SELECT 1 FROM transactions t WHERE t.workspace_id = w.id);
