-- Screen sharing over WebRTC: the agent who asked to see the screen (the
-- only console that connects to it) and when the share started, for the
-- duration the end line gives.
ALTER TABLE conversations ADD COLUMN share_agent_id BIGINT;
ALTER TABLE conversations ADD COLUMN share_started_at TIMESTAMP;
