// Prisma's schema engine (migrations, diffs) without the native `schema-engine` binary.
//
// WHY: the Prisma CLI downloads a native schema engine from Prisma's binary host, which our machines
// and CI cannot reach. `@prisma/schema-engine-wasm` is the same engine compiled to WebAssembly; it
// talks to the database through a JS driver adapter (better-sqlite3 / pg) instead of its own
// drivers. This module loads it in plain Node and offers:
//   - migrateDeploy({ url }): what the app runs at start-up (= `prisma migrate deploy`);
//   - diffMigrationsAgainstSchema / diffDatabaseAgainstSchema: the drift checks used by the tests;
//   - openSchemaEngine + helpers used by ./schema-engine.mjs, the stand-in for the native binary
//     that the standard `prisma migrate …` / `prisma db push` commands spawn.
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import fs from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum, DriverAdapterError } from "@prisma/driver-adapter-utils";
import * as wasmGlue from "@prisma/schema-engine-wasm/schema_engine_bg";
import Database from "better-sqlite3";
import pg from "pg";

import { databaseKindOfUrl } from "../../lib/config/database-url.mjs";
import { externalTablesOf } from "../external-tables.mjs";

/** Repository root (this file is prisma/engine/wasm-engine.mjs). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The canonical schema and migrations folder of each dialect (same layout as prisma.config.ts). */
export const LAYOUT = {
  postgres: { schema: path.join(ROOT, "prisma/schema.prisma"), migrations: path.join(ROOT, "prisma/migrations") },
  sqlite: { schema: path.join(ROOT, "prisma/sqlite/schema.prisma"), migrations: path.join(ROOT, "prisma/sqlite/migrations") },
};

const NO_FILTER = { externalTables: [], externalEnums: [] };
/** What prisma.config.ts gives the CLI's engine: the tables our migrations make by hand stay out of every diff. */
const filtersOf = (dialect) => ({ externalTables: externalTablesOf(dialect), externalEnums: [] });
const PG_CHAR_OID = 18; // the internal one-byte "char" type, not char(n)
const PG_TEXT_OID = 25;
const SQLITE_BUSY_TIMEOUT_MS = 2000;

// ---------------------------------------------------------------------------------------------
// Loading the WebAssembly module.
// `schema_engine.js`, the package's entry point, does `import * as wasm from "./x.wasm"`, which
// only bundlers understand. wasm-bindgen's "bundler" glue is split so that we can do the bundler's
// job by hand: the wasm module imports its JS helpers from "./schema_engine_bg.js" (the glue we
// imported above), and the glue needs the instance's exports via __wbg_set_wasm() before
// __wbindgen_start() runs the Rust initialiser.

let wasmReady;

function loadWasm() {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = readFileSync(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": wasmGlue });
    wasmGlue.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return wasmGlue;
  })();
  return wasmReady;
}

/** The engine's git hash, e.g. "0edf323e…" (what `schema-engine --version` prints). */
export async function wasmEngineVersion() {
  return (await loadWasm()).version();
}

// ---------------------------------------------------------------------------------------------
// Driver adapters.

/** "sqlite" | "postgres" for a DATABASE_URL. */
export const dialectOfUrl = databaseKindOfUrl;

/** `file:/abs/x.db` → `/abs/x.db` (relative paths resolve against the current directory). */
export function sqlitePathOfUrl(url) {
  const p = url.replace(/^file:(\/\/)?/, "").replace(/\?.*$/, "");
  return p === ":memory:" ? p : path.resolve(p);
}

/** `url` with its database name replaced. */
function pgUrlWithDatabase(url, database) {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.href;
}

