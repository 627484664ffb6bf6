-- The session check's triggers (ADR 019) name the columns a check depends on instead of comparing
-- whole rows as JSON. PostgreSQL matches an UPDATE's SET list against those columns once per
-- statement, so a sign-in's "lastLoginAt" and a refresh's "lastUsedAt" no longer cost each row two
-- to_jsonb conversions (about 27 µs of a login's update). WHEN still keeps quiet about an update
-- that changes nothing. Every other column is named: lib/db/session-checks.test.ts fails when a
-- column is added to either table and not here.
DROP TRIGGER "Session_session_check" ON "Session";
CREATE TRIGGER "Session_session_check"
  AFTER UPDATE OF "id", "userId", "kind", "userAgent", "ip", "createdAt", "revokedAt", "revokeReason", "methods", "provedAt"
  ON "Session" FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION auth_session_check_changed();

DROP TRIGGER "User_session_check" ON "User";
CREATE TRIGGER "User_session_check"
  AFTER UPDATE OF "id", "email", "name", "dob", "mobile", "passwordHash", "verifiedAt", "disabledAt", "roleId", "totpSecret",
    "totpEnabledAt", "totpLastStep", "webauthnHandle", "locale", "createdAt"
  ON "User" FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION auth_session_check_changed();
