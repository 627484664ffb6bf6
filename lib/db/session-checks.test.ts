import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statementsDuring, TEST_POSTGRES_SERVER } from "./testing";
import { LISTENER_NAME, SessionChecks, sessionChecks, startSessionChecks, stopSessionChecks } from "./session-checks";
import { advance, client, setUpAuthTests, verifiedUser } from "@/lib/auth/testing";

/**
 * The session check's cache on PostgreSQL (ADR 019): served without a statement, and forgotten on
 * every change that could change a check's answer, made in this process or by anyone else.
 */

setUpAuthTests("postgres");

const { startAppSession, authenticate, endSession } = await import("@/lib/auth/sessions");
const { database, execute, query, sql } = await import("@/lib/db/sql");
const { USER_COLUMNS } = await import("@/lib/db/users");
const { OAuthAdapter } = await import("@/lib/oauth/adapter");
const { findOAuthTokenRows } = await import("@/lib/db/oauth");

async function until(condition: () => boolean | Promise<boolean>, what: string, ms = 3000): Promise<void> {
  const deadline = performance.now() + ms;
  while (!(await condition())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** How many statements `work` sends to the database. */
const statementsOf = async (work: () => Promise<unknown>) => (await statementsDuring(work)).length;

/** A signed-in app session whose check is already in memory. */
async function checkedSession() {
  const { user } = await verifiedUser();
  const { tokens, sessionId } = await startAppSession(database, user, client, "password");
  await authenticate(tokens.accessToken);
  return { user, accessToken: tokens.accessToken, sessionId };
}

describe("the cache itself", () => {
  /** A session check's entry: its session and its account. */
  const sessionEntry = (session: string, user: number) => [`s:${session}`, [`s:${session}`, `u:${user}`]] as const;

  it("keeps no read that began before a change was told", () => {
    const cache = new SessionChecks<string>(60_000);
    cache.setServing(true);
    const ticket = cache.ticket();
    cache.changed("u:99");
    cache.remember(...sessionEntry("s1", 1), "row", ticket);
    expect(cache.get("s:s1")).toBeUndefined();
    cache.remember(...sessionEntry("s1", 1), "row", cache.ticket());
    expect(cache.get("s:s1")).toBe("row");
  });

  it("forgets a session, every session of an account, or everything for a key it does not know", () => {
    const cache = new SessionChecks<string>(60_000);
    cache.setServing(true);
    for (const [session, user] of [["a", 1], ["b", 1], ["c", 2]] as const) cache.remember(...sessionEntry(session, user), session, cache.ticket());
    cache.changed("s:c");
    expect([cache.get("s:a"), cache.get("s:b"), cache.get("s:c")]).toEqual(["a", "b", undefined]);
    cache.changed("u:1");
    expect([cache.get("s:a"), cache.get("s:b")]).toEqual([undefined, undefined]);
    cache.remember(...sessionEntry("c", 2), "c", cache.ticket());
    cache.changed("x:something new");
    expect(cache.get("s:c")).toBeUndefined();
  });

  it("forgets an entry when any change it depends on is told, and only those entries", () => {
    const cache = new SessionChecks<string>(60_000);
    cache.setServing(true);
    const remember = () => {
      cache.remember("t:token1", ["o:token1", "o:grant1", "o:uid1", "u:7"], "token1", cache.ticket());
      cache.remember("t:token2", ["o:token2", "o:grant2", "u:7"], "token2", cache.ticket());
    };
    const kept = () => [cache.get("t:token1"), cache.get("t:token2")];
    for (const change of ["o:token1", "o:grant1", "o:uid1"]) {
      remember();
      cache.changed(change);
      expect(kept(), change).toEqual([undefined, "token2"]);
    }
    remember();
    cache.changed("u:7");
    expect(kept()).toEqual([undefined, undefined]);
    expect(cache.size).toBe(0);
  });

  it("keeps nothing while not serving, serves an entry for its time only, and holds a bounded number", async () => {
    const cache = new SessionChecks<string>(30, 2);
    cache.remember(...sessionEntry("a", 1), "a", cache.ticket());
    expect(cache.get("s:a")).toBeUndefined();
    cache.setServing(true);
    for (const id of ["a", "b", "c"]) cache.remember(...sessionEntry(id, 1), id, cache.ticket());
    expect(cache.size).toBe(2);
    expect(cache.get("s:a")).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(cache.get("s:c")).toBeUndefined();
  });
});

describe.skipIf(!TEST_POSTGRES_SERVER)("on PostgreSQL", () => {
  beforeAll(async () => {
    const cache = startSessionChecks({ connectionString: process.env.DATABASE_URL }, 60_000);
    await until(() => cache.isServing, "the cache listens");
  });
  afterAll(() => stopSessionChecks());

  it("answers a session check it made a moment ago without a statement", async () => {
    const { accessToken, user } = await checkedSession();
    expect(await statementsOf(async () => expect((await authenticate(accessToken)).user.id).toBe(user.id))).toBe(0);
  });

  it("ends a session signed out in this process at once", async () => {
    const { accessToken, user, sessionId } = await checkedSession();
    await endSession(user.id, sessionId);
    await expect(authenticate(accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
  });

  it("ends the check of an account changed in this process at once", async () => {
    const { accessToken, user } = await checkedSession();
    await execute(database, sql`UPDATE "User" SET "disabledAt" = ${new Date()} WHERE "id" = ${user.id}`);
    await expect(authenticate(accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
  });

  it("hears a change made by another connection (another instance, the CLI, psql) and reads the row again", async () => {
    const { accessToken, user, sessionId } = await checkedSession();
    const elsewhere = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await elsewhere.connect();
    try {
      await elsewhere.query(`UPDATE "User" SET "name" = 'Renamed elsewhere' WHERE "id" = $1`, [user.id]);
      await until(async () => (await authenticate(accessToken)).user.name === "Renamed elsewhere", "the new name is seen");
      await elsewhere.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "id" = $1`, [sessionId]);
      await until(() => authenticate(accessToken).then(() => false, () => true), "the revoked session is refused");
    } finally {
      await elsewhere.end();
    }
  });

  it("is told of what could change a check, not of a sign-in's lastLoginAt, a refresh's lastUsedAt or a revoked session's deletion", async () => {
    const { accessToken, user, sessionId } = await checkedSession();
    const other = await checkedSession();
    const elsewhere = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await elsewhere.connect();
    const notices: string[] = [];
    elsewhere.on("notice", (notice) => notices.push(notice.message ?? ""));
    const told = () => notices.splice(0).map((n) => n.replace("auth_session_check ", ""));
    try {
      await elsewhere.query(`UPDATE "User" SET "lastLoginAt" = now(), "updatedAt" = now() WHERE "id" = $1`, [user.id]);
      await elsewhere.query(`UPDATE "Session" SET "lastUsedAt" = now() WHERE "id" = $1`, [sessionId]);
      await elsewhere.query(`UPDATE "User" SET "mobile" = "mobile" WHERE "id" = $1`, [user.id]);
      // A sign-in with an authenticator code records its time step; no check reads it, nor the secret or the passkey handle.
      await elsewhere.query(`UPDATE "User" SET "totpLastStep" = 123456, "totpSecret" = 'sealed', "webauthnHandle" = 'handle' WHERE "id" = $1`, [user.id]);
      expect(told()).toEqual([]);
      await elsewhere.query(`UPDATE "User" SET "mobile" = '+15550001' WHERE "id" = $1`, [user.id]);
      expect(told()).toEqual([`u:${user.id}`]);
      await elsewhere.query(`UPDATE "Session" SET "revokedAt" = now() WHERE "id" = $1`, [sessionId]);
      await elsewhere.query(`DELETE FROM "Session" WHERE "id" = $1`, [sessionId]);
      expect(told()).toEqual([`s:${sessionId}`]);
      await elsewhere.query(`DELETE FROM "User" WHERE "id" = $1`, [other.user.id]);
      expect(told().sort()).toEqual([`s:${other.sessionId}`, `u:${other.user.id}`]);
    } finally {
      await elsewhere.end();
    }
    await until(() => authenticate(accessToken).then(() => false, () => true), "the revoked session is refused");
    await until(() => authenticate(other.accessToken).then(() => false, () => true), "the deleted account is refused");
  });

  it("has its update triggers name every column a check may depend on, so that updates of the others cost no comparison", async () => {
    // A column added to Session or OAuthModel must be added to its trigger's list (a new migration),
    // or here. The account's trigger names exactly what the checks read of it (USER_COLUMNS), but
    // "updatedAt", which a check drops: a column added to User and read must be added to the list.
    const readOfUser = [...USER_COLUMNS.strings.join("").matchAll(/u\."(\w+)"/g)].map((m) => m[1]!);
    expect(readOfUser).toContain("passwordHash");
    const userColumns = await query<{ column_name: string }>(database, sql`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'User'`);
    const notRead = userColumns.map((c) => c.column_name).filter((c) => !readOfUser.includes(c));
    const notDependedOn: Record<string, [trigger: string, skipped: string[]]> = {
      User: ["User_session_check", ["updatedAt", ...notRead]],
      Session: ["Session_session_check", ["lastUsedAt"]],
      OAuthModel: ["OAuthModel_oauth_check", ["consumedAt", "sessionId", "createdAt"]],
    };
    for (const [table, [triggerName, skipped]] of Object.entries(notDependedOn)) {
      const columns = await query<{ column_name: string }>(
        database,
        sql`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table}`,
      );
      const [trigger] = await query<{ definition: string }>(
        database,
        sql`SELECT pg_get_triggerdef(t.oid) AS definition FROM pg_trigger t WHERE t.tgname = ${triggerName}`,
      );
      const named = trigger!.definition.match(/UPDATE OF (.*?) ON /)?.[1]?.split(", ").map((c) => c.replaceAll('"', "")) ?? [];
      expect(named.sort()).toEqual(columns.map((c) => c.column_name).filter((c) => !skipped.includes(c)).sort());
    }
  });

  it("serves nothing while its connection is lost, and serves again once it listens again", async () => {
    const cache = sessionChecks()!;
    const { accessToken } = await checkedSession();
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    try {
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1`, [LISTENER_NAME]);
    } finally {
      await admin.end();
    }
    await until(() => !cache.isServing, "the loss is noticed");
    expect(cache.size).toBe(0);
    expect(await statementsOf(() => authenticate(accessToken))).toBe(1);
    await until(() => cache.isServing, "it listens again", 5000);
    await authenticate(accessToken);
    expect(await statementsOf(() => authenticate(accessToken))).toBe(0);
  });

  describe("an access token's check (the provider's userinfo and introspection)", () => {
    let next = 0;
    /** An access token with its grant and its provider session, for a verified account, read once (so kept). */
    async function checkedToken(model: "AccessToken" | "RefreshToken" = "AccessToken") {
      const { user } = await verifiedUser();
      const n = ++next;
      const [token, grant, session, uid] = [`token-${n}`, `grant-${n}`, `session-${n}`, `uid-${n}`];
      const accountId = String(user.id);
      await new OAuthAdapter("Grant").upsert(grant, { kind: "Grant", accountId, clientId: "app" }, 3600);
      await new OAuthAdapter("Session").upsert(session, { kind: "Session", accountId, uid }, 3600);
      await new OAuthAdapter(model).upsert(token, { kind: model, accountId, grantId: grant, sessionUid: uid, clientId: "app" }, 3600);
      const [read] = await findOAuthTokenRows(database, token);
      expect(read).toMatchObject({ token: { id: token }, grant: { id: grant }, session: { uid }, user: { id: user.id } });
      return { user, token, grant, session, uid };
    }
    const readOf = async (token: string) => (await findOAuthTokenRows(database, token))[0];

    it("answers a token's read it made a moment ago without a statement, and reads a refresh token every time", async () => {
      const { token, user } = await checkedToken();
      expect(await statementsOf(async () => expect((await readOf(token))?.user?.id).toBe(user.id))).toBe(0);
      const refresh = await checkedToken("RefreshToken");
      expect(await statementsOf(() => readOf(refresh.token))).toBe(1);
    });

    it("forgets at once a token revoked, a grant or provider session ended, or an account changed in this process", async () => {
      const revoked = await checkedToken();
      await new OAuthAdapter("AccessToken").destroy(revoked.token);
      expect(await readOf(revoked.token)).toBeUndefined();

      const grantEnded = await checkedToken();
      await new OAuthAdapter("Grant").destroy(grantEnded.grant);
      expect((await readOf(grantEnded.token))?.grant).toBeNull();

      const signedOut = await checkedToken();
      await new OAuthAdapter("Session").destroy(signedOut.session);
      expect((await readOf(signedOut.token))?.session).toBeNull();

      const disabled = await checkedToken();
      await execute(database, sql`UPDATE "User" SET "disabledAt" = ${new Date()} WHERE "id" = ${disabled.user.id}`);
      expect((await readOf(disabled.token))?.user?.disabledAt).toBeInstanceOf(Date);
    });

    it("hears a change made by another connection, and keeps no read that misses a row its token names", async () => {
      const { token, grant } = await checkedToken();
      const elsewhere = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await elsewhere.connect();
      try {
        await elsewhere.query(`DELETE FROM "OAuthModel" WHERE "model" = 'Grant' AND "id" = $1`, [grant]);
        await until(async () => (await readOf(token))?.grant === null, "the ended grant is seen");
        expect(await statementsOf(() => readOf(token))).toBe(1);
        // A session written later under the uid its token names is not told, so a read without it is not kept.
        const renewed = await checkedToken();
        await elsewhere.query(`DELETE FROM "OAuthModel" WHERE "model" = 'Session' AND "uid" = $1`, [renewed.uid]);
        await until(async () => (await readOf(renewed.token))?.session === null, "the deleted session is seen");
        await elsewhere.query(`INSERT INTO "OAuthModel" ("model", "id", "payload", "uid", "expiresAt") VALUES ('Session', 'renewed-session', '{}', $1, $2)`, [
          renewed.uid,
          new Date(Date.now() + 3600_000),
        ]);
        expect((await readOf(renewed.token))?.session?.id).toBe("renewed-session");
      } finally {
        await elsewhere.end();
      }
    });

    it("reads again once a row of the read has expired", async () => {
      const { token, grant } = await checkedToken();
      await execute(database, sql`UPDATE "OAuthModel" SET "expiresAt" = ${new Date(Date.now() + 60_000)} WHERE "model" = 'Grant' AND "id" = ${grant}`);
      // The change's own notification arrives after the read that follows it, which is then not kept.
      await until(async () => (await readOf(token), (await statementsOf(() => readOf(token))) === 0), "the read is kept again");
      advance(61_000);
      expect(await statementsOf(async () => expect((await readOf(token))?.grant).toBeNull())).toBe(1);
    });

    it("is told of what a token's check reads, not of new rows, a token's consumption, a refresh token, a code or a long-expired row", async () => {
      const { token, grant, session, uid } = await checkedToken();
      const elsewhere = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await elsewhere.connect();
      const notices: string[] = [];
      elsewhere.on("notice", (notice) => notices.push(notice.message ?? ""));
      const told = () => notices.splice(0).map((n) => n.replace("auth_session_check ", ""));
      const insert = (model: string, id: string, expires = "now() + interval '1 hour'") =>
        elsewhere.query(`INSERT INTO "OAuthModel" ("model", "id", "payload", "uid", "expiresAt") VALUES ($1, $2, '{}', $3, ${expires})`, [model, id, `uid-of-${id}`]);
      try {
        for (const model of ["AccessToken", "ClientCredentials", "RefreshToken", "AuthorizationCode", "Grant", "Session"]) await insert(model, `new-${model}`);
        await elsewhere.query(`UPDATE "OAuthModel" SET "consumedAt" = now() WHERE "id" IN ('new-RefreshToken', 'new-AuthorizationCode', 'new-AccessToken')`);
        await elsewhere.query(`UPDATE "OAuthModel" SET "sessionId" = 'bound' WHERE "model" = 'Grant' AND "id" = $1`, [grant]);
        await elsewhere.query(`UPDATE "OAuthModel" SET "payload" = '{}' WHERE "id" IN ('new-RefreshToken', 'new-AuthorizationCode')`);
        await elsewhere.query(`DELETE FROM "OAuthModel" WHERE "id" IN ('new-RefreshToken', 'new-AuthorizationCode')`);
        await insert("AccessToken", "long-expired", "now() - interval '1 hour'");
        await elsewhere.query(`DELETE FROM "OAuthModel" WHERE "id" = 'long-expired'`);
        expect(told()).toEqual([]);

        await elsewhere.query(`UPDATE "OAuthModel" SET "payload" = '{"changed":1}' WHERE "model" = 'Grant' AND "id" = $1`, [grant]);
        await elsewhere.query(`UPDATE "OAuthModel" SET "uid" = 'moved' WHERE "model" = 'Session' AND "id" = $1`, [session]);
        await elsewhere.query(`DELETE FROM "OAuthModel" WHERE "id" IN ('new-ClientCredentials', 'new-Grant')`);
        await elsewhere.query(`DELETE FROM "OAuthModel" WHERE "model" = 'AccessToken' AND "id" = $1`, [token]);
        expect(told().sort()).toEqual([`o:${grant}`, `o:${uid}`, "o:moved", "o:new-ClientCredentials", "o:new-Grant", `o:${token}`].sort());
      } finally {
        await elsewhere.end();
      }
      await until(async () => (await readOf(token)) === undefined, "the revoked token is refused");
    });
  });
});
