-- The offensive-language shield (Account settings → Abuse protection):
-- on or off, how many strikes in one conversation, and what happens then,
-- with the gate's other settings (one version, followed by every
-- instance). The account's own list, once saved, in `shield_lists`
-- (NULL there: the bundled default list). Strikes are counted per
-- conversation.
ALTER TABLE gate_settings ADD COLUMN shield_enabled BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE gate_settings ADD COLUMN shield_strikes INTEGER NOT NULL DEFAULT 3;
ALTER TABLE gate_settings ADD COLUMN shield_action TEXT NOT NULL DEFAULT 'offer_block';
CREATE TABLE shield_lists (
    account_id INTEGER PRIMARY KEY NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    patterns TEXT NOT NULL
);
ALTER TABLE conversations ADD COLUMN strikes INTEGER NOT NULL DEFAULT 0;