/**
 * A driver-adapter factory for `url`. The adapters were written for Prisma Client; the schema
 * engine uses them differently, and with this engine build (7.10) we must fix seven things:
 *  1. Every adapter opened is remembered, so close() releases what the engine leaves open (on
 *     SQLite it sets `locking_mode=EXCLUSIVE` while migrating: a connection left open would lock
 *     the app out of its own database).
 *  2. PostgreSQL: the pool has ONE connection. The engine's migration lock is a session-level
 *     `pg_advisory_lock`, which only protects us if every statement runs in that same session.
 *  3. PostgreSQL: a migration script runs as one simple-protocol query, as the native engine sends
 *     it (PostgreSQL runs it as one implicit transaction: a failed migration leaves nothing
 *     half-applied). adapter-pg's executeScript splits on every ";" (even inside a string, a
 *     comment or a function body) and runs the pieces one by one.
 *  4. PostgreSQL: the engine's catalog queries return columns of the internal type "char"
 *     (pg_class.relkind, …), which adapter-pg refuses ("Column type 'char' could not be
 *     deserialized"): we report them as text (the value is a one-character string).
 *  5. PostgreSQL shadow database: adapter-pg creates `prisma_migrate_shadow_db_<uuid>` but then
 *     connects with `{ connectionString, database }`, where pg lets the connection string win:
 *     it would replay the migrations into the MAIN database. We create, connect to and drop the
 *     shadow database ourselves (or use the configured shadowDatabaseUrl, emptied before and
 *     after, as the native engine does).
 *  6. SQLite: the engine replays migrations into the shadow database with executeRaw(whole
 *     script), which better-sqlite3 refuses ("contains more than one statement"): we run such a
 *     script with exec().
 *  7. SQLite: reading `_prisma_migrations` in a new database must mean "no migrations yet"; this
 *     engine only recognises the "no such table" error of its native driver and otherwise fails
 *     with P1014 (breaking `migrate status` / `migrate dev` on a new database). We answer with an
 *     empty result, which means the same to it and writes nothing (applyMigrations looks at
 *     sqlite_master itself and creates the table).
 */
