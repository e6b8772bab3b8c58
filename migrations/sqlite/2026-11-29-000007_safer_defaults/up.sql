-- Safer defaults for new accounts: visitors may send images and documents
-- only, and image previews are off until an agent turns them on for a chat.
-- Accounts that already exist keep what they had: those still on the old
-- defaults (no row) get a row holding them.
INSERT INTO chat_window_settings (account_id, file_mode, file_categories, max_file_bytes, previews_default)
SELECT a.id, 'all', '', 10485760, TRUE
FROM accounts a
WHERE NOT EXISTS (SELECT 1 FROM chat_window_settings s WHERE s.account_id = a.id);

-- SQLite cannot change a column default in place: rebuild the table.
CREATE TABLE chat_window_settings_new (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    file_mode TEXT NOT NULL DEFAULT 'custom',
    file_categories TEXT NOT NULL DEFAULT 'images,documents',
    max_file_bytes BIGINT NOT NULL DEFAULT 10485760,
    previews_default BOOLEAN NOT NULL DEFAULT FALSE,
    updated_at TIMESTAMP
);
INSERT INTO chat_window_settings_new (account_id, file_mode, file_categories, max_file_bytes, previews_default, updated_at)
SELECT account_id, file_mode, file_categories, max_file_bytes, previews_default, updated_at FROM chat_window_settings;
DROP TABLE chat_window_settings;
ALTER TABLE chat_window_settings_new RENAME TO chat_window_settings;
