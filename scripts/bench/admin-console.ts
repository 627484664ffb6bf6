// The operator's console at scale (issue 23, ADR 016): seeds a database up to `users` accounts and
// `events` audit events, then times the console's reads through the real services (lib/admin),
// p50 and p99 over `runs` runs each.
//   DATABASE_URL=… tsx scripts/bench/admin-console.ts [users=1000000] [events=10000000] [runs=50]
// Use a throwaway database: the seed rows are bench rows (bench-…@example.invalid).
import { performance } from "node:perf_hooks";
import { listAudit } from "@/lib/admin/audit";
import { dailyStats } from "@/lib/admin/stats";
import { cursorAfter, listUsers, USER_SORTS, type UserSort } from "@/lib/admin/users";
import type { Caller } from "@/lib/auth/types";
import { config } from "@/lib/config/env";
import { database, disconnectDb } from "@/lib/db";
import { directoryRowOf } from "@/lib/db/user-directory";
import { query, sql } from "@/lib/db/sql";
import Database from "better-sqlite3";
import pg from "pg";
import { migrateDeploy } from "@/prisma/engine/wasm-engine.mjs";

const [users = 1_000_000, events = 10_000_000, runs = 50] = process.argv.slice(2).map(Number);
const postgres = config().databaseKind === "postgres";
await migrateDeploy({ url: config().databaseUrl });

// Seeding goes around the service's pool (its statements time out after 1.5 s): bench plumbing, not the service.
interface Seeder {
  run(text: string, params: number[]): Promise<void>;
  count(table: string): Promise<number>;
  /** The first column of the first row (a number). */
  one(text: string): Promise<number>;
  close(): Promise<void>;
}

async function seeder(): Promise<Seeder> {
  const url = config().databaseUrl;
  if (postgres) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return {
      run: async (text, params) => void (await client.query(text, params)),
      count: async (table) => Number((await client.query(`SELECT COUNT(*) AS n FROM "${table}"`)).rows[0].n),
      one: async (text) => Number(Object.values((await client.query(text)).rows[0])[0]),
      close: () => client.end(),
    };
  }
  const db = new Database(url.replace(/^file:/, ""));
  db.pragma("journal_mode = WAL");
  return {
    run: async (text, params) => void db.prepare(text.replace(/\$\d+(::int)?/g, "?")).run(...params),
    count: async (table) => (db.prepare(`SELECT COUNT(*) AS n FROM "${table}"`).get() as { n: number }).n,
    one: async (text) => Number(db.prepare(text).pluck().get()),
    close: async () => {
      db.close();
    },
  };
}

// Last sign-in: never for about a third (independent of the unverified third, g % 3 = 0), else a time
// in the last 90 days.
const LAST_LOGIN = {
  postgres: `CASE WHEN (g / 3) % 3 = 0 THEN NULL ELSE now() - random() * interval '90 days' END`,
  sqlite: `CASE WHEN (g / 3) % 3 = 0 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || (abs(random()) % 7776000) || ' seconds') END`,
};

