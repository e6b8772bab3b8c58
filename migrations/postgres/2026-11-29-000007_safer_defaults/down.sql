ALTER TABLE chat_window_settings ALTER COLUMN file_mode SET DEFAULT 'all';
ALTER TABLE chat_window_settings ALTER COLUMN file_categories SET DEFAULT '';
ALTER TABLE chat_window_settings ALTER COLUMN previews_default SET DEFAULT TRUE;
-- Rows that only hold the old defaults mean the same as no row again.
DELETE FROM chat_window_settings
WHERE updated_at IS NULL AND file_mode = 'all' AND file_categories = ''
  AND max_file_bytes = 10485760 AND previews_default = TRUE;
