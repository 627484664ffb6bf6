-- The provider's check of an access token joins the session check's cache (ADR 019): userinfo and
-- introspection read the token with its grant, its provider session and its account in one
-- statement (lib/db/oauth.ts findOAuthTokenRows), and an instance may keep that read until it is
-- told of a change, as it keeps a session check.
-- Keys: 'o:<id>' for an access token (either kind) or a grant, 'o:<uid>' for a provider session
-- (a token names its session by uid). Accounts are told by the User triggers ('u:<id>').
CREATE FUNCTION auth_oauth_check_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  old_key text := 'o:' || CASE OLD."model" WHEN 'Session' THEN OLD."uid" ELSE OLD."id" END;
  new_key text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    new_key := 'o:' || CASE NEW."model" WHEN 'Session' THEN NEW."uid" ELSE NEW."id" END;
  END IF;
  IF old_key IS NOT NULL THEN
    PERFORM pg_notify('auth_session_check', old_key);
    RAISE NOTICE USING MESSAGE = 'auth_session_check ' || old_key;
  END IF;
  IF new_key IS NOT NULL AND new_key IS DISTINCT FROM old_key THEN
    PERFORM pg_notify('auth_session_check', new_key);
    RAISE NOTICE USING MESSAGE = 'auth_session_check ' || new_key;
  END IF;
  RETURN NULL;
END
$$;

-- Every update and deletion of a row a token's check reads: an access token, a grant, a provider
-- session. Not told:
-- - inserts: a read is kept only when it found every row its token names, so a row written later
--   changes no kept read, and the token endpoint's inserts cost nothing here;
-- - a row's "consumedAt", "sessionId" and "createdAt": a check does not read them (only codes and
--   refresh tokens are consumed, and their reads are never kept). The columns are named, so an
--   update of only those is skipped once per statement (a refresh's consumption of its token);
--   lib/db/session-checks.test.ts fails when a column is added and not named here;
-- - refresh tokens, codes and interactions: no kept read holds them;
-- - rows that expired more than five minutes before (by the database's clock): no instance serves
--   a read past its rows' expiry, and the sweep deletes those by the million (the margin covers
--   clocks a little apart).
CREATE TRIGGER "OAuthModel_oauth_check"
  AFTER UPDATE OF "model", "id", "payload", "grantId", "userCode", "uid", "expiresAt", "userId", "clientId" OR DELETE
  ON "OAuthModel" FOR EACH ROW
  WHEN (OLD."model" IN ('AccessToken', 'ClientCredentials', 'Grant', 'Session')
    AND (OLD."expiresAt" IS NULL OR OLD."expiresAt" > now() - interval '5 minutes'))
  EXECUTE FUNCTION auth_oauth_check_changed();
