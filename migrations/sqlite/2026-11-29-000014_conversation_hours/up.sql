-- Conversations started per account and hour (UTC), for the dashboard:
-- its 30-day chart reads at most 720 rows here instead of counting every
-- conversation of the month. Kept in step by triggers in the transaction
-- that starts (or moves, or deletes) a conversation; purged with the
-- counters (CHATGATE_COUNTER_RETENTION_DAYS).
CREATE TABLE conversation_hours (
    account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    hour TIMESTAMP NOT NULL,
    started INTEGER NOT NULL,
    PRIMARY KEY (account_id, hour)
) WITHOUT ROWID;
CREATE INDEX conversation_hours_hour ON conversation_hours(hour);

INSERT INTO conversation_hours (account_id, hour, started)
SELECT account_id, strftime('%Y-%m-%d %H:00:00', started_at), count(*)
FROM conversations GROUP BY 1, 2;

CREATE TRIGGER conversation_hours_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_hours (account_id, hour, started)
    VALUES (NEW.account_id, strftime('%Y-%m-%d %H:00:00', NEW.started_at), 1)
    ON CONFLICT (account_id, hour) DO UPDATE SET started = started + 1;
END;

CREATE TRIGGER conversation_hours_delete AFTER DELETE ON conversations BEGIN
    UPDATE conversation_hours SET started = started - 1
    WHERE account_id = OLD.account_id AND hour = strftime('%Y-%m-%d %H:00:00', OLD.started_at);
END;

CREATE TRIGGER conversation_hours_move AFTER UPDATE OF started_at, account_id ON conversations
WHEN strftime('%Y-%m-%d %H', OLD.started_at) IS NOT strftime('%Y-%m-%d %H', NEW.started_at)
  OR OLD.account_id IS NOT NEW.account_id BEGIN
    UPDATE conversation_hours SET started = started - 1
    WHERE account_id = OLD.account_id AND hour = strftime('%Y-%m-%d %H:00:00', OLD.started_at);
    INSERT INTO conversation_hours (account_id, hour, started)
    VALUES (NEW.account_id, strftime('%Y-%m-%d %H:00:00', NEW.started_at), 1)
    ON CONFLICT (account_id, hour) DO UPDATE SET started = started + 1;
END;
