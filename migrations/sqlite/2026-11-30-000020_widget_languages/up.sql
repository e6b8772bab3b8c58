-- The widget's languages (Account settings → Live Chat Window): the
-- account's default language, the languages the widget may offer (codes,
-- comma-separated; all of them when empty) and the manager's own
-- greetings per language (a JSON object by code). And per conversation the
-- language its visitor's widget spoke, for the agents.
ALTER TABLE chat_window_settings ADD COLUMN default_lang TEXT NOT NULL DEFAULT 'en';
ALTER TABLE chat_window_settings ADD COLUMN languages TEXT NOT NULL DEFAULT '';
ALTER TABLE chat_window_settings ADD COLUMN greetings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE conversations ADD COLUMN visitor_lang TEXT;
