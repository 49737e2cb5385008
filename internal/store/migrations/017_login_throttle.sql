-- Failed logins per client IP and per account, shared by every replica: with
-- in-process counters each replica of a cluster granted its own quota.
-- scope is 'ip' or 'account'; since starts the IP's counting window and is
-- the time of an account's last failure; locked_until is 0 when not locked.
CREATE TABLE login_throttle (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    failures     INTEGER NOT NULL,
    since        BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, key)
);