async function seed(db: Seeder) {
  const haveUsers = await db.count("User");
  if (haveUsers < users) {
    const started = performance.now();
    // Addresses and names from a hash of the row number: trigrams spread as real ones do.
    await db.run(
      postgres
        ? `INSERT INTO "User" ("email", "name", "roleId", "verifiedAt", "createdAt", "updatedAt", "lastLoginAt")
           SELECT 'bench-' || substr(md5(g::text), 1, 10) || '-' || g || '@example.invalid', 'Person ' || substr(md5((g * 7)::text), 1, 8),
                  2, CASE WHEN g % 3 = 0 THEN NULL ELSE now() END, now() - (g % 365) * interval '1 day', now(), ${LAST_LOGIN.postgres}
           FROM generate_series($1::int, $2::int) g`
        : `WITH RECURSIVE s(g) AS (SELECT $1 UNION ALL SELECT g + 1 FROM s WHERE g < $2)
           INSERT INTO "User" ("email", "name", "roleId", "verifiedAt", "createdAt", "updatedAt", "lastLoginAt")
           SELECT 'bench-' || lower(hex(randomblob(5))) || '-' || g || '@example.invalid', 'Person ' || lower(hex(randomblob(4))),
                  2, CASE WHEN g % 3 = 0 THEN NULL ELSE strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now') END,
                  strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || (g % 365) || ' days'), strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now'),
                  ${LAST_LOGIN.sqlite}
           FROM s`,
      [haveUsers + 1, users],
    );
    console.log(`seeded ${users - haveUsers} users in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  // A database seeded before the column was: fill it once, the bench rows only.
  if (haveUsers > 0 && (await db.one(`SELECT COUNT(*) FROM "User" WHERE "lastLoginAt" IS NOT NULL`)) === 0) {
    const started = performance.now();
    await db.run(`UPDATE "User" SET "lastLoginAt" = ${(postgres ? LAST_LOGIN.postgres : LAST_LOGIN.sqlite).replace(/\bg\b/g, `"id"`)} WHERE "email" LIKE 'bench-%'`, []);
    console.log(`filled lastLoginAt in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  const haveEvents = await db.count("AuditEvent");
  if (haveEvents < events) {
    const started = performance.now();
    // Over the last 30 days, one user each in turn, five types; a million at a time.
    for (let from = haveEvents + 1; from <= events; from += 1_000_000) {
      await db.run(
        postgres
          ? `INSERT INTO "AuditEvent" ("userId", "type", "ip", "createdAt")
             SELECT (g % $3::int) + 1, (ARRAY['login', 'refresh', 'login_failed', 'signup', 'email_verified'])[1 + g % 5], '10.0.0.1',
                    now() - (g % 2592000) * interval '1 second'
             FROM generate_series($1::int, $2::int) g`
          : `WITH RECURSIVE s(g) AS (SELECT $1 UNION ALL SELECT g + 1 FROM s WHERE g < $2)
             INSERT INTO "AuditEvent" ("userId", "type", "ip", "createdAt")
             SELECT (g % $3) + 1, CASE g % 5 WHEN 0 THEN 'login' WHEN 1 THEN 'refresh' WHEN 2 THEN 'login_failed' WHEN 3 THEN 'signup' ELSE 'email_verified' END,
                    '10.0.0.1', strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || (g % 2592000) || ' seconds')
             FROM s`,
        [from, Math.min(events, from + 999_999), users],
      );
    }
    console.log(`seeded ${events - haveEvents} audit events in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  }
  await db.run("ANALYZE", []);
}

const count = async (table: "User" | "AuditEvent") =>
  Number((await query<{ n: number | bigint }>(database, table === "User" ? sql`SELECT COUNT(*) AS "n" FROM "User"` : sql`SELECT COUNT(*) AS "n" FROM "AuditEvent"`))[0]!.n);

const db = await seeder();
await seed(db);

// requireAdmin reads the role and two-factor only; reads need no proof.
const admin = { user: { id: 0, roleName: "admin", totpEnabledAt: new Date() }, sessionId: "bench", proof: { methods: ["password", "totp"], provedAt: new Date() } } as unknown as Caller;

async function time(label: string, work: () => Promise<unknown>, times = runs) {
  await work();
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const started = performance.now();
    await work();
    ms.push(performance.now() - started);
  }
  ms.sort((a, b) => a - b);
  const at = (q: number) => ms[Math.min(ms.length - 1, Math.ceil(q * ms.length) - 1)]!.toFixed(1);
  console.log(`${label.padEnd(58)} p50 ${at(0.5).padStart(7)} ms   p99 ${at(0.99).padStart(7)} ms${times === runs ? "" : ` (${times} runs)`}`);
}

const middleUser = Math.floor(users / 2);
/** The cursor the service gives after account `id` in `sort`'s order, as if a page had ended there. */
async function cursorAt(sort: UserSort, id: number): Promise<string> {
  const row = await directoryRowOf(database, id);
  if (!row) throw new Error(`no account ${id}`);
  return cursorAfter(sort, row);
}
// The accounts half-way down each order (found once, around the service's query timeout): by id; by
// e-mail; among those that signed in, by last sign-in; among those that never did, by id.
const middleOf = {
  created: middleUser,
  email: await db.one(`SELECT "id" FROM "User" ORDER BY "email" LIMIT 1 OFFSET ${Math.floor(users / 2)}`),
  last_login: await db.one(`SELECT "id" FROM "User" WHERE "lastLoginAt" IS NOT NULL ORDER BY "lastLoginAt", "id" LIMIT 1 OFFSET ${Math.floor(users / 3)}`),
  never: await db.one(`SELECT "id" FROM "User" WHERE "lastLoginAt" IS NULL AND "id" <= ${middleUser} ORDER BY "id" DESC LIMIT 1`),
};
await db.close();
const deepUserCursor = await cursorAt("-created", middleOf.created);
console.log(`${config().databaseKind}: ${await count("User")} users, ${await count("AuditEvent")} audit events, ${runs} runs each`);
await time("users: first page, no filter", () => listUsers(admin, {}));
await time("users: a page half-way down (cursor)", () => listUsers(admin, { cursor: deepUserCursor }));
await time("users: q matching one account (its e-mail's middle)", () => listUsers(admin, { search: `-${middleUser}@` }));
await time("users: q matching none (rare trigrams)", () => listUsers(admin, { search: "qxzqxzqxz" }));
await time("users: q matching many (\"person 1\")", () => listUsers(admin, { search: "person 1" }));
await time("users: q of three characters, common (\"per\")", () => listUsers(admin, { search: "per" }));
await time("users: q of three characters, rare (\"zqx\")", () => listUsers(admin, { search: "zqx" }));
await time("users: status=unverified", () => listUsers(admin, { status: "unverified" }));
await time("users: role=admin (none)", () => listUsers(admin, { role: "admin" }));
for (const sort of USER_SORTS) {
  const cursor = await cursorAt(sort, middleOf[sort.replace(/^-/, "") as "created" | "email" | "last_login"]);
  await time(`users: sort=${sort}, first page`, () => listUsers(admin, { sort }));
  await time(`users: sort=${sort}, a page half-way down (cursor)`, () => listUsers(admin, { sort, cursor }));
}
const neverCursor = await cursorAt("-last_login", middleOf.never);
await time("users: sort=-last_login, a page among the never signed in", () => listUsers(admin, { sort: "-last_login", cursor: neverCursor }));
await time("users: status=unverified, sort=-last_login", () => listUsers(admin, { status: "unverified", sort: "-last_login" }));
await time("users: q matching many (\"person 1\"), sort=email", () => listUsers(admin, { search: "person 1", sort: "email" }));
await time("audit: first page, no filter", () => listAudit(admin, {}));
await time("audit: one user's events", () => listAudit(admin, { userId: middleUser }));
await time("audit: type=login_failed", () => listAudit(admin, { type: "login_failed" }));
const week = new Date(Date.now() - 7 * 86_400_000);
await time("audit: since/until a one-hour window a week ago", () => listAudit(admin, { since: week, until: new Date(week.getTime() + 3_600_000) }));
const deep = await listAudit(admin, { limit: 100, since: new Date(Date.now() - 20 * 86_400_000), until: new Date(Date.now() - 19 * 86_400_000) });
await time("audit: the page after one 20 days back (cursor)", () => listAudit(admin, { cursor: deep.nextCursor }));
// Seconds each at this volume (ADR 016): a few runs say enough.
await time("stats: 30 days", () => dailyStats(admin, 30), Math.min(runs, 5));
await disconnectDb();
