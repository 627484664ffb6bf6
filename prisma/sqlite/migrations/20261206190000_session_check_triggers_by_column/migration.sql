-- This change needs no SQL on SQLite; a statement that does nothing keeps both histories alike.
-- (PostgreSQL's session-check triggers now name their columns, ADR 019.)
SELECT 1;
