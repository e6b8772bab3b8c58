CREATE TABLE chat_window_settings_old (
    account_id INTEGER PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    file_mode TEXT NOT NULL DEFAULT 'all',
    file_categories TEXT NOT NULL DEFAULT '',
    max_file_bytes BIGINT NOT NULL DEFAULT 10485760,
    previews_default BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at TIMESTAMP
);
-- Rows that only hold the old defaults mean the same as no row again.
INSERT INTO chat_window_settings_old (account_id, file_mode, file_categories, max_file_bytes, previews_default, updated_at)
SELECT account_id, file_mode, file_categories, max_file_bytes, previews_default, updated_at FROM chat_window_settings
WHERE NOT (updated_at IS NULL AND file_mode = 'all' AND file_categories = ''
           AND max_file_bytes = 10485760 AND previews_default = 1);
DROP TABLE chat_window_settings;
ALTER TABLE chat_window_settings_old RENAME TO chat_window_settings;
