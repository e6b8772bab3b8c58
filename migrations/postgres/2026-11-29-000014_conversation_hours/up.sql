-- Conversations started per account and hour (UTC), for the dashboard:
-- its 30-day chart reads at most 720 rows here instead of counting every
-- conversation of the month. Kept in step by triggers in the transaction
-- that starts (or moves, or deletes) a conversation; purged with the
-- counters (CHATGATE_COUNTER_RETENTION_DAYS).
CREATE TABLE conversation_hours (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    hour TIMESTAMP NOT NULL,
    started BIGINT NOT NULL,
    PRIMARY KEY (account_id, hour)
);
CREATE INDEX conversation_hours_hour ON conversation_hours(hour);

INSERT INTO conversation_hours (account_id, hour, started)
SELECT account_id, date_trunc('hour', started_at), count(*)
FROM conversations GROUP BY 1, 2;

CREATE FUNCTION conversation_hours_track() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- An update, never an insert, for the old hour: a conversation
    -- deleted with its account must not write a row for that account.
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE conversation_hours SET started = started - 1
        WHERE account_id = OLD.account_id AND hour = date_trunc('hour', OLD.started_at);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO conversation_hours (account_id, hour, started)
        VALUES (NEW.account_id, date_trunc('hour', NEW.started_at), 1)
        ON CONFLICT (account_id, hour) DO UPDATE SET started = conversation_hours.started + 1;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER conversation_hours_insert AFTER INSERT OR DELETE ON conversations
FOR EACH ROW EXECUTE FUNCTION conversation_hours_track();
CREATE TRIGGER conversation_hours_move AFTER UPDATE OF started_at, account_id ON conversations
FOR EACH ROW WHEN (date_trunc('hour', OLD.started_at) IS DISTINCT FROM date_trunc('hour', NEW.started_at)
                   OR OLD.account_id IS DISTINCT FROM NEW.account_id)
EXECUTE FUNCTION conversation_hours_track();