function trackedAdapterFactory(url, { shadowDatabaseUrl } = {}) {
  const opened = [];
  const dialect = dialectOfUrl(url);
  let factory;
  if (dialect === "sqlite") {
    factory = new PrismaBetterSqlite3(
      // A short busy timeout: see migrateDeploy on concurrent start-ups.
      { url: sqlitePathOfUrl(url), timeout: SQLITE_BUSY_TIMEOUT_MS },
      shadowDatabaseUrl ? { shadowDatabaseUrl: sqlitePathOfUrl(shadowDatabaseUrl) } : undefined,
    );
  } else {
    factory = new PrismaPg({ connectionString: url, max: 1 });
    factory.connectToShadowDb = async () => {
      if (shadowDatabaseUrl) {
        // Emptied before and after use: it only ever holds a replay of the migrations.
        const empty = 'DROP SCHEMA IF EXISTS "public" CASCADE; CREATE SCHEMA "public"';
        const shadow = await new PrismaPg({ connectionString: shadowDatabaseUrl, max: 1 }).connect();
        await shadow.client.query(empty);
        const dispose = shadow.dispose.bind(shadow);
        shadow.dispose = async () => {
          await shadow.client.query(empty).catch(() => {});
          await dispose();
        };
        return shadow;
      }
      // Created and dropped from the main database (which we know we may connect to), on a
      // connection of its own: the engine's single main session may hold the advisory lock.
      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await withPgClient(url, undefined, (c) => c.query(`CREATE DATABASE "${name}"`));
      const shadow = await new PrismaPg({ connectionString: pgUrlWithDatabase(url, name), max: 1 }).connect();
      const dispose = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await dispose();
        await withPgClient(url, undefined, (c) => dropPgDatabase(c, name));
      };
      return shadow;
    };
  }

  const track = (adapter) => {
    if (dialect === "postgres") {
      adapter.executeScript = async (script) => {
        try {
          await adapter.client.query(script);
        } catch (error) {
          adapter.onError(error);
        }
      };
      const performIO = adapter.performIO.bind(adapter);
      adapter.performIO = async (query) => {
        const result = await performIO(query);
        for (const field of result.fields) if (field.dataTypeID === PG_CHAR_OID) field.dataTypeID = PG_TEXT_OID;
        return result;
      };
    } else {
      // adapter-better-sqlite3 reports SQLITE_BUSY as kind "SocketTimeout", which this engine
      // cannot decode ("unknown variant `SocketTimeout`"): hand it the plain SQLite error.
      for (const method of ["queryRaw", "executeRaw", "executeScript", "startTransaction"]) {
        const fn = adapter[method].bind(adapter);
        adapter[method] = async (...args) => {
          try {
            return await fn(...args);
          } catch (error) {
            if (error?.cause?.kind !== "SocketTimeout") throw error;
            throw new DriverAdapterError({ kind: "sqlite", extendedCode: 5, message: error.cause.originalMessage ?? "database is locked" });
          }
        };
      }
      const executeRaw = adapter.executeRaw.bind(adapter);
      adapter.executeRaw = async (query) => {
        try {
          return await executeRaw(query);
        } catch (error) {
          if (query.args.length > 0 || !/more than one statement/.test(error?.message)) throw error;
          await adapter.executeScript(query.sql);
          return 0;
        }
      };
      const queryRaw = adapter.queryRaw.bind(adapter);
      adapter.queryRaw = async (query) => {
        // The engine reads a partial index's WHERE with the index's name in double quotes, a string
        // only where SQLite accepts double-quoted strings, which better-sqlite3 builds without.
        const partialIndex = /^SELECT sql FROM sqlite_master WHERE type = 'index' AND name = "([^"]+)";?$/.exec(query.sql.trim());
        if (partialIndex) query = { ...query, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", args: [partialIndex[1]], argTypes: [{ scalarType: "string", arity: "scalar" }] };
        try {
          return await queryRaw(query);
        } catch (error) {
          if (error?.cause?.kind !== "TableDoesNotExist" || !/FROM `_prisma_migrations`/.test(query.sql)) throw error;
          const columnNames = [...query.sql.matchAll(/^\s*(\w+),?$/gm)].map((m) => m[1]);
          return { columnNames, columnTypes: columnNames.map(() => ColumnTypeEnum.Text), rows: [] };
        }
      };
    }
    const dispose = adapter.dispose.bind(adapter);
    let disposed = false;
    adapter.dispose = async () => {
      if (disposed) return;
      disposed = true;
      await dispose();
    };
    opened.push(adapter);
    return adapter;
  };

  const connect = factory.connect.bind(factory);
  const connectToShadowDb = factory.connectToShadowDb.bind(factory);
  factory.connect = async () => track(await connect());
  factory.connectToShadowDb = async () => track(await connectToShadowDb());
  return {
    factory,
    /** The first connection the engine opened: its main database. */
    main: () => opened[0],
    async disposeAll() {
      for (const adapter of opened.reverse()) await adapter.dispose().catch(() => {});
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Engine instances.

/**
 * A wasm schema engine connected to `url`. `datamodels` is [[path, content], …] (the schema
 * files), or undefined for commands that need none (applying migrations, diffs that name their
 * sources). `log` receives the engine's JSON log lines. Call close() when done.
 */
export async function openSchemaEngine({ url, datamodels, shadowDatabaseUrl, log = () => {} }) {
  const wasm = await loadWasm();
  const { factory, main, disposeAll } = trackedAdapterFactory(url, { shadowDatabaseUrl });
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  let engine;
  try {
    engine = await wasm.SchemaEngine.new({ datamodels: datamodels?.length ? datamodels : undefined }, log, adapter);
  } catch (error) {
    await disposeAll();
    throw normaliseEngineError(error, adapter);
  }
  let warmedFor;
  return {
    dialect: dialectOfUrl(url),
    /** Calls one engine method (e.g. "applyMigrations") with its params; errors are normalised. */
    async call(method, params) {
      if (typeof engine[method] !== "function") throw Object.assign(new Error(`Unknown schema engine method ${method}`), { rpcCode: -32601 });
      // `migrate reset` / `db push --force-reset`: this engine's SQLite reset only deletes rows
      // ("DELETE FROM" each table), so re-applying the migrations fails on existing tables.
      if (method === "reset" && dialectOfUrl(url) === "sqlite") return resetSqlite(main(), url);
      // This engine build replays the migration history for evaluateDataLoss / createMigration
      // (`migrate dev`) through the "built-in" shadow database, which the Wasm build does not
      // have ("… shadow DB must be provided through an external factory"), unless the replay is
      // already cached. diagnoseMigrationHistory with the shadow database allowed replays it
      // through the adapter's shadow database and fills that cache (when the database is up to
      // date, as it is in `migrate dev`, which applies pending migrations first).
      if ((method === "evaluateDataLoss" || method === "createMigration") && params?.migrationsList) {
        const key = JSON.stringify(params.migrationsList);
        if (warmedFor !== key) {
          warmedFor = key;
          await engine
            .diagnoseMigrationHistory({ migrationsList: params.migrationsList, optInToShadowDatabase: true, filters: params.filters ?? NO_FILTER })
            .catch(() => {});
        }
      }
      try {
        // Called on the instance (not detached) so wasm-bindgen finds its pointer.
        return await engine[method](params);
      } catch (error) {
        throw normaliseEngineError(error, adapter);
      }
    },
    async close() {
      try {
        engine.free();
      } finally {
        await disposeAll();
      }
    },
  };
}

/**
 * Empties the SQLite database behind `adapter` (a tracked adapter) the way the native engine
 * does: a new, empty file. Dropping the tables is not enough, since `sqlite_sequence` cannot be
 * dropped and this engine counts it as a table ("P3005 The database schema is not empty"). The
 * adapter keeps its better-sqlite3 connection in `client`; we reopen it on the new file.
 */
function resetSqlite(adapter, url) {
  const file = sqlitePathOfUrl(url);
  if (file === ":memory:") throw new Error("reset: an in-memory SQLite database cannot be reset");
  adapter.client.close();
  for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
  adapter.client = new Database(file, { timeout: SQLITE_BUSY_TIMEOUT_MS });
  adapter.client.defaultSafeIntegers(true); // as @prisma/adapter-better-sqlite3 opens it
  return undefined;
}

/**
 * Engine errors come in three shapes: user-facing errors ({ code: "P3009", message, meta? }),
 * connector errors (SchemaConnectorError with a Rust span trace appended), and Rust panics
 * (WebAssembly RuntimeError). A JS error raised inside the driver adapter reaches us as a
 * reference into the adapter's error registry. Return an Error with a clean message, `code`
 * (a Prisma error code, when known) and `isPanic`.
 */
export function normaliseEngineError(error, adapter) {
  if (!(error instanceof Error)) return new Error(String(error));
  const id = /External error id#(\d+)/.exec(error.message)?.[1];
  const registered = id === undefined ? undefined : adapter?.errorRegistry?.consumeError(Number(id))?.error;
  if (registered instanceof Error) {
    registered.message = `${error.message.split(/\n\s+0: /)[0].replace(/External error id#\d+/, "").trim()}\n${registered.message}`;
    return registered;
  }
  const isPanic = error.name === "RuntimeError";
  // The span trace ("   0: module::fn\n   with …\n   at file.rs:113") is for engine developers.
  let message = error.message.split(/\n\s+0: /)[0].replace(/^external connector error\n/, "").trim();
  const migration = /apply_script\s+with migration_name="([^"]+)"/.exec(error.message)?.[1];
  if (migration && !error.code) message = `Migration \`${migration}\` failed to apply:\n${message}`;
  const out = new Error(message);
  out.name = error.name;
  out.code = error.code ?? connectionErrorCode(message);
  out.meta = error.meta;
  out.isPanic = isPanic;
  return out;
}

