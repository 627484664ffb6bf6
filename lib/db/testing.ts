import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { migrateDeploy } from "@/prisma/engine/wasm-engine.mjs";
import { disconnectDb, postgresPool, prismaClient, type Db } from "./client";
import { recordPostgresStatements } from "./postgres-statements";
import { recordSqliteStatements } from "./sqlite-statements";
import { embeddedConnection } from "./sqlite-adapter";

export type { Db };

/** The PostgreSQL server in-process tests may use (CI sets it); without it they are skipped. */
export const TEST_POSTGRES_SERVER = process.env.TEST_POSTGRES_URL;

/**
 * For unit tests of the data layer and services: a fresh, migrated database for this test file,
 * SQLite by default, or a new database on TEST_POSTGRES_URL's server for `"postgres"` (the file's
 * tests skip themselves when it is not set). Call at the top level of the file, before anything
 * reads the configuration.
 */
export function useTestDatabase(kind: "sqlite" | "postgres" = process.env.TEST_UNIT_DB === "postgres" ? "postgres" : "sqlite"): () => Db {
  const dir = mkdtempSync(path.join(tmpdir(), "auth-unit-db-"));
  process.env.DATA_DIR = dir;
  process.env.LOG_LEVEL ??= "silent";
  let dropPostgres: (() => Promise<void>) | undefined;
  if (kind === "postgres") {
    const name = `auth_unit_${randomBytes(6).toString("hex")}`;
    const server = TEST_POSTGRES_SERVER ? new URL(TEST_POSTGRES_SERVER) : undefined;
    if (server) {
      const url = new URL(server);
      url.pathname = `/${name}`;
      process.env.DATABASE_URL = url.toString();
      beforeAll(() => onServer(server, `CREATE DATABASE ${name}`), 60_000);
      dropPostgres = () => onServer(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } else {
    process.env.DATABASE_URL = `file:${path.join(dir, "auth.db")}`;
  }
  beforeAll(async () => {
    if (process.env.DATABASE_URL) await migrateDeploy({ url: process.env.DATABASE_URL });
  }, 60_000);
  afterAll(async () => {
    await disconnectDb();
    await dropPostgres?.();
    rmSync(dir, { recursive: true, force: true });
  });
  return prismaClient;
}

async function onServer(server: URL, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: server.toString() });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** True when this test file's database (useTestDatabase) is PostgreSQL. */
export const onPostgres = () => /^postgres(ql)?:/.test(process.env.DATABASE_URL ?? "");

/**
 * Records the statements this process sends to the test file's database until `stop`: each one's
 * SQL, and whether it came through the Prisma client's query engine (which on PostgreSQL always
 * names the schema, `"public"."User"`, where lib/db/sql.ts never does).
 */
export function recordStatements(): {
  statements: string[];
  /** Each statement's bound values, in the form its driver was given them. */
  values: unknown[][];
  viaPrismaClient: boolean[];
  /** On SQLite: whether Prisma's SQLite adapter ran it (on PostgreSQL every statement goes through pg). */
  viaPrismaAdapter?: boolean[];
  stop(): void;
} {
  if (!onPostgres()) return recordSqliteStatements();
  const recorder = recordPostgresStatements();
  return {
    statements: recorder.statements,
    values: recorder.values,
    get viaPrismaClient() {
      return recorder.statements.map((s) => s.includes('"public".'));
    },
    stop: recorder.stop,
  };
}

/** The statements (recordStatements) this process sends to the test file's database while `work` runs. */
export async function statementsDuring(work: () => Promise<unknown>): Promise<string[]> {
  const recorder = recordStatements();
  try {
    await work();
  } finally {
    recorder.stop();
  }
  return recorder.statements;
}

/**
 * The test database's plan for a recorded statement (recordStatements: its text and values), one
 * line per step. On PostgreSQL the planner is told to avoid scans, bitmaps, sorts and hash or merge
 * joins: with a test's few rows those are cheapest, and the question is whether an index can serve
 * the statement in order, as it must with a million rows.
 */
export async function planOf(text: string, values: unknown[]): Promise<string[]> {
  if (!onPostgres()) return embeddedConnection()!.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${text}`, values).map((row) => row.detail);
  const client = await postgresPool()!.connect();
  try {
    await client.query("SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off; SET enable_hashjoin = off; SET enable_mergejoin = off");
    const { rows } = await client.query<{ "QUERY PLAN": string }>(`EXPLAIN ${text}`, values);
    return rows.map((row) => row["QUERY PLAN"]);
  } finally {
    await client.query("RESET ALL");
    client.release();
  }
}

/** The test database's definition of index `name` (its CREATE INDEX statement), as the database keeps it. */
export async function indexDefinition(name: string): Promise<string | undefined> {
  if (!onPostgres()) return embeddedConnection()!.all<{ sql: string }>(`SELECT "sql" FROM sqlite_master WHERE "type" = 'index' AND "name" = ?`, [name])[0]?.sql;
  const { rows } = await postgresPool()!.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = $1`, [name]);
  return rows[0]?.indexdef;
}
