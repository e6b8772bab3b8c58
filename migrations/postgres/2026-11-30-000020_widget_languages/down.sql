ALTER TABLE conversations DROP COLUMN visitor_lang;
ALTER TABLE chat_window_settings DROP COLUMN greetings;
ALTER TABLE chat_window_settings DROP COLUMN languages;
ALTER TABLE chat_window_settings DROP COLUMN default_lang;
