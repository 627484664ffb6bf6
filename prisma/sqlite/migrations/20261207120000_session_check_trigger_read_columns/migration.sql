-- This change needs no SQL on SQLite; a statement that does nothing keeps both histories alike.
-- (On PostgreSQL the account's trigger of the cached session checks names fewer columns, ADR 019;
-- on SQLite a check is a function call and nothing is cached.)
SELECT 1;
