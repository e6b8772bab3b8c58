ALTER TABLE conversations DROP COLUMN share_started_at;
ALTER TABLE conversations DROP COLUMN share_agent_id;
