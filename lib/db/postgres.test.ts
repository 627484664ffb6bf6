import { describe, expect, it } from "vitest";
import { TEST_POSTGRES_SERVER } from "./testing";
import { client, setUpAuthTests, verifiedUser } from "@/lib/auth/testing";

/**
 * The data layer on PostgreSQL, in process: what each request costs the database server, in
 * round trips and in statements it must parse and plan. Needs TEST_POSTGRES_URL (CI sets it).
 */

setUpAuthTests("postgres");

const { startAppSession, authenticate } = await import("@/lib/auth/sessions");
const { database, joinSql, query, sql } = await import("@/lib/db/sql");
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
});
