ALTER TABLE gate_settings DROP COLUMN flood_files;
ALTER TABLE gate_settings DROP COLUMN flood_conversations;
ALTER TABLE gate_settings DROP COLUMN flood_messages;
