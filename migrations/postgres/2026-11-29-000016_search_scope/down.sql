DROP TRIGGER conversation_search_names ON conversations;
CREATE TRIGGER conversation_search_names AFTER UPDATE OF visitor_label, agent_user_id ON conversations
FOR EACH ROW WHEN (OLD.visitor_label IS DISTINCT FROM NEW.visitor_label
                   OR OLD.agent_user_id IS DISTINCT FROM NEW.agent_user_id)
EXECUTE FUNCTION conversation_search_names();

CREATE OR REPLACE FUNCTION conversation_search_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO conversation_search (conversation_id, names)
    VALUES (NEW.id, to_tsvector('chatgate_search', NEW.visitor_label || ' ' ||
            coalesce((SELECT name FROM users WHERE id = NEW.agent_user_id), '')))
    ON CONFLICT (conversation_id) DO UPDATE SET names = EXCLUDED.names;
    RETURN NULL;
END $$;

DROP INDEX conversation_search_doc;
ALTER TABLE conversation_search DROP COLUMN doc;
ALTER TABLE conversation_search DROP COLUMN case_id;
ALTER TABLE conversation_search ADD COLUMN doc TSVECTOR GENERATED ALWAYS AS (names || messages) STORED;
CREATE INDEX conversation_search_doc ON conversation_search USING GIN (doc);
