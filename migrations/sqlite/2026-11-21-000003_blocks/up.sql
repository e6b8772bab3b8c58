CREATE TABLE blocks (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    conversation_id INTEGER REFERENCES conversations(id) ON DELETE SET NULL,
    public_id TEXT NOT NULL UNIQUE,
    network_sealed BLOB,
    network_index BLOB,
    reason TEXT NOT NULL,
    blocked_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    blocked_by_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    lifted_at TIMESTAMP,
    lifted_by_name TEXT
);
CREATE INDEX blocks_live ON blocks(expires_at) WHERE network_index IS NOT NULL;
CREATE INDEX blocks_account ON blocks(account_id, id);

ALTER TABLE conversations ADD COLUMN block_id INTEGER REFERENCES blocks(id) ON DELETE SET NULL;
ALTER TABLE conversations ADD COLUMN blocked_at TIMESTAMP;
ALTER TABLE conversations ADD COLUMN block_reason TEXT;
ALTER TABLE conversations ADD COLUMN block_until TIMESTAMP;
CREATE INDEX conversations_case_blocked ON conversations(case_id, started_at DESC, id DESC) WHERE block_until IS NOT NULL;
CREATE INDEX conversations_ip_age ON conversations(started_at) WHERE visitor_ip_sealed IS NOT NULL;
