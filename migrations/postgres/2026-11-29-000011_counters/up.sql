-- The gate's decisions on page views, per account, hour (UTC), cause
-- ('ip_rule', 'visitor_block', 'country', 'website', 'allowed') and key
-- (an IP rule's id, a country code, or ''). Never an address. Kept
-- CHATGATE_COUNTER_RETENTION_DAYS (400) days. The dashboard reads them by
-- account and hour range: the primary key serves it.
CREATE TABLE counters (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    hour TIMESTAMP NOT NULL,
    cause TEXT NOT NULL,
    key TEXT NOT NULL DEFAULT '',
    times BIGINT NOT NULL,
    PRIMARY KEY (account_id, hour, cause, key)
);
-- The purge.
CREATE INDEX counters_hour ON counters(hour);
-- The top IP rules and countries of a period.
CREATE INDEX counters_cause ON counters(account_id, cause, hour) INCLUDE (key, times);

-- The dashboard's counts over a period: conversations started (all, and
-- one agent's), and blocks made.
CREATE INDEX conversations_account_started ON conversations(account_id, started_at);
CREATE INDEX conversations_agent_started ON conversations(account_id, agent_user_id, started_at);
CREATE INDEX blocks_account_created ON blocks(account_id, created_at);
