-- Live Chat Window settings: which files visitors may send, the largest
-- size, and whether agents see image previews by default. No row means the
-- defaults: all files up to 10 MB, previews on.
CREATE TABLE chat_window_settings (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    file_mode TEXT NOT NULL DEFAULT 'all',
    file_categories TEXT NOT NULL DEFAULT '',
    max_file_bytes BIGINT NOT NULL DEFAULT 10485760,
    previews_default BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TIMESTAMP
);

-- An agent's choice for one conversation; NULL follows the account default.
ALTER TABLE conversations ADD COLUMN image_previews BOOLEAN;

-- What the upload check found: the category, and the checked image type
-- when the file may be shown inline as a preview (NULL otherwise).
ALTER TABLE files ADD COLUMN category TEXT;
ALTER TABLE files ADD COLUMN preview_type TEXT;
