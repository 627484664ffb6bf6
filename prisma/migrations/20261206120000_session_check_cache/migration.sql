-- The session check's cache (ADR 019, lib/db/session-checks.ts): every change to a row that a
-- session check reads is told to the instances that may keep it. A NOTIFY reaches every listening
-- instance when the transaction commits; a NOTICE reaches the connection that made the change at
-- once, so its own process forgets the row before it answers.
-- Keys: 's:<session id>' for a session, 'u:<account id>' for an account (all its sessions).
CREATE FUNCTION auth_session_check_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  changed text := CASE TG_TABLE_NAME WHEN 'Session' THEN 's:' ELSE 'u:' END || OLD."id";
BEGIN
  PERFORM pg_notify('auth_session_check', changed);
  RAISE NOTICE USING MESSAGE = 'auth_session_check ' || changed;
  RETURN NULL;
END
$$;

-- Not for a session's lastUsedAt (a refresh, a page) nor an account's lastLoginAt and updatedAt
-- (a sign-in): a check does not depend on them (the cache re-reads a session that looks idle).
-- Whole rows are compared without those columns, so a column added later is covered too.
CREATE TRIGGER "Session_session_check" AFTER UPDATE ON "Session" FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'lastUsedAt') IS DISTINCT FROM (to_jsonb(NEW) - 'lastUsedAt'))
  EXECUTE FUNCTION auth_session_check_changed();
-- A revoked session was told when it was revoked, and a check never keeps one: the sweep's
-- deletions of revoked sessions need no word.
CREATE TRIGGER "Session_session_check_delete" AFTER DELETE ON "Session" FOR EACH ROW
  WHEN (OLD."revokedAt" IS NULL)
  EXECUTE FUNCTION auth_session_check_changed();
CREATE TRIGGER "User_session_check" AFTER UPDATE ON "User" FOR EACH ROW
  WHEN ((to_jsonb(OLD) - 'lastLoginAt' - 'updatedAt') IS DISTINCT FROM (to_jsonb(NEW) - 'lastLoginAt' - 'updatedAt'))
  EXECUTE FUNCTION auth_session_check_changed();
CREATE TRIGGER "User_session_check_delete" AFTER DELETE ON "User" FOR EACH ROW
  EXECUTE FUNCTION auth_session_check_changed();
