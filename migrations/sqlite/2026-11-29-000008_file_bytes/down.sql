DROP TABLE file_chunks;
