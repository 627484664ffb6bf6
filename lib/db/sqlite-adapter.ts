import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import type {
  SqlDriverAdapter,
  SqlMigrationAwareDriverAdapterFactory,
  SqlQuery,
  Transaction,
} from "@prisma/driver-adapter-utils";

/**
 * The embedded database: one better-sqlite3 connection per process.
 *
 * Prisma's SQLite adapter serialises transactions with a mutex but lets plain queries run on the
 * shared connection at any time, so another request's write issued while a transaction is open
 * would silently become part of it (and vanish on rollback). Here every statement outside a
 * transaction waits for the open transaction to end, which gives each transaction the isolation
 * PostgreSQL gives it.
 */
export function embeddedSqliteAdapter(url: string): SqlMigrationAwareDriverAdapterFactory {
  const inner = new PrismaBetterSqlite3({ url, timeout: 5000 });
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    connect: async () => serialised(await configure(await inner.connect())),
    connectToShadowDb: () => inner.connectToShadowDb(),
  };
}

/** Distinct statements kept compiled; Prisma's SQL is parameterised, so a few hundred cover the app. */
const STATEMENT_CACHE_SIZE = 500;

interface Statement {
  reader: boolean;
  run(...args: unknown[]): unknown;
  columns(): unknown[];
  raw(on?: boolean): Statement;
  all(...args: unknown[]): unknown[];
}

/**
 * The adapter compiles every statement it runs (`prepare(sql).bind(args)`), which costs more than
 * running it. Here its connection's `prepare` keeps compiled statements, by SQL text, and hands
 * the adapter a stand-in that binds per call (a better-sqlite3 statement can be bound only once).
 * The same wrapper makes transactions take the write lock when they begin (BEGIN IMMEDIATE),
 * waiting up to busy_timeout for another process's (a second server, an import): a deferred BEGIN
 * would take it at the first write, and if another process wrote in between, SQLite refuses the
 * upgrade at once (SQLITE_BUSY) without waiting. The adapter has no option for either.
 */
function reuseStatements(adapter: SqlDriverAdapter): void {
  const client = (adapter as unknown as { client?: { prepare: (sql: string) => unknown } }).client;
  if (!client || typeof client.prepare !== "function") throw new Error("the SQLite adapter no longer exposes its connection");
  const prepare = client.prepare.bind(client) as (sql: string) => Statement;
  const cache = new Map<string, Statement>();
  client.prepare = (sql: string) => {
    const text = sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql;
    let statement = cache.get(text);
    if (statement) {
      cache.delete(text);
    } else {
      statement = prepare(text);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(text, statement);
    return boundPerCall(statement);
  };
}

/**
 * What the adapter uses of a statement: bind (once, then run, or read columns and raw rows). A
 * compiled statement's columns never change, and better-sqlite3 builds them afresh on every call
 * (7 % of a session check's time), so they are read once.
 */
const columnsOf = new WeakMap<Statement, unknown[]>();

function boundPerCall(statement: Statement) {
  const columns = () => {
    let known = columnsOf.get(statement);
    if (!known) columnsOf.set(statement, (known = statement.columns()));
    return known;
  };
  const bound = (args: unknown[]) => ({
    reader: statement.reader,
    run: () => statement.run(...args),
    columns,
    raw: () => ({ all: () => statement.raw(true).all(...args) }),
  });
  return { reader: statement.reader, bind: (args: unknown[] = []) => bound(args), run: () => statement.run() };
}

async function configure(adapter: SqlDriverAdapter): Promise<SqlDriverAdapter> {
  reuseStatements(adapter);
  // WAL keeps readers and the writer apart; synchronous=FULL makes every commit durable even
  // across power loss (NORMAL would only survive a process kill); foreign keys are off by default.
  await adapter.executeScript(
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
  );
  return adapter;
}

class Gate {
  #tail: Promise<void> = Promise.resolve();
  /** Waits for everything queued before, then holds the gate until `release` is called. */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => held);
    return ready;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

function serialised(adapter: SqlDriverAdapter): SqlDriverAdapter {
  const gate = new Gate();
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    queryRaw: (q: SqlQuery) => gate.run(() => adapter.queryRaw(q)),
    executeRaw: (q: SqlQuery) => gate.run(() => adapter.executeRaw(q)),
    executeScript: (s: string) => gate.run(() => adapter.executeScript(s)),
    dispose: () => adapter.dispose(),
    startTransaction: async (isolationLevel) => {
      const release = await gate.acquire();
      let tx: Transaction;
      try {
        tx = await adapter.startTransaction(isolationLevel);
      } catch (e) {
        release();
        throw e;
      }
      const end = (op: () => Promise<void>) => async () => {
        try {
          await op();
        } finally {
          release();
        }
      };
      return Object.assign(Object.create(tx) as Transaction, {
        commit: end(() => tx.commit()),
        rollback: end(() => tx.rollback()),
      });
    },
  };
}
