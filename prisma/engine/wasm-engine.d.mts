// Types for ./wasm-engine.mjs (plain JS so that it runs without a build step).

export type Dialect = "sqlite" | "postgres";

/** Repository root. */
export const ROOT: string;
/** The canonical schema and migrations folder of each dialect. */
export const LAYOUT: Record<Dialect, { schema: string; migrations: string }>;

export function dialectOfUrl(url: string): Dialect;
export function sqlitePathOfUrl(url: string): string;
export function wasmEngineVersion(): Promise<string>;

export interface MigrateDeployOptions {
  /** DATABASE_URL: `file:/abs/path.db` or `postgresql://…` (use databaseUrlFromEnv()). */
  url: string;
  /** Defaults to the committed migrations of the URL's dialect. */
  migrationsDir?: string;
  /** Receives the engine's JSON log lines. */
  log?: (line: string) => void;
  /** How long to keep retrying while another instance is migrating (default 300 000 ms). */
  waitForLockMs?: number;
}

/**
 * Applies pending committed migrations (= `prisma migrate deploy`); returns the names applied.
 * Safe when several instances start at once. After a PostgreSQL run the engine leaves a 10 s timer
 * pending: a script that should end at once calls process.exit().
 */
export function migrateDeploy(options: MigrateDeployOptions): Promise<string[]>;

export interface DiffResult {
  /** True when there is nothing to change. */
  empty: boolean;
  /** The SQL that would make the two agree ("" when empty). */
  script: string;
}

export function diffMigrationsAgainstSchema(options: {
  dialect: Dialect;
  /** Required for PostgreSQL: a server where the user may CREATE DATABASE (shadow database). */
  url?: string;
  shadowDatabaseUrl?: string;
  schemaPath?: string;
  migrationsDir?: string;
}): Promise<DiffResult>;

export function diffDatabaseAgainstSchema(options: { url: string; schemaPath?: string }): Promise<DiffResult>;

/** An error from the engine or the database, with a Prisma error code when known (e.g. "P3009"). */
export interface EngineError extends Error {
  code?: string;
  meta?: unknown;
  isPanic?: boolean;
}

export interface SchemaEngineHandle {
  dialect: Dialect;
  /** Calls a method of @prisma/schema-engine-wasm's SchemaEngine by name. */
  call(method: string, params?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export function openSchemaEngine(options: {
  url: string;
  /** [[path, content], …] of the schema files, when the command needs them. */
  datamodels?: [string, string][];
  shadowDatabaseUrl?: string;
  log?: (line: string) => void;
}): Promise<SchemaEngineHandle>;

export function readMigrationsList(baseDir: string, shadowDbInitScript?: string): Promise<unknown>;
export function normaliseEngineError(error: unknown, adapter?: unknown): EngineError;

export function ensureDatabaseReachable(url: string): Promise<void>;
/** Creates the database of `url` (SQLite: the file and its folder); returns its name. */
export function createDatabase(url: string): Promise<string>;
export function dropDatabase(url: string): Promise<void>;
