DROP TRIGGER conversation_hours_move ON conversations;
DROP TRIGGER conversation_hours_insert ON conversations;
DROP FUNCTION conversation_hours_track();
DROP TABLE conversation_hours;
