-- The dashboard at a million conversations: indexes its queries read
-- alone. Blocks of a period by agent, by reason and per bucket (replaces
-- blocks_account_created); the waiting queue in start order (replaces
-- conversations_account_status, whose counts it serves as well); the
-- blocks in force of an account.
CREATE INDEX blocks_account_created_cover
    ON blocks(account_id, created_at, conversation_id, blocked_by_name, reason);
DROP INDEX blocks_account_created;
CREATE INDEX conversations_account_status_started
    ON conversations(account_id, status, started_at, id);
DROP INDEX conversations_account_status;
CREATE INDEX blocks_account_in_force ON blocks(account_id, expires_at)
    WHERE lifted_at IS NULL AND network_index IS NOT NULL;
