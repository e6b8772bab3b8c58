DROP INDEX blocks_account_created;
DROP INDEX conversations_agent_started;
DROP INDEX conversations_account_started;
DROP TABLE counters;
