-- The bytes of chat files, in the database, so that every instance serves
-- every file. A file is cut into chunks of 256 KiB, written in the
-- transaction that records it, and read back one chunk at a time. The
-- chunks go with their file row, and so with its conversation.
CREATE TABLE file_chunks (
    file_id BIGINT NOT NULL REFERENCES files(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    bytes BYTEA NOT NULL,
    PRIMARY KEY (file_id, n)
);
-- Most files are compressed already (images, PDF, archives): kept out of
-- line without another try at compressing them.
ALTER TABLE file_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL;
