-- The case joins each conversation's search document, in a column of its
-- own (`scope`, the one token 'c<case id>'), so a search asks the index
-- for `scope:"c2" AND {names messages}:(...)` and FTS5 narrows by case
-- itself: a word common in the other case but rare in this one no longer
-- has every match elsewhere read and looked up (`db::search`). Searches
-- name the columns they read, so typed words never match the scope.
-- FTS5 cannot add a column: the table is rebuilt from its own stored text.
DROP TRIGGER conversation_search_insert;
DROP TRIGGER conversation_search_names;
DROP TRIGGER conversation_search_delete;
DROP TRIGGER conversation_search_message;
DROP TRIGGER conversation_search_agent_name;
ALTER TABLE conversation_search RENAME TO conversation_search_old;

CREATE VIRTUAL TABLE conversation_search USING fts5(
    scope,
    names,
    messages,
    tokenize = 'unicode61 remove_diacritics 2'
);

INSERT INTO conversation_search (rowid, scope, names, messages)
SELECT o.rowid, 'c' || c.case_id, o.names, o.messages
FROM conversation_search_old o JOIN conversations c ON c.id = o.rowid;
DROP TABLE conversation_search_old;

CREATE TRIGGER conversation_search_insert AFTER INSERT ON conversations BEGIN
    INSERT INTO conversation_search (rowid, scope, names, messages)
    VALUES (NEW.id,
            'c' || NEW.case_id,
            NEW.visitor_label || ' ' || coalesce((SELECT name FROM users WHERE id = NEW.agent_user_id), ''),
            '');
END;

CREATE TRIGGER conversation_search_names AFTER UPDATE OF visitor_label, agent_user_id, case_id ON conversations
WHEN OLD.visitor_label IS NOT NEW.visitor_label OR OLD.agent_user_id IS NOT NEW.agent_user_id
  OR OLD.case_id IS NOT NEW.case_id BEGIN
    UPDATE conversation_search
    SET scope = 'c' || NEW.case_id,
        names = NEW.visitor_label || ' ' || coalesce((SELECT name FROM users WHERE id = NEW.agent_user_id), '')
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
