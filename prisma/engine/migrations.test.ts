// The committed migrations must build exactly the data model of prisma/schema.prisma, in both
// dialects, and the app's start-up migration (migrateDeploy) must be idempotent, seed the roles
// and survive several instances starting at once. PostgreSQL tests need TEST_POSTGRES_URL: a
// server URL whose user may CREATE DATABASE (CI sets it); without it they are skipped.
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

import Database from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { CANONICAL_SCHEMA, deriveSqliteSchema, SQLITE_SCHEMA } from "../../scripts/db/derive-sqlite-schema.mjs";
import { SQLITE_EXTERNAL_TABLES } from "../external-tables.mjs";
import {
  createDatabase,
  diffDatabaseAgainstSchema,
  diffMigrationsAgainstSchema,
  dropDatabase,
  LAYOUT,
  migrateDeploy,
  type Dialect,
} from "./wasm-engine.mjs";

const TIMEOUT = 60_000;
const PG_SERVER = process.env.TEST_POSTGRES_URL;
const PG_SKIP_NOTE = "TEST_POSTGRES_URL is not set (a postgresql:// server URL whose user may CREATE DATABASE)";

const ROLES = [
  { id: 1, name: "admin", selfAssignable: false, isDefault: false },
  { id: 2, name: "user", selfAssignable: true, isDefault: true },
  { id: 3, name: "employer", selfAssignable: true, isDefault: false },
  { id: 4, name: "candidate", selfAssignable: true, isDefault: false },
  { id: 5, name: "recruiter", selfAssignable: true, isDefault: false },
];

