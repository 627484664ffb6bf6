import { describe, expect, it } from "vitest";
import { TEST_POSTGRES_SERVER } from "./testing";
import { client, freshClient, PASSWORD, setUpAuthTests, verifiedUser } from "@/lib/auth/testing";

/**
 * The data layer on PostgreSQL, in process: what each request costs the database server, in
 * round trips and in statements it must parse and plan. Needs TEST_POSTGRES_URL (CI sets it).
 */

setUpAuthTests("postgres");

const { startAppSession, authenticate, refreshSession } = await import("@/lib/auth/sessions");
const { loginWithPassword } = await import("@/lib/auth/login");
const { database, execute, joinSql, query, queueWrite, sql, transaction } = await import("@/lib/db/sql");
const { isUniqueViolation } = await import("@/lib/db/errors");
const { recordPostgresStatements } = await import("@/lib/db/postgres-statements");

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
    expect(trips.at(-1)).toEqual([
      `DELETE FROM "RateLimit"`,
      `UPDATE "RateLimit"`,
      `INSERT INTO "Session"`,
      `INSERT INTO "RefreshToken"`,
      `INSERT INTO "RateLimit"`,
      `INSERT INTO "AuditEvent"`,
      "COMMIT",
    ]);
    expect(trips.length).toBeLessThanOrEqual(9);
  });

  it("sends a refresh's new token and the session's use in one round trip", async () => {
    const { user } = await verifiedUser();
    const { tokens } = await startAppSession(database, user, client, "password");
    const trips = await roundTripsOf(() => refreshSession(tokens.refreshToken, freshClient()));
    expect(trips).toContainEqual([`INSERT INTO "RefreshToken"`, `UPDATE "Session"`]);
    expect(trips.length).toBeLessThanOrEqual(7);
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
