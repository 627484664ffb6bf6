import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";

export type TestDatabaseKind = "sqlite" | "postgres";

export interface TestDatabase {
  kind: TestDatabaseKind;
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test run: a new SQLite file in a temp folder, or a new database
 * on the PostgreSQL server of TEST_POSTGRES_URL (whose user may CREATE DATABASE).
 */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === "sqlite") {
    const dir = mkdtempSync(path.join(tmpdir(), "auth-test-db-"));
    return { kind, url: `file:${path.join(dir, "auth.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const serverUrl = process.env.TEST_POSTGRES_URL;
  if (!serverUrl) throw new Error("TEST_POSTGRES_URL is not set: the PostgreSQL run needs a server (scripts/test.mjs starts one)");
  const name = `auth_test_${randomBytes(6).toString("hex")}`;
  await withAdmin(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    kind,
    url: url.toString(),
    drop: () => withAdmin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  };
}

async function withAdmin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