const committedMigrations = (dialect: Dialect) =>
  readdirSync(LAYOUT[dialect].migrations, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();

const tmpDirs: string[] = [];
function tmpSqliteUrl() {
  const dir = mkdtempSync(path.join(tmpdir(), "auth-migrations-"));
  tmpDirs.push(dir);
  return `file:${path.join(dir, "auth.db")}`;
}
afterAll(() => {
  for (const dir of tmpDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * A copy of `dialect`'s migrations folder holding only the migrations before `name`: a database
 * deployed from it is one that production had before that migration came.
 */
function migrationsBefore(dialect: Dialect, name: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "auth-migrations-before-"));
  tmpDirs.push(dir);
  cpSync(path.join(LAYOUT[dialect].migrations, "migration_lock.toml"), path.join(dir, "migration_lock.toml"));
  for (const migration of committedMigrations(dialect).filter((m) => m < name)) {
    cpSync(path.join(LAYOUT[dialect].migrations, migration), path.join(dir, migration), { recursive: true });
  }
  return dir;
}

const SESSION_TABLE_MIGRATION = "20261205133136_session_table";
// Rows of a user's session with two refresh tokens, as they were stored before the session table's rename.
const OLD_SESSION_ROWS = [
  `INSERT INTO "User" ("id", "email", "roleId", "updatedAt") VALUES (7, 'kept@example.com', 2, CURRENT_TIMESTAMP)`,
  `INSERT INTO "RefreshFamily" ("id", "userId", "client", "methods") VALUES ('session-1', 7, 'browser', 'password,totp')`,
  `INSERT INTO "RefreshToken" ("id", "familyId", "tokenHash", "expiresAt") VALUES (41, 'session-1', 'hash-a', CURRENT_TIMESTAMP), (42, 'session-1', 'hash-b', CURRENT_TIMESTAMP)`,
];
const KEPT_SESSION = { id: "session-1", userId: 7, kind: "browser", methods: "password,totp" };
const KEPT_TOKENS = [
  { id: 41, sessionId: "session-1", tokenHash: "hash-a" },
  { id: 42, sessionId: "session-1", tokenHash: "hash-b" },
];

/** Runs migrateDeploy({ url }) in `count` separate Node processes at once: what each returned. */
async function deployFromProcesses(url: string, count: number) {
  const moduleUrl = pathToFileURL(path.join(import.meta.dirname, "wasm-engine.mjs")).href;
  const code = `const { migrateDeploy } = await import(${JSON.stringify(moduleUrl)});
process.stdout.write(JSON.stringify(await migrateDeploy({ url: ${JSON.stringify(url)} })));
process.exit(0); // the engine leaves a lock-timeout timer pending`;
  const runOne = () =>
    new Promise<string[]>((resolve, reject) => {
      const child = spawn(process.execPath, ["--input-type=module", "-e", code], { stdio: ["ignore", "pipe", "pipe"] });
      let out = "";
      let err = "";
      child.stdout.on("data", (chunk) => (out += chunk));
      child.stderr.on("data", (chunk) => (err += chunk));
      child.on("close", (status) => (status === 0 ? resolve(JSON.parse(out)) : reject(new Error(`migrateDeploy exited ${status}: ${err}`))));
    });
  return Promise.all(Array.from({ length: count }, runOne));
}

describe("schema files", () => {
  it("prisma/sqlite/schema.prisma is derived from prisma/schema.prisma (run `npm run db:schema`)", () => {
    const expected = deriveSqliteSchema(readFileSync(CANONICAL_SCHEMA, "utf8"));
    expect(readFileSync(SQLITE_SCHEMA, "utf8"), "prisma/sqlite/schema.prisma is stale: run `npm run db:schema`").toBe(expected);
  });

  it("every migration exists for both dialects (`npm run db:migrate:dev -- --name …` makes both)", () => {
    expect(committedMigrations("sqlite")).toEqual(committedMigrations("postgres"));
  });

  it("the generated clients load the query compiler's small WebAssembly build (the fast one held about 30 MB more of the server)", () => {
    for (const dialect of ["postgres", "sqlite"]) {
      const client = readFileSync(path.join(import.meta.dirname, `../../lib/db/generated/${dialect}/internal/class.ts`), "utf8");
      const compilers = [...client.matchAll(/query_compiler_(\w+)_bg\./g)].map((m) => m[1]);
      expect(compilers.length, dialect).toBeGreaterThan(0);
      expect(new Set(compilers), dialect).toEqual(new Set(["small"]));
    }
  });
});

describe("SQLite", () => {
  it(
    "the committed migrations build exactly the schema",
    async () => {
      const url = tmpSqliteUrl();
      expect(await migrateDeploy({ url })).toEqual(committedMigrations("sqlite"));
      const live = await diffDatabaseAgainstSchema({ url });
      expect(live.script, "a database migrated from prisma/sqlite/migrations differs from the schema").toBe("");
      expect(live.empty).toBe(true);
      const replayed = await diffMigrationsAgainstSchema({ dialect: "sqlite" });
      expect(replayed.script, "prisma/sqlite/migrations differ from the schema").toBe("");
    },
    TIMEOUT,
  );

  it(
    "the search index's tables are the ones Prisma is told to leave alone, and its triggers follow \"User\"",
    async () => {
      const url = tmpSqliteUrl();
      await migrateDeploy({ url });
      const db = new Database(url.slice("file:".length), { readonly: true });
      try {
        const names = (type: string) =>
          db.prepare(`SELECT "name" FROM sqlite_master WHERE "type" = ? AND "name" LIKE 'UserSearch%' ORDER BY "name"`).pluck().all(type);
        // An FTS5 option that adds a shadow table (e.g. without columnsize=0) must add it to the list too.
        expect(names("table")).toEqual([...SQLITE_EXTERNAL_TABLES].sort());
        // A later migration that rebuilds "User" (SQLite's way to alter a column) drops these with
        // the old table: it must create them again, or the index stops following the accounts.
        expect(names("trigger")).toEqual(["UserSearch_delete", "UserSearch_insert", "UserSearch_update"]);
      } finally {
        db.close();
      }
    },
    TIMEOUT,
  );

  it(
    "the check notices a schema change that has no migration",
    async () => {
      const dir = mkdtempSync(path.join(tmpdir(), "auth-schema-"));
      tmpDirs.push(dir);
      const schemaPath = path.join(dir, "schema.prisma");
      writeFileSync(schemaPath, `${readFileSync(SQLITE_SCHEMA, "utf8")}\nmodel Unmigrated {\n  id Int @id\n}\n`);
      const diff = await diffMigrationsAgainstSchema({ dialect: "sqlite", schemaPath });
      expect(diff.empty).toBe(false);
      expect(diff.script).toContain('CREATE TABLE "Unmigrated"');
    },
    TIMEOUT,
  );

  it(
    "migrateDeploy is idempotent and seeds the roles",
    async () => {
      const url = tmpSqliteUrl();
      expect(await migrateDeploy({ url })).toEqual(committedMigrations("sqlite"));
      expect(await migrateDeploy({ url })).toEqual([]);
      const db = new Database(url.slice("file:".length), { readonly: true });
      try {
        const rows = db.prepare('SELECT "id", "name", "selfAssignable", "isDefault" FROM "Role" ORDER BY "id"').all() as Array<Record<string, unknown>>;
        expect(rows.map((r) => ({ ...r, selfAssignable: r.selfAssignable === 1, isDefault: r.isDefault === 1 }))).toEqual(ROLES);
      } finally {
        db.close();
      }
    },
    TIMEOUT,
  );

  it(
    "instances starting at once apply each migration once",
    async () => {
      const url = tmpSqliteUrl();
      const results = await deployFromProcesses(url, 3);
      expect(results.flat().sort()).toEqual(committedMigrations("sqlite"));
      const db = new Database(url.slice("file:".length), { readonly: true });
      try {
        expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
        expect(db.prepare('SELECT COUNT(*) AS n FROM "Role"').get()).toEqual({ n: ROLES.length });
      } finally {
        db.close();
      }
    },
    TIMEOUT,
  );

  it(
    "renaming the session table keeps every session and refresh token",
    async () => {
      const url = tmpSqliteUrl();
      await migrateDeploy({ url, migrationsDir: migrationsBefore("sqlite", SESSION_TABLE_MIGRATION) });
      const file = url.slice("file:".length);
      const before = new Database(file);
      for (const statement of OLD_SESSION_ROWS) before.exec(statement);
      before.close();
      expect(await migrateDeploy({ url })).toEqual(committedMigrations("sqlite").filter((m) => m >= SESSION_TABLE_MIGRATION));
      const db = new Database(file, { readonly: true });
      try {
        expect(db.prepare('SELECT "id", "userId", "kind", "methods" FROM "Session"').all()).toEqual([KEPT_SESSION]);
        expect(db.prepare('SELECT "id", "sessionId", "tokenHash" FROM "RefreshToken" ORDER BY "id"').all()).toEqual(KEPT_TOKENS);
        expect(db.pragma("foreign_key_check")).toEqual([]);
      } finally {
        db.close();
      }
    },
    TIMEOUT,
  );
});

describe("PostgreSQL", () => {
  let url: string | undefined;

  beforeAll(async () => {
    if (!PG_SERVER) return;
    const u = new URL(PG_SERVER);
    u.pathname = `/auth_migrations_test_${process.pid}_${Date.now()}`;
    url = u.href;
    await createDatabase(url);
  }, TIMEOUT);

  afterAll(async () => {
    if (url) await dropDatabase(url);
  }, TIMEOUT);

  it(
    "the committed migrations build exactly the schema",
    async (ctx) => {
      ctx.skip(!url, PG_SKIP_NOTE);
      expect(await migrateDeploy({ url: url! })).toEqual(committedMigrations("postgres"));
      const live = await diffDatabaseAgainstSchema({ url: url! });
      expect(live.script, "a database migrated from prisma/migrations differs from prisma/schema.prisma").toBe("");
      expect(live.empty).toBe(true);
      // Replays prisma/migrations in a throwaway shadow database on the same server.
      const replayed = await diffMigrationsAgainstSchema({ dialect: "postgres", url: url! });
      expect(replayed.script, "prisma/migrations differ from prisma/schema.prisma").toBe("");
    },
    TIMEOUT,
  );

  it(
    "migrateDeploy is idempotent and seeds the roles",
    async (ctx) => {
      ctx.skip(!url, PG_SKIP_NOTE);
      await migrateDeploy({ url: url! });
      expect(await migrateDeploy({ url: url! })).toEqual([]);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        const { rows } = await client.query('SELECT "id", "name", "selfAssignable", "isDefault" FROM "Role" ORDER BY "id"');
        expect(rows).toEqual(ROLES);
      } finally {
        await client.end();
      }
    },
    TIMEOUT,
  );

  it(
    "renaming the session table keeps every session and refresh token",
    async (ctx) => {
      ctx.skip(!PG_SERVER, PG_SKIP_NOTE);
      const u = new URL(PG_SERVER!);
      u.pathname = `/auth_migrations_rename_${process.pid}_${Date.now()}`;
      const renameUrl = u.href;
      await createDatabase(renameUrl);
      const client = new pg.Client({ connectionString: renameUrl });
      try {
        await migrateDeploy({ url: renameUrl, migrationsDir: migrationsBefore("postgres", SESSION_TABLE_MIGRATION) });
        await client.connect();
        for (const statement of OLD_SESSION_ROWS) await client.query(statement);
        expect(await migrateDeploy({ url: renameUrl })).toEqual(committedMigrations("postgres").filter((m) => m >= SESSION_TABLE_MIGRATION));
        expect((await client.query('SELECT "id", "userId", "kind", "methods" FROM "Session"')).rows).toEqual([KEPT_SESSION]);
        expect((await client.query('SELECT "id", "sessionId", "tokenHash" FROM "RefreshToken" ORDER BY "id"')).rows).toEqual(KEPT_TOKENS);
      } finally {
        await client.end().catch(() => {});
        await dropDatabase(renameUrl);
      }
    },
    TIMEOUT,
  );

  it(
    "instances starting at once apply each migration once",
    async (ctx) => {
      ctx.skip(!PG_SERVER, PG_SKIP_NOTE);
      const u = new URL(PG_SERVER!);
      u.pathname = `/auth_migrations_race_${process.pid}_${Date.now()}`;
      const raceUrl = u.href;
      await createDatabase(raceUrl);
      try {
        const results = await deployFromProcesses(raceUrl, 3);
        expect(results.flat().sort()).toEqual(committedMigrations("postgres"));
      } finally {
        await dropDatabase(raceUrl);
      }
    },
    TIMEOUT,
  );
});
