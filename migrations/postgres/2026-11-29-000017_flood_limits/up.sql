-- Flood control's limits per account (Account settings → Abuse
-- protection): messages per minute, new conversations per hour and files
-- per 10 minutes from one visitor network. NULL is off. They live with
-- the gate's other settings, so a save bumps the same version and every
-- instance's gate follows it.
ALTER TABLE gate_settings ADD COLUMN flood_messages INTEGER DEFAULT 20;
ALTER TABLE gate_settings ADD COLUMN flood_conversations INTEGER DEFAULT 6;
ALTER TABLE gate_settings ADD COLUMN flood_files INTEGER DEFAULT 10;
