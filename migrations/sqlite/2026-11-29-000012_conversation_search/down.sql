DROP INDEX conversations_case_agent;
DROP INDEX conversations_case_status;
DROP TRIGGER conversation_search_agent_name;
DROP TRIGGER conversation_search_message;
DROP TRIGGER conversation_search_delete;
DROP TRIGGER conversation_search_names;
DROP TRIGGER conversation_search_insert;
DROP TABLE conversation_search;
