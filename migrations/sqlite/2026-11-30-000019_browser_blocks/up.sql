-- Blocks that follow the browser (Account settings → Abuse protection):
-- the option, off by default, with the gate's other settings; and per
-- block the keyed index of the blocked visitor's browser (its cookie id),
-- stored only when the option was on, and erased with the network when
-- the block ends.
ALTER TABLE gate_settings ADD COLUMN block_browser BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE blocks ADD COLUMN browser_index BLOB;
