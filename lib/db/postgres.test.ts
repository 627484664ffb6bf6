import { describe, expect, it, vi } from "vitest";
import { TEST_POSTGRES_SERVER } from "./testing";
import { client, freshClient, PASSWORD, setUpAuthTests, verifiedUser } from "@/lib/auth/testing";

/**
 * The data layer on PostgreSQL, in process: what each request costs the database server, in
 * round trips and in statements it must parse and plan. Needs TEST_POSTGRES_URL (CI sets it).
 */

setUpAuthTests("postgres");

const { startAppSession, authenticate, refreshSession } = await import("@/lib/auth/sessions");
const { loginWithPassword } = await import("@/lib/auth/login");
const { createSignedInAccount } = await import("@/lib/auth/signup");
const { verifyCode } = await import("@/lib/auth/email-verification");
const { database, execute, joinSql, query, queueWrite, sql, transaction } = await import("@/lib/db/sql");
const { isUniqueViolation } = await import("@/lib/db/errors");
const { recordPostgresStatements } = await import("@/lib/db/postgres-statements");
const { batchTokenEndpointWrites, OAuthAdapter } = await import("@/lib/oauth/adapter");
const { default: Provider } = await import("oidc-provider");

describe.skipIf(!TEST_POSTGRES_SERVER)("on PostgreSQL", () => {
  it("prepares a statement of a fixed template once per connection, not a statement built per call", async () => {
    const { user } = await verifiedUser();
    const { tokens } = await startAppSession(database, user, client, "password");
    // Statements one after another reuse the pool's most recent connection.
    for (let i = 0; i < 3; i++) await authenticate(tokens.accessToken);
    const prepared = await query<{ statement: string }>(database, sql`SELECT "statement" FROM pg_prepared_statements`);
    expect(prepared.map((p) => p.statement)).toEqual(expect.arrayContaining([expect.stringContaining(`FROM "Session"`)]));

    // Built per call (a list of conditions): its text may be new each time, so it is never named.
    const byFilters = () => query(database, sql`SELECT "id" FROM "User" WHERE ${joinSql([sql`"id" = ${user.id}`, sql`"email" = ${user.email}`], " AND ")}`);
    await byFilters();
    const recorder = recordPostgresStatements();
    try {
      await authenticate(tokens.accessToken);
      await byFilters();
    } finally {
      recorder.stop();
    }
    expect(recorder.names).toEqual([expect.stringMatching(/^auth_\d+$/), undefined]);
  });

  /** The round trips `work` makes, each as the first words of its statements. */
  async function roundTripsOf(work: () => Promise<unknown>): Promise<string[][]> {
    const recorder = recordPostgresStatements();
    try {
      await work();
    } finally {
      recorder.stop();
    }
    return recorder.roundTrips.map((trip) => trip.map((s) => s.replace(/\s+/g, " ").split(" (")[0]!.split(" SET")[0]!.split(" WHERE")[0]!));
  }

  it("sends a login's writes after the hash, and their COMMIT, in one round trip", async () => {
    const { email } = await verifiedUser();
    await loginWithPassword(email, PASSWORD, freshClient()); // statements prepared
    const trips = await roundTripsOf(() => loginWithPassword(email, PASSWORD, freshClient()));
    // The transaction's BEGIN goes with its first statement, both before the hash and after. The
    // account and the address's streak are read in that round trip too (readWithNext).
    expect(trips[0]).toEqual(["BEGIN", expect.stringMatching(/^SELECT .* FROM "User" u$/), `SELECT "count", "windowEnds", "lastHitAt" FROM "RateLimit"`, `INSERT INTO "RateLimit"`]);
    // The streak's step and the account's count go together (writeWithNext), then the claim's COMMIT.
    expect(trips.slice(1, 3)).toEqual([[`INSERT INTO "RateLimit"`, `INSERT INTO "RateLimit"`], ["COMMIT"]]);
    expect(trips.at(-1)).toEqual([
      "BEGIN",
      `DELETE FROM "RateLimit"`,
      `UPDATE "RateLimit"`,
      `INSERT INTO "Session"`,
      `INSERT INTO "RefreshToken"`,
      `INSERT INTO "RateLimit"`,
      `UPDATE "User"`,
      `INSERT INTO "AuditEvent"`,
      "COMMIT",
    ]);
    expect(trips).toHaveLength(4);
  });

  it("sends a code check's reads with its first count", async () => {
    const signUp = (email: string) => createSignedInAccount({ email, password: PASSWORD, name: "Pipeline" }, freshClient());
    const warm = await signUp(`pipeline-code-warm-${Date.now()}@example.com`);
    await verifyCode(warm.user.email, warm.code, freshClient()); // statements prepared
    const { user, code } = await signUp(`pipeline-code-${Date.now()}@example.com`);
    const trips = await roundTripsOf(() => verifyCode(user.email, code, freshClient()));
    expect(trips[0]).toEqual(["BEGIN", expect.stringMatching(/^SELECT .* FROM "User" u$/), expect.stringMatching(/^SELECT .* FROM "Verification"$/), `INSERT INTO "RateLimit"`]);
    // The address's cap and the code's own tries are claimed together (writeWithNext).
    expect(trips[1]).toEqual([`INSERT INTO "RateLimit"`, `UPDATE "Verification"`]);
    expect(trips).toHaveLength(4);
  });

  it("sends a sign-up's code and its mail with the commit", async () => {
    const signUp = (email: string) => createSignedInAccount({ email, password: PASSWORD, name: "Pipeline" }, freshClient());
    await signUp(`pipeline-warm-${Date.now()}@example.com`); // statements prepared, roles read
    const trips = await roundTripsOf(() => signUp(`pipeline-${Date.now()}@example.com`));
    expect(trips.at(-1)).toEqual(expect.arrayContaining([`INSERT INTO "Verification"`, `INSERT INTO "OutboxEmail"`, `INSERT INTO "Session"`, "COMMIT"]));
    // The address's count goes with the account's row (writeWithNext), in the transaction's first round trip.
    expect(trips).toContainEqual(["BEGIN", `INSERT INTO "RateLimit"`, `INSERT INTO "User"`]);
    expect(trips).toHaveLength(4);
  });

  it("sends a refresh in three round trips: the reads, the writes with the address's count, the COMMIT", async () => {
    const { user } = await verifiedUser();
    const { tokens } = await startAppSession(database, user, client, "password");
    const warm = await refreshSession(tokens.refreshToken, freshClient()); // statements prepared
    const trips = await roundTripsOf(() => refreshSession(warm.refreshToken, freshClient()));
    // The address's window is looked at in the transaction's first round trip (readWithNext), and
    // the token's claim waits for the rows after it (writeWithNext).
    expect(trips).toEqual([
      ["BEGIN", `SELECT "count", "windowEnds", "lastHitAt" FROM "RateLimit"`, expect.stringMatching(/^SELECT .* FROM "RefreshToken" t JOIN/)],
      [`UPDATE "RefreshToken"`, `INSERT INTO "RefreshToken"`, `UPDATE "Session"`, `INSERT INTO "RateLimit"`],
      ["COMMIT"],
    ]);
  });

  it("sends a token request's rows with their COMMIT in one round trip, but for a code's consumption, whose answer decides", async () => {
    const { user } = await verifiedUser();
    const issued = { accountId: String(user.id), clientId: "app", grantId: "grant-rt" };
    await new OAuthAdapter("RefreshToken").upsert("rt-used", { ...issued, kind: "RefreshToken" }, 3600);
    await new OAuthAdapter("AuthorizationCode").upsert("code-used", { ...issued, kind: "AuthorizationCode" }, 60);
    let n = 0;
    /** The token endpoint's writes as oidc-provider makes them: the old one consumed, a new pair stored. */
    const tokenRequest = async (model: string, used: string) => {
      const ctx = { method: "POST", path: "/oauth/token", status: 200, body: {} };
      vi.spyOn(Provider, "ctx", "get").mockReturnValue(ctx as never);
      try {
        return await roundTripsOf(() =>
          batchTokenEndpointWrites(
            ctx,
            async () => {
              await new OAuthAdapter(model).consume(used);
              await new OAuthAdapter("RefreshToken").upsert(`rt-${++n}`, { ...issued, kind: "RefreshToken" }, 3600);
              await new OAuthAdapter("AccessToken").upsert(`at-${n}`, { ...issued, kind: "AccessToken" }, 3600);
            },
            "/oauth/token",
          ),
        );
      } finally {
        vi.restoreAllMocks();
      }
    };
    const [update, insert] = [`UPDATE "OAuthModel"`, `INSERT INTO "OAuthModel"`];
    expect(await tokenRequest("RefreshToken", "rt-used")).toEqual([["BEGIN", update, insert, insert, "COMMIT"]]);
    expect(await tokenRequest("AuthorizationCode", "code-used")).toEqual([["BEGIN", update], [insert, insert, "COMMIT"]]);
    const rows = await query<{ id: string; consumed: boolean }>(
      database,
      sql`SELECT "id", "consumedAt" IS NOT NULL AS "consumed" FROM "OAuthModel" WHERE "grantId" = 'grant-rt' ORDER BY "id"`,
    );
    expect(rows).toEqual(
      ["at-1", "at-2", "code-used", "rt-1", "rt-2", "rt-used"].map((id) => ({ id, consumed: id.endsWith("used") })),
    );
  });

  it("sends a query with the writes held before it, and nothing for a transaction that sent nothing", async () => {
    const key = `pipeline-rows-${Date.now()}`;
    const trips = await roundTripsOf(() =>
      transaction(async (tx) => {
        await queueWrite(tx, sql`INSERT INTO "RateLimit" ("key", "count", "windowEnds", "lastHitAt") VALUES (${key}, 1, ${new Date(Date.now() + 60_000)}, ${new Date()})`);
        const [row] = await query<{ count: number }>(tx, sql`SELECT "count" FROM "RateLimit" WHERE "key" = ${key}`);
        expect(row).toEqual({ count: 1 });
      }),
    );
    expect(trips).toEqual([["BEGIN", `INSERT INTO "RateLimit"`, `SELECT "count" FROM "RateLimit"`], ["COMMIT"]]);
    expect(await roundTripsOf(() => transaction(async () => {}))).toEqual([]);
    expect(await roundTripsOf(() => transaction(async () => Promise.reject(new Error("no"))).catch(() => {}))).toEqual([]);
  });

  it("reads a pipelined statement's rows as the driver adapter does", async () => {
    const { user } = await verifiedUser();
    // Every type the schema's columns and the statements' expressions have, nulls included.
    const statement = sql`SELECT u.*, COUNT(*) OVER () AS "total", 1.5::numeric AS "ratio", 2.5::float8 AS "real",
        '{"a":1}'::jsonb AS "doc", '\x0102'::bytea AS "bytes", true AS "yes", NULL::timestamp(3) AS "never",
        '2026-12-06'::date AS "day", '2026-12-06 05:00:00.123+00'::timestamptz AS "instant", 7::int2 AS "small"
        FROM "User" u WHERE u."id" = ${user.id}`;
    const viaAdapter = await query(database, statement);
    const pipelined = await transaction((tx) => query(tx, statement));
    expect(pipelined).toEqual(viaAdapter);
    expect(pipelined[0]).toMatchObject({ id: user.id, createdAt: expect.any(Date), total: 1, yes: true, never: null });
  });

  it("fails the transaction at its next round trip when a held write fails, and commits none of it", async () => {
    const key = `pipeline-test-${Date.now()}`;
    const count = async () => (await query<{ n: number }>(database, sql`SELECT COUNT(*) AS "n" FROM "RateLimit" WHERE "key" LIKE ${`${key}%`}`))[0]!.n;
    const insert = (suffix: string) => sql`INSERT INTO "RateLimit" ("key", "count", "windowEnds", "lastHitAt") VALUES (${key + suffix}, 1, ${new Date()}, ${new Date()})`;

    // The duplicate fails at COMMIT's round trip, as a unique violation; the first insert goes too.
    const atCommit = await transaction(async (tx) => {
      await execute(tx, insert("-a"));
      await queueWrite(tx, insert("-b"));
      await queueWrite(tx, insert("-b"));
    }).catch((error: unknown) => error);
    expect(isUniqueViolation(atCommit)).toBe(true);
    expect(await count()).toBe(0);

    // Before a query that follows: the query is not answered and the transaction rolls back.
    let answered = false;
    const atQuery = await transaction(async (tx) => {
      await queueWrite(tx, insert("-c"));
      await queueWrite(tx, insert("-c"));
      await query(tx, sql`SELECT 1 AS "one"`);
      answered = true;
    }).catch((error: unknown) => error);
    expect(isUniqueViolation(atQuery)).toBe(true);
    expect(answered).toBe(false);
    expect(await count()).toBe(0);

    // The connection is clean afterwards: held writes then a commit go through.
    await transaction(async (tx) => {
      await queueWrite(tx, insert("-d"));
      await queueWrite(tx, insert("-e"));
    });
    expect(await count()).toBe(2);
  });
});
