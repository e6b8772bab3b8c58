-- The same table as on PostgreSQL, so both share one schema. SQLite keeps
-- chat files in the data directory and leaves this table empty.
CREATE TABLE file_chunks (
    file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (file_id, n)
);
