DROP INDEX conversations_ip_age;
DROP INDEX conversations_case_blocked;
ALTER TABLE conversations DROP COLUMN block_until;
ALTER TABLE conversations DROP COLUMN block_reason;
ALTER TABLE conversations DROP COLUMN blocked_at;
ALTER TABLE conversations DROP COLUMN block_id;
DROP TABLE blocks;
