-- A customer's transactions from the index alone. 013 added the covering
-- transactions_revenue (workspace_id, occurred_at, …); without statistics
-- SQLite then preferred it, being covering, over transactions_customer for
-- "this customer's revenue" and walked every transaction of the workspace
-- (the customer page took 220 ms at 1M items instead of 2 ms). With both
-- covering, the one that matches customer_id too wins.
DROP INDEX transactions_customer;
CREATE INDEX transactions_customer ON transactions (workspace_id, customer_id, occurred_at, amount, currency);
