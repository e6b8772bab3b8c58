-- Block Visitors settings: the manager's IP and subnet rules, website list
-- and the country and website modes. Rule addresses are configuration typed
-- by managers, not visitor data, so they are stored in clear.
CREATE TABLE ip_rules (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    network TEXT NOT NULL,
    comment TEXT,
    created_by_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_by_name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    hits BIGINT NOT NULL DEFAULT 0,
    UNIQUE (account_id, network)
);
CREATE INDEX ip_rules_account ON ip_rules(account_id, id);

CREATE TABLE site_rules (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    pattern TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (account_id, pattern)
);

CREATE TABLE gate_settings (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    country_mode TEXT NOT NULL DEFAULT 'off',
    countries TEXT NOT NULL DEFAULT '',
    country_unknown BOOLEAN NOT NULL DEFAULT FALSE,
    site_mode TEXT NOT NULL DEFAULT 'off',
    version BIGINT NOT NULL DEFAULT 0,
    updated_at TIMESTAMP
);
