import { AsyncLocalStorage } from "node:async_hooks";
import type { SqlQuery, SqlResultSet } from "@prisma/driver-adapter-utils";

/**
 * The transaction the running code is in (lib/db/sql.ts opens it). The Prisma client cannot be
 * handed a transaction it did not open, so the connection under it follows this scope instead
 * (lib/db/client.ts): inside `transaction(...)`, a data function written with Prisma's query API
 * and one written in SQL meet in the same commit.
 */
export interface OpenTransaction {
  /** The transaction's connection at the driver adapter's level, for the Prisma client's statements. */
  readonly queryable: {
    queryRaw(query: SqlQuery): Promise<SqlResultSet>;
    executeRaw(query: SqlQuery): Promise<number>;
  };
  /** Set once it committed or rolled back: work it left running goes back to the database. */
  ended: boolean;
}

// One scope per process, on globalThis like the Prisma client it serves: Next.js compiles some
// entries (instrumentation.ts, route files, pages) with copies of lib/ of their own, and a
// transaction opened in one copy must be seen by the Prisma client another copy created.
const holder = globalThis as unknown as { __authTransactionScope?: AsyncLocalStorage<OpenTransaction> };
const scope = (holder.__authTransactionScope ??= new AsyncLocalStorage<OpenTransaction>());

/** The open transaction of the running code, if any. */
export function currentTransaction(): OpenTransaction | undefined {
  const open = scope.getStore();
  return open && !open.ended ? open : undefined;
}

/**
 * Runs `work` inside `open`: everything it starts, awaited or not, is in that scope. Its result is
 * awaited inside too: a Prisma query returned unawaited starts only when awaited, which must be
 * in the transaction's scope, not its caller's.
 */
export function inTransaction<T>(open: OpenTransaction, work: () => Promise<T>): Promise<T> {
  return scope.run(open, async () => await work());
}
