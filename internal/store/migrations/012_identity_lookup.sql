-- Reading the identities of one customer or a set of them (customer page,
-- feedback item page, rule tests, segment sends) filters on workspace_id and
-- customer_id and orders by kind, value. With only the unique
-- (workspace_id, kind, value) index in reach, SQLite walked every identity of
-- the workspace to get that order: 1.2 s per customer page and 18 minutes
-- to replay rules over a 1M-item demo. This index answers both the filter and
-- the order.
CREATE INDEX customer_identities_ws_customer ON customer_identities (workspace_id, customer_id, kind, value);
