-- Reading the identities of a set of customers (rule tests, the customer
-- page, segment sends) filters on workspace_id and customer_id. With only
-- the unique (workspace_id, kind, value) index in reach, SQLite walked every
-- identity of the workspace per query: 18 minutes to replay rules over a
-- 1M-item demo. This index makes it one probe per customer.
CREATE INDEX customer_identities_ws_customer ON customer_identities (workspace_id, customer_id);
