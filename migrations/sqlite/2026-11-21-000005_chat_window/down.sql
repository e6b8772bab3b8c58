ALTER TABLE files DROP COLUMN preview_type;
ALTER TABLE files DROP COLUMN category;
ALTER TABLE conversations DROP COLUMN image_previews;
DROP TABLE chat_window_settings;
