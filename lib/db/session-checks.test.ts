import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { statementsDuring, TEST_POSTGRES_SERVER } from "./testing";
import { LISTENER_NAME, SessionChecks, sessionChecks, startSessionChecks, stopSessionChecks } from "./session-checks";
import { client, setUpAuthTests, verifiedUser } from "@/lib/auth/testing";

/**
 * The session check's cache on PostgreSQL (ADR 019): served without a statement, and forgotten on
 * every change that could change a check's answer, made in this process or by anyone else.
 */

setUpAuthTests("postgres");

const { startAppSession, authenticate, endSession } = await import("@/lib/auth/sessions");
const { database, execute, query, sql } = await import("@/lib/db/sql");

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
  it("keeps no read that began before a change was told", () => {
    const cache = new SessionChecks<string>(60_000);
    cache.setServing(true);
    const ticket = cache.ticket();
    cache.changed("u:99");
    cache.remember("s1", 1, "row", ticket);
    expect(cache.get("s1")).toBeUndefined();
    cache.remember("s1", 1, "row", cache.ticket());
    expect(cache.get("s1")).toBe("row");
  });

  it("forgets a session, every session of an account, or everything for a key it does not know", () => {
    const cache = new SessionChecks<string>(60_000);
    cache.setServing(true);
    for (const [session, user] of [["a", 1], ["b", 1], ["c", 2]] as const) cache.remember(session, user, session, cache.ticket());
    cache.changed("s:c");
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual(["a", "b", undefined]);
    cache.changed("u:1");
    expect([cache.get("a"), cache.get("b")]).toEqual([undefined, undefined]);
    cache.remember("c", 2, "c", cache.ticket());
    cache.changed("x:something new");
    expect(cache.get("c")).toBeUndefined();
  });

  it("keeps nothing while not serving, serves an entry for its time only, and holds a bounded number", async () => {
    const cache = new SessionChecks<string>(30, 2);
    cache.remember("a", 1, "a", cache.ticket());
    expect(cache.get("a")).toBeUndefined();
    cache.setServing(true);
    for (const id of ["a", "b", "c"]) cache.remember(id, 1, id, cache.ticket());
    expect(cache.size).toBe(2);
    expect(cache.get("a")).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(cache.get("c")).toBeUndefined();
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
    // A column added to either table must be added to its trigger's list (a new migration), or here.
    const notDependedOn: Record<string, string[]> = { User: ["lastLoginAt", "updatedAt"], Session: ["lastUsedAt"] };
    for (const [table, skipped] of Object.entries(notDependedOn)) {
      const columns = await query<{ column_name: string }>(
        database,
        sql`SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ${table}`,
      );
      const [trigger] = await query<{ definition: string }>(
        database,
        sql`SELECT pg_get_triggerdef(t.oid) AS definition FROM pg_trigger t WHERE t.tgname = ${`${table}_session_check`}`,
      );
      const named = trigger!.definition.match(/AFTER UPDATE OF (.*?) ON /)?.[1]?.split(", ").map((c) => c.replaceAll('"', "")) ?? [];
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
});
