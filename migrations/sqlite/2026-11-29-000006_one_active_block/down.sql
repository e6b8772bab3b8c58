DROP INDEX blocks_one_active;
