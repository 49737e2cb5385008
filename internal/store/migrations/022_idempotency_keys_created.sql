-- Idempotency and single-use form keys are pruned after a retention window
-- (store.PruneIdempotencyKeys, hourly housekeeping); this index lets the
-- prune find old keys without walking the whole table.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
