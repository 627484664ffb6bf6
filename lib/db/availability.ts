import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory, Transaction } from "@prisma/driver-adapter-utils";
import { isDatabaseUnavailable } from "./errors";

/**
 * Whether the database failed to answer a moment ago. Every query goes through `watched`, which
 * records such failures; the HTTP server (server.mjs, the same process) reads the mark from
 * globalThis to answer a page that failed meanwhile with 503 rather than 500.
 */
const holder = globalThis as unknown as { __authDatabaseUnavailableAt?: number };

export function markDatabaseUnavailable(): void {
  holder.__authDatabaseUnavailableAt = Date.now();
}

export function markDatabaseAvailable(): void {
  holder.__authDatabaseUnavailableAt = undefined;
}

export function databaseUnavailableWithin(ms: number): boolean {
  const at = holder.__authDatabaseUnavailableAt;
  return at !== undefined && Date.now() - at < ms;
}

/** Records `error` if it means the database is unavailable (for statements outside `watched`). */
export function noteFailure(error: unknown): void {
  if (isDatabaseUnavailable(error)) markDatabaseUnavailable();
}

function note<T>(work: Promise<T>): Promise<T> {
  return work.then(
    (value) => value,
    (error: unknown) => {
      noteFailure(error);
      throw error;
    },
  );
}

function watchTransaction(tx: Transaction): Transaction {
  return {
    // Prisma's pg transaction keeps its pooled connection here: lib/db/sql.ts pipelines on it.
    ...("client" in tx ? { client: tx.client } : {}),
    provider: tx.provider,
    adapterName: tx.adapterName,
    options: tx.options,
    queryRaw: (q) => note(tx.queryRaw(q)),
    executeRaw: (q) => note(tx.executeRaw(q)),
    commit: () => note(tx.commit()),
    rollback: () => note(tx.rollback()),
    ...(tx.createSavepoint ? { createSavepoint: tx.createSavepoint.bind(tx) } : {}),
    ...(tx.rollbackToSavepoint ? { rollbackToSavepoint: tx.rollbackToSavepoint.bind(tx) } : {}),
    ...(tx.releaseSavepoint ? { releaseSavepoint: tx.releaseSavepoint.bind(tx) } : {}),
  };
}

function watchAdapter(adapter: SqlDriverAdapter): SqlDriverAdapter {
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    ...(adapter.getConnectionInfo ? { getConnectionInfo: adapter.getConnectionInfo.bind(adapter) } : {}),
    queryRaw: (q) => note(adapter.queryRaw(q)),
    executeRaw: (q) => note(adapter.executeRaw(q)),
    executeScript: (s) => note(adapter.executeScript(s)),
    startTransaction: async (isolationLevel) => watchTransaction(await note(adapter.startTransaction(isolationLevel))),
    dispose: () => adapter.dispose(),
  };
}

/** The adapter factory with every query's "database unavailable" failures recorded. */
export function watched(factory: SqlMigrationAwareDriverAdapterFactory): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => watchAdapter(await note(factory.connect())),
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
}
