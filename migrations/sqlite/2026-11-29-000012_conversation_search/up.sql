-- Conversation search: one FTS5 document per conversation (rowid = the
-- conversation's id) with the visitor's label and the agent's name in
-- `names` and every message's text in `messages`. Triggers keep it in step
-- inside the writing transaction. Queries join it to `conversations`, which
-- carries the account and case.
CREATE VIRTUAL TABLE conversation_search USING fts5(
    names,
    messages,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO conversation_search (rowid, names, messages)
SELECT c.id,
       c.visitor_label || ' ' || coalesce(u.name, ''),
       coalesce((SELECT group_concat(json_extract(e.body, '$.text'), char(10))
                 FROM events e
                 WHERE e.conversation_id = c.id AND e.kind = 'message' AND json_valid(e.body)), '')
FROM conversations c LEFT JOIN users u ON u.id = c.agent_user_id;

CREATE TRIGGER conversation_search_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_search (rowid, names, messages)
    VALUES (NEW.id,
            NEW.visitor_label || ' ' || coalesce((SELECT name FROM users WHERE id = NEW.agent_user_id), ''),
            '');
END;

CREATE TRIGGER conversation_search_names AFTER UPDATE OF visitor_label, agent_user_id ON conversations
WHEN OLD.visitor_label IS NOT NEW.visitor_label OR OLD.agent_user_id IS NOT NEW.agent_user_id BEGIN
    UPDATE conversation_search
    SET names = NEW.visitor_label || ' ' || coalesce((SELECT name FROM users WHERE id = NEW.agent_user_id), '')
    WHERE rowid = NEW.id;
END;

CREATE TRIGGER conversation_search_delete AFTER DELETE ON conversations BEGIN
    DELETE FROM conversation_search WHERE rowid = OLD.id;
END;

CREATE TRIGGER conversation_search_message AFTER INSERT ON events
WHEN NEW.kind = 'message' AND json_valid(NEW.body) BEGIN
    UPDATE conversation_search
    SET messages = messages || char(10) || coalesce(json_extract(NEW.body, '$.text'), '')
    WHERE rowid = NEW.conversation_id;
END;

CREATE TRIGGER conversation_search_agent_name AFTER UPDATE OF name ON users
WHEN OLD.name IS NOT NEW.name BEGIN
    UPDATE conversation_search
    SET names = (SELECT c.visitor_label FROM conversations c WHERE c.id = conversation_search.rowid)
                || ' ' || NEW.name
    WHERE rowid IN (SELECT id FROM conversations WHERE agent_user_id = NEW.id);
END;

-- The status and agent filters keep the newest-first order on an index;
-- the total count of any filter but search reads one index alone.
CREATE INDEX conversations_case_status ON conversations(case_id, account_id, status, started_at DESC, id DESC);
CREATE INDEX conversations_case_agent ON conversations(case_id, account_id, agent_user_id, started_at DESC, id DESC);
CREATE INDEX conversations_case_count ON conversations(case_id, account_id, started_at, block_until, status, agent_user_id);
