DROP INDEX blocks_account_in_force;
CREATE INDEX conversations_account_status ON conversations(account_id, status);
DROP INDEX conversations_account_status_started;
CREATE INDEX blocks_account_created ON blocks(account_id, created_at);
DROP INDEX blocks_account_created_cover;