/** The engine's connection errors carry the native engine's text but not its code. */
function connectionErrorCode(message) {
  if (/^Authentication failed/.test(message)) return "P1000";
  if (/^Can't reach database server/.test(message)) return "P1001";
  if (/^Database .* does not exist/.test(message)) return "P1003";
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Databases themselves (the native binary's `cli create-database | can-connect-to-database |
// drop-database`, which the CLI runs before `migrate dev/deploy` and `db push`).

function pgTarget(url) {
  const u = new URL(url);
  return { database: decodeURIComponent(u.pathname.slice(1)) || "postgres", where: `${u.hostname}:${u.port || 5432}` };
}

function pgError(error, url) {
  const { database, where } = pgTarget(url);
  const known = {
    "3D000": ["P1003", `Database \`${database}\` does not exist on the database server at \`${where}\`.`],
    "28P01": ["P1000", `Authentication failed against database server at \`${where}\`, the provided database credentials are not valid.`],
    28000: ["P1000", `Authentication failed against database server at \`${where}\`: ${error.message}`],
    ECONNREFUSED: ["P1001", `Can't reach database server at \`${where}\`.`],
    ENOTFOUND: ["P1001", `Can't reach database server at \`${where}\`.`],
    "42P04": ["P1009", `Database \`${database}\` already exists on the database server at \`${where}\`.`],
  }[error.code];
  return Object.assign(new Error(known?.[1] ?? error.message), { code: known?.[0] });
}

/** Run one statement on `url`'s server, connected to `database` (default: the URL's own). */
async function withPgClient(url, database, fn) {
  // (pg lets the connection string win over a `database` option: change the URL itself.)
  const client = new pg.Client({ connectionString: database ? pgUrlWithDatabase(url, database) : url });
  try {
    await client.connect();
    return await fn(client);
  } catch (error) {
    throw pgError(error, url);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Resolves when `url` can be connected to; rejects with code P1003 when the database is missing. */
export async function ensureDatabaseReachable(url) {
  if (dialectOfUrl(url) === "sqlite") {
    const file = sqlitePathOfUrl(url);
    if (file !== ":memory:" && !existsSync(file)) {
      throw Object.assign(new Error(`Database \`${path.basename(file)}\` does not exist at \`${file}\`.`), { code: "P1003" });
    }
    return;
  }
  await withPgClient(url, undefined, (c) => c.query("SELECT 1"));
}

/** Creates the database of `url` (SQLite: the file and its folder). Returns its name. */
export async function createDatabase(url) {
  if (dialectOfUrl(url) === "sqlite") {
    const file = sqlitePathOfUrl(url);
    mkdirSync(path.dirname(file), { recursive: true });
    new Database(file).close();
    return path.basename(file);
  }
  const { database } = pgTarget(url);
  // CREATE DATABASE must be sent from another database of the same server.
  const maintenance = database === "postgres" ? "template1" : "postgres";
  await withPgClient(url, maintenance, (c) => c.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`));
  return database;
}

/** Drops the database of `url` (SQLite: deletes the file). */
export async function dropDatabase(url) {
  if (dialectOfUrl(url) === "sqlite") {
    const file = sqlitePathOfUrl(url);
    for (const f of [file, `${file}-journal`, `${file}-wal`, `${file}-shm`]) rmSync(f, { force: true });
    return;
  }
  const { database } = pgTarget(url);
  const maintenance = database === "postgres" ? "template1" : "postgres";
  await withPgClient(url, maintenance, (c) => dropPgDatabase(c, database));
}

/** DROP DATABASE, ending its sessions first (WITH (FORCE) needs PostgreSQL 13+; plain before). */
function dropPgDatabase(client, database) {
  const name = `"${database.replaceAll('"', '""')}"`;
  return client
    .query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    .catch((error) => (error.code === "42601" ? client.query(`DROP DATABASE IF EXISTS ${name}`) : Promise.reject(error)));
}

// ---------------------------------------------------------------------------------------------
// Migrations on disk, in the shape the engine expects (the same listing the CLI builds).

export async function readMigrationsList(baseDir, shadowDbInitScript = "") {
  const lockfile = { path: "migration_lock.toml", content: await fs.readFile(path.join(baseDir, "migration_lock.toml"), "utf8").catch(() => null) };
  const entries = await fs.readdir(baseDir, { withFileTypes: true }).catch(() => []);
  const migrationDirectories = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const content = await fs
      .readFile(path.join(baseDir, entry.name, "migration.sql"), "utf8")
      .then((value) => ({ tag: "ok", value }))
      .catch((error) => ({ tag: "error", value: error.message }));
    migrationDirectories.push({ path: entry.name, migrationFile: { path: "migration.sql", content } });
  }
  return { baseDir, lockfile, shadowDbInitScript, migrationDirectories };
}

function schemaFiles(schemaPath) {
  return [{ path: schemaPath, content: readFileSync(schemaPath, "utf8") }];
}

// ---------------------------------------------------------------------------------------------
// The API the app and the tests use.

// Another instance is migrating. SQLite: SQLITE_BUSY reaches us as P1008 ("Socket timeout": the
// engine maps SQLite's code 5 to it). PostgreSQL: the engine gives up waiting for its advisory
// lock after 10 s (P1002).
const isLockedByAnotherMigrator = (error, dialect) =>
  dialect === "sqlite"
    ? error?.code === "P1008" || /database is locked|SQLITE_BUSY/i.test(String(error?.message))
    : error?.code === "P1002" && /advisory lock/.test(String(error?.message));

/**
 * Applies the committed migrations of `url`'s dialect that the database lacks (= `prisma migrate
 * deploy`) and returns their names ([] when it was up to date). Creates the SQLite file and its
 * folder when missing; a PostgreSQL database must exist.
 *
 * Concurrent start-ups: on PostgreSQL the engine holds `pg_advisory_lock(72707369)` on our single
 * connection while it reads and applies, so a second instance waits, then finds nothing to do. On
 * SQLite the engine puts its connection in `locking_mode=EXCLUSIVE`; a second instance fails with
 * SQLITE_BUSY (after a 2 s busy timeout) before it has written anything. Either way, when the
 * engine gives up waiting we retry, for up to `waitForLockMs` in all.
 *
 * Note: after a PostgreSQL run the engine leaves its 10 s lock-timeout timer pending; a script
 * that should end right away calls process.exit().
 */
export async function migrateDeploy({ url, migrationsDir, log, waitForLockMs = 300_000 } = {}) {
  if (!url) throw new Error("migrateDeploy: url is required");
  const dialect = dialectOfUrl(url);
  if (dialect === "sqlite") mkdirSync(path.dirname(sqlitePathOfUrl(url)), { recursive: true });
  const migrationsList = await readMigrationsList(migrationsDir ?? LAYOUT[dialect].migrations);
  // The engine locks a SQLite file exclusively even when there is nothing to apply, which a running
  // server (or an import beside it) would wait for forever: look first, with a plain read.
  if (dialect === "sqlite" && sqliteIsUpToDate(url, migrationsList)) return [];
  const giveUpAt = Date.now() + waitForLockMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const engine = await openSchemaEngine({ url, log });
      try {
        const { appliedMigrationNames } = await engine.call("applyMigrations", { migrationsList, filters: filtersOf(dialect) });
        return appliedMigrationNames;
      } finally {
        await engine.close();
      }
    } catch (error) {
      if (!isLockedByAnotherMigrator(error, dialect) || Date.now() > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(100 * attempt, 1000) + Math.random() * 100));
    }
  }
}

/**
 * True when the SQLite database at `url` has every committed migration applied, finished and not
 * rolled back, and no unfinished one (a failed migration needs the engine to report it).
 */
function sqliteIsUpToDate(url, migrationsList) {
  const file = sqlitePathOfUrl(url);
  if (file === ":memory:" || !existsSync(file)) return false;
  let database;
  try {
    database = new Database(file, { readonly: true, fileMustExist: true, timeout: SQLITE_BUSY_TIMEOUT_MS });
    const rows = database.prepare('SELECT "migration_name" AS name, "finished_at" AS finished, "rolled_back_at" AS rolledBack FROM "_prisma_migrations"').all();
    if (rows.some((r) => r.finished === null && r.rolledBack === null)) return false;
    const applied = new Set(rows.filter((r) => r.finished !== null && r.rolledBack === null).map((r) => r.name));
    return migrationsList.migrationDirectories.every((d) => applied.has(d.path));
  } catch {
    // No migrations table yet, or unreadable: the engine decides.
    return false;
  } finally {
    database?.close();
  }
}

async function diffToSchema({ url, from, schemaPath, shadowDatabaseUrl }) {
  const engine = await openSchemaEngine({ url, shadowDatabaseUrl });
  try {
    const to = { tag: "schemaDatamodel", files: schemaFiles(schemaPath) };
    const { exitCode, stdout } = await engine.call("diff", { from, to, script: true, exitCode: true, filters: filtersOf(dialectOfUrl(url)) });
    // exitCode 2 = "the diff is not empty" (what `prisma migrate diff --exit-code` reports).
    return { empty: exitCode === 0, script: exitCode === 0 ? "" : (stdout ?? "") };
  } finally {
    await engine.close();
  }
}

/**
 * The SQL that would take a database built from the committed migrations of `dialect` to its
 * schema (prisma/schema.prisma, or the SQLite derivation): `{ empty: true, script: "" }` when they
 * agree. The migrations are replayed in a shadow database: SQLite in memory; PostgreSQL needs
 * `url`, a server where the user may CREATE DATABASE (or `shadowDatabaseUrl`, an empty database).
 * `schemaPath` / `migrationsDir` override the committed ones.
 */
export async function diffMigrationsAgainstSchema({ dialect, url, shadowDatabaseUrl, schemaPath, migrationsDir }) {
  if (dialect === "postgres" && !url) throw new Error("diffMigrationsAgainstSchema: PostgreSQL needs a server url");
  const migrationsList = await readMigrationsList(migrationsDir ?? LAYOUT[dialect].migrations);
  return diffToSchema({
    url: url ?? "file::memory:",
    shadowDatabaseUrl,
    schemaPath: schemaPath ?? LAYOUT[dialect].schema,
    from: { tag: "migrations", ...migrationsList },
  });
}

/** The SQL that would take the live database at `url` to its dialect's schema (empty: in sync). */
export async function diffDatabaseAgainstSchema({ url, schemaPath }) {
  schemaPath ??= LAYOUT[dialectOfUrl(url)].schema;
  // "schemaDatasource" = introspect the database behind the schema's datasource, i.e. our adapter
  // (this engine refuses a bare { tag: "url" } target).
  const from = { tag: "schemaDatasource", files: schemaFiles(schemaPath), configDir: path.dirname(schemaPath) };
  return diffToSchema({ url, schemaPath, from });
}
