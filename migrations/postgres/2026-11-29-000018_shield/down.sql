ALTER TABLE conversations DROP COLUMN strikes;
DROP TABLE shield_lists;
ALTER TABLE gate_settings DROP COLUMN shield_action;
ALTER TABLE gate_settings DROP COLUMN shield_strikes;
ALTER TABLE gate_settings DROP COLUMN shield_enabled;
