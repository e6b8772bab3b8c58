-- Nothing to do: FTS5's unicode61 tokenizer with remove_diacritics 2
-- already folds accents (000012). Kept so both databases count the same
-- migrations.
SELECT 1;
