-- Conversation search: one row per conversation with a tsvector of the
-- visitor's label and the agent's name (`names`) and one of every message's
-- text (`messages`, extended as messages come). `doc` joins the two under a
-- GIN index. The 'simple' configuration: names and mixed languages are not
-- stemmed. Queries join it to `conversations`, which carries the account.
CREATE TABLE conversation_search (
    conversation_id BIGINT PRIMARY KEY REFERENCES conversations(id) ON DELETE CASCADE,
    names TSVECTOR NOT NULL DEFAULT ''::tsvector,
    messages TSVECTOR NOT NULL DEFAULT ''::tsvector,
    doc TSVECTOR GENERATED ALWAYS AS (names || messages) STORED
);

INSERT INTO conversation_search (conversation_id, names, messages)
SELECT c.id,
       to_tsvector('simple', c.visitor_label || ' ' || coalesce(u.name, '')),
       to_tsvector('simple', coalesce((SELECT string_agg(e.body::json->>'text', ' ')
                                       FROM events e
                                       WHERE e.conversation_id = c.id AND e.kind = 'message'), ''))
FROM conversations c LEFT JOIN users u ON u.id = c.agent_user_id;

CREATE INDEX conversation_search_doc ON conversation_search USING GIN (doc);

CREATE FUNCTION conversation_search_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO conversation_search (conversation_id, names)
    VALUES (NEW.id, to_tsvector('simple', NEW.visitor_label || ' ' ||
            coalesce((SELECT name FROM users WHERE id = NEW.agent_user_id), '')))
    ON CONFLICT (conversation_id) DO UPDATE SET names = EXCLUDED.names;
    RETURN NULL;
END $$;

CREATE TRIGGER conversation_search_insert AFTER INSERT ON conversations
FOR EACH ROW EXECUTE FUNCTION conversation_search_names();
CREATE TRIGGER conversation_search_names AFTER UPDATE OF visitor_label, agent_user_id ON conversations
FOR EACH ROW WHEN (OLD.visitor_label IS DISTINCT FROM NEW.visitor_label
                   OR OLD.agent_user_id IS DISTINCT FROM NEW.agent_user_id)
EXECUTE FUNCTION conversation_search_names();

CREATE FUNCTION conversation_search_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversation_search
    SET messages = messages || to_tsvector('simple', coalesce(NEW.body::json->>'text', ''))
    WHERE conversation_id = NEW.conversation_id;
    RETURN NULL;
END $$;

CREATE TRIGGER conversation_search_message AFTER INSERT ON events
FOR EACH ROW WHEN (NEW.kind = 'message') EXECUTE FUNCTION conversation_search_message();

CREATE FUNCTION conversation_search_agent_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversation_search s
    SET names = to_tsvector('simple', c.visitor_label || ' ' || NEW.name)
    FROM conversations c
    WHERE c.agent_user_id = NEW.id AND s.conversation_id = c.id;
    RETURN NULL;
END $$;

CREATE TRIGGER conversation_search_agent_name AFTER UPDATE OF name ON users
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION conversation_search_agent_name();

-- The status and agent filters keep the newest-first order on an index;
-- the total count of any filter but search reads one index alone.
CREATE INDEX conversations_case_status ON conversations(case_id, account_id, status, started_at DESC, id DESC);
CREATE INDEX conversations_case_agent ON conversations(case_id, account_id, agent_user_id, started_at DESC, id DESC);
CREATE INDEX conversations_case_count ON conversations(case_id, account_id, started_at, block_until, status, agent_user_id);
