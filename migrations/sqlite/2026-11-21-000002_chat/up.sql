CREATE TABLE conversations (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    case_id INTEGER NOT NULL REFERENCES business_cases(id) ON DELETE CASCADE,
    public_id TEXT NOT NULL UNIQUE,
    visitor_key TEXT NOT NULL,
    visitor_label TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('waiting', 'active', 'closed')),
    agent_user_id INTEGER REFERENCES users(id) ON DELETE SET NULL,
    page_url TEXT,
    visitor_ip_sealed BLOB,
    visitor_ip_index BLOB,
    last_seq INTEGER NOT NULL DEFAULT 0,
    message_count INTEGER NOT NULL DEFAULT 0,
    screen_share TEXT NOT NULL DEFAULT 'none',
    survey_rating INTEGER,
    survey_comment TEXT,
    survey_offered BOOLEAN NOT NULL DEFAULT 0,
    started_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP
);
CREATE INDEX conversations_case_started ON conversations(case_id, started_at DESC, id DESC);
CREATE INDEX conversations_account_status ON conversations(account_id, status);
CREATE INDEX conversations_visitor ON conversations(case_id, visitor_key, status);

CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (conversation_id, seq)
);

CREATE TABLE files (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    conversation_id INTEGER NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    public_id TEXT NOT NULL UNIQUE,
    stored_name TEXT NOT NULL,
    original_name TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX files_conversation ON files(conversation_id);

CREATE TABLE visitors (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    case_id INTEGER NOT NULL REFERENCES business_cases(id) ON DELETE CASCADE,
    visitor_key TEXT NOT NULL,
    label TEXT NOT NULL,
    page_url TEXT,
    last_seen_at TIMESTAMP NOT NULL,
    UNIQUE (case_id, visitor_key)
);
CREATE INDEX visitors_seen ON visitors(account_id, last_seen_at);

CREATE TABLE invitations (
    id INTEGER PRIMARY KEY,
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    case_id INTEGER NOT NULL REFERENCES business_cases(id) ON DELETE CASCADE,
    visitor_key TEXT NOT NULL,
    agent_name TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX invitations_visitor ON invitations(case_id, visitor_key, id);
