-- The account's trigger (ADR 019) names only the columns the cached checks read (USER_COLUMNS in
-- lib/db/users.ts, less "updatedAt", which a check drops), not the authenticator's secret, its last
-- time step or the passkey handle. A sign-in with an authenticator code records its time step
-- ("totpLastStep") on the account: it no longer forgets every cached check of that account on every
-- instance, and its commit no longer waits for the cluster-wide lock PostgreSQL takes at the commit
-- of each notifying transaction (docs/scaling.md, "Where the next limit is").
-- lib/db/session-checks.test.ts fails when the checks read a column this list does not name.
DROP TRIGGER "User_session_check" ON "User";
CREATE TRIGGER "User_session_check"
  AFTER UPDATE OF "id", "email", "name", "dob", "mobile", "passwordHash", "verifiedAt", "disabledAt", "roleId",
    "totpEnabledAt", "locale", "createdAt"
  ON "User" FOR EACH ROW
  WHEN (OLD.* IS DISTINCT FROM NEW.*)
  EXECUTE FUNCTION auth_session_check_changed();
