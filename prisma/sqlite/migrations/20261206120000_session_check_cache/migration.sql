-- This change needs no SQL on SQLite; a statement that does nothing keeps both histories alike.
-- (PostgreSQL's session check cache is told of changes by triggers, ADR 019; on SQLite a session
-- check is a function call and nothing is cached.)
SELECT 1;
