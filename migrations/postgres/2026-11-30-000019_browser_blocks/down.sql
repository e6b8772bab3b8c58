ALTER TABLE blocks DROP COLUMN browser_index;
ALTER TABLE gate_settings DROP COLUMN block_browser;
