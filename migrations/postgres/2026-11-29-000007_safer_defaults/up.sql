-- Safer defaults for new accounts: visitors may send images and documents
-- only, and image previews are off until an agent turns them on for a chat.
-- Accounts that already exist keep what they had: those still on the old
-- defaults (no row) get a row holding them.
INSERT INTO chat_window_settings (account_id, file_mode, file_categories, max_file_bytes, previews_default)
SELECT a.id, 'all', '', 10485760, TRUE
FROM accounts a
WHERE NOT EXISTS (SELECT 1 FROM chat_window_settings s WHERE s.account_id = a.id);

ALTER TABLE chat_window_settings ALTER COLUMN file_mode SET DEFAULT 'custom';
ALTER TABLE chat_window_settings ALTER COLUMN file_categories SET DEFAULT 'images,documents';
ALTER TABLE chat_window_settings ALTER COLUMN previews_default SET DEFAULT FALSE;
