-- The case joins each conversation's search document as one lexeme,
-- 'case <id>' (with a space, which no word the parser makes holds), so a
-- search asks the GIN index for its words AND its case, and the index
-- narrows by case itself: a word common in the other case but rare in
-- this one no longer has every match elsewhere read (`db::search`).
ALTER TABLE conversation_search ADD COLUMN case_id BIGINT NOT NULL DEFAULT 0;
UPDATE conversation_search s SET case_id = c.case_id
FROM conversations c WHERE c.id = s.conversation_id;
ALTER TABLE conversation_search ALTER COLUMN case_id DROP DEFAULT;

DROP INDEX conversation_search_doc;
ALTER TABLE conversation_search DROP COLUMN doc;
ALTER TABLE conversation_search ADD COLUMN doc TSVECTOR GENERATED ALWAYS AS
    (names || messages || array_to_tsvector(ARRAY['case ' || case_id::text])) STORED;
CREATE INDEX conversation_search_doc ON conversation_search USING GIN (doc);

CREATE OR REPLACE FUNCTION conversation_search_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO conversation_search (conversation_id, case_id, names)
    VALUES (NEW.id, NEW.case_id, to_tsvector('chatgate_search', NEW.visitor_label || ' ' ||
            coalesce((SELECT name FROM users WHERE id = NEW.agent_user_id), '')))
    ON CONFLICT (conversation_id) DO UPDATE SET names = EXCLUDED.names, case_id = EXCLUDED.case_id;
    RETURN NULL;
END $$;

DROP TRIGGER conversation_search_names ON conversations;
CREATE TRIGGER conversation_search_names AFTER UPDATE OF visitor_label, agent_user_id, case_id ON conversations
FOR EACH ROW WHEN (OLD.visitor_label IS DISTINCT FROM NEW.visitor_label
                   OR OLD.agent_user_id IS DISTINCT FROM NEW.agent_user_id
                   OR OLD.case_id IS DISTINCT FROM NEW.case_id)
EXECUTE FUNCTION conversation_search_names();
