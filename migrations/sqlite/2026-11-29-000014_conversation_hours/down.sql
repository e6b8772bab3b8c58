DROP TRIGGER conversation_hours_move;
DROP TRIGGER conversation_hours_delete;
DROP TRIGGER conversation_hours_insert;
DROP TABLE conversation_hours;
