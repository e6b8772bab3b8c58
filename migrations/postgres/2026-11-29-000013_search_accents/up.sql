-- Search folds accents on PostgreSQL as FTS5's `remove_diacritics` does
-- on SQLite: "arrivee" finds "arrivée" and "zoe" finds "Zoë". A text
-- search configuration like 'simple' whose words first pass through the
-- unaccent dictionary (a contrib extension shipped with the server and
-- trusted, so the database's owner may create it). The triggers and the
-- stored vectors change to it; queries use it too (`db::reports`).
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE TEXT SEARCH CONFIGURATION chatgate_search (COPY = simple);
ALTER TEXT SEARCH CONFIGURATION chatgate_search
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH unaccent, simple;

CREATE OR REPLACE FUNCTION conversation_search_names() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO conversation_search (conversation_id, names)
    VALUES (NEW.id, to_tsvector('chatgate_search', NEW.visitor_label || ' ' ||
            coalesce((SELECT name FROM users WHERE id = NEW.agent_user_id), '')))
    ON CONFLICT (conversation_id) DO UPDATE SET names = EXCLUDED.names;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION conversation_search_message() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversation_search
    SET messages = messages || to_tsvector('chatgate_search', coalesce(NEW.body::json->>'text', ''))
    WHERE conversation_id = NEW.conversation_id;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION conversation_search_agent_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE conversation_search s
    SET names = to_tsvector('chatgate_search', c.visitor_label || ' ' || NEW.name)
    FROM conversations c
    WHERE c.agent_user_id = NEW.id AND s.conversation_id = c.id;
    RETURN NULL;
END $$;

UPDATE conversation_search s
SET names = to_tsvector('chatgate_search', c.visitor_label || ' ' || coalesce(u.name, '')),
    messages = to_tsvector('chatgate_search', coalesce((SELECT string_agg(e.body::json->>'text', ' ')
                                             FROM events e
                                             WHERE e.conversation_id = c.id AND e.kind = 'message'), ''))
FROM conversations c LEFT JOIN users u ON u.id = c.agent_user_id
WHERE c.id = s.conversation_id;
