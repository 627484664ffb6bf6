#!/usr/bin/env node
// `npm run db:migrate:dev -- --name <what_changed> [--create-only]`
//
// One change to prisma/schema.prisma needs one migration PER DIALECT (the SQL differs). This
// creates both with the standard `prisma migrate dev`, each against a throwaway database, so that
// your own databases' state (drift, data) cannot get in the way:
//   1. re-derives prisma/sqlite/schema.prisma (npm run db:schema);
//   2. SQLite: a temporary file              → prisma/sqlite/migrations/<ts>_<name>/
//   3. PostgreSQL: a temporary database on the server of POSTGRES_URL, or of DATABASE_URL when
//      that is postgresql:// (its user needs CREATEDB)  → prisma/migrations/<ts>_<name>/
//      Without a PostgreSQL server we stop before creating anything: a migration for one dialect
//      only would break production (and the migrations test).
//   4. gives both folders the same name (and an explicitly empty migration to a dialect in which
//      the change needs no SQL), so the pair is easy to review;
//   5. regenerates both clients, and applies the new migrations to your DATABASE_URL database
//      (`prisma migrate deploy`) unless --create-only.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { databaseKindOfUrl, databaseUrlFromEnv } from "../../lib/config/database-url.mjs";
import { dropDatabase, LAYOUT } from "../../prisma/engine/wasm-engine.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const prismaBin = path.join(root, "node_modules", ".bin", "prisma");
const args = process.argv.slice(2);

function fail(message) {
  console.error(`\n${message}`);
  process.exit(1);
}

function run(cmd, argv, env = process.env) {
  const { status } = spawnSync(cmd, argv, { cwd: root, stdio: "inherit", env });
  return status ?? 1;
}

const hasName = args.some((a, i) => a === "--name" || a === "-n" ? Boolean(args[i + 1]) : a.startsWith("--name="));
if (!hasName) fail("Name the migration: npm run db:migrate:dev -- --name <what_changed>");

const pgServer = process.env.POSTGRES_URL ?? (databaseKindOfUrl(databaseUrlFromEnv()) === "postgres" ? databaseUrlFromEnv() : undefined);
if (!pgServer) {
  fail(
    "A PostgreSQL server is needed to write the PostgreSQL migration. Set POSTGRES_URL to a\n" +
      "postgresql:// URL whose user may CREATE DATABASE (e.g. postgresql://auth:auth@127.0.0.1:5432/postgres).",
  );
}

const listMigrations = (dialect) =>
  existsSync(LAYOUT[dialect].migrations)
    ? readdirSync(LAYOUT[dialect].migrations, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)
    : [];
const before = { sqlite: new Set(listMigrations("sqlite")), postgres: new Set(listMigrations("postgres")) };

if (run(process.execPath, [path.join(root, "scripts/db/derive-sqlite-schema.mjs")]) !== 0) fail("Deriving the SQLite schema failed.");

// Both runs go through prisma.config.ts, which picks schema + migrations folder from DATABASE_URL.
const tmp = mkdtempSync(path.join(tmpdir(), "auth-migrate-dev-"));
const pgThrowaway = new URL(pgServer);
pgThrowaway.pathname = `/auth_migrate_dev_${process.pid}_${Date.now()}`;
const targets = [
  { dialect: "sqlite", url: `file:${path.join(tmp, "dev.db")}` },
  { dialect: "postgres", url: pgThrowaway.href },
];
let failed;
try {
  for (const { dialect, url } of targets) {
    console.log(`\n=== ${dialect}: prisma migrate dev ${args.join(" ")}`);
    if (run(prismaBin, ["migrate", "dev", ...args], { ...process.env, DATABASE_URL: url }) !== 0) {
      failed = dialect;
      break;
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
  await dropDatabase(pgThrowaway.href).catch((error) => console.error(`Could not drop ${pgThrowaway.pathname.slice(1)}: ${error.message}`));
}

const created = {
  sqlite: listMigrations("sqlite").filter((m) => !before.sqlite.has(m)),
  postgres: listMigrations("postgres").filter((m) => !before.postgres.has(m)),
};
if (failed) {
  const made = [...created.sqlite.map((m) => `prisma/sqlite/migrations/${m}`), ...created.postgres.map((m) => `prisma/migrations/${m}`)];
  fail(`prisma migrate dev failed for ${failed}.${made.length ? ` Created so far (delete before retrying): ${made.join(", ")}` : ""}`);
}

if (created.sqlite.length > 1 || created.postgres.length > 1) {
  console.warn("More than one new migration per dialect: left as they are.");
} else if (created.sqlite.length + created.postgres.length > 0) {
  const name = created.sqlite[0] ?? created.postgres[0];
  for (const dialect of ["sqlite", "postgres"]) {
    const dir = path.join(LAYOUT[dialect].migrations, name);
    if (created[dialect][0] && created[dialect][0] !== name) renameSync(path.join(LAYOUT[dialect].migrations, created[dialect][0]), dir);
    if (!created[dialect][0]) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, "migration.sql"), `-- This change needs no SQL on ${dialect}: empty, to keep both histories alike.\n`);
    }
  }
  console.log(`\nNew migration for both dialects: ${name}\n  prisma/sqlite/migrations/${name}/\n  prisma/migrations/${name}/`);
}

console.log("\n=== generating both clients");
for (const schema of [LAYOUT.postgres.schema, LAYOUT.sqlite.schema]) {
  if (run(prismaBin, ["generate", "--schema", schema]) !== 0) fail("prisma generate failed.");
}

if (!args.includes("--create-only")) {
  console.log(`\n=== applying to your database (DATABASE_URL: ${databaseKindOfUrl(databaseUrlFromEnv())})`);
  if (run(prismaBin, ["migrate", "deploy"]) !== 0) fail("prisma migrate deploy failed.");
}
