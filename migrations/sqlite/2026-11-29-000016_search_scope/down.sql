DROP TRIGGER conversation_search_insert;
DROP TRIGGER conversation_search_names;
DROP TRIGGER conversation_search_delete;
DROP TRIGGER conversation_search_message;
DROP TRIGGER conversation_search_agent_name;
ALTER TABLE conversation_search RENAME TO conversation_search_old;

CREATE VIRTUAL TABLE conversation_search USING fts5(
    names,
    messages,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO conversation_search (rowid, names, messages)
SELECT rowid, names, messages FROM conversation_search_old;
DROP TABLE conversation_search_old;

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
