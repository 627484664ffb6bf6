-- This change needs no SQL on SQLite; a statement that does nothing keeps both histories alike.
-- (On PostgreSQL the provider's token checks are cached and told of changes by triggers, ADR 019;
-- on SQLite a check is a function call and nothing is cached.)
SELECT 1;
