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
    connect: async () => {
      const adapter = await inner.connect();
      const compiled = reuseStatements(adapter);
      await configure(adapter);
      const gate = new Gate();
      const connection = new EmbeddedConnection(gate, compiled, adapter);
      holder.__authEmbeddedConnection = connection;
      return serialised(adapter, gate, () => {
        if (holder.__authEmbeddedConnection === connection) holder.__authEmbeddedConnection = undefined;
      });
    },
    connectToShadowDb: () => inner.connectToShadowDb(),
  };
}

const holder = globalThis as unknown as { __authEmbeddedConnection?: EmbeddedConnection };

/** The embedded connection the Prisma client uses, once it is connected (lib/db/sql.ts). */
export function embeddedConnection(): EmbeddedConnection | undefined {
  return holder.__authEmbeddedConnection;
}

/** Distinct statements kept compiled; Prisma's SQL is parameterised, so a few hundred cover the app. */
const STATEMENT_CACHE_SIZE = 500;

interface Column {
  name: string;
  type: string | null;
}

interface Statement {
  reader: boolean;
  run(...args: unknown[]): { changes: number };
  columns(): Column[];
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
function reuseStatements(adapter: SqlDriverAdapter): (sql: string) => Statement {
  const client = (adapter as unknown as { client?: { prepare: (sql: string) => unknown } }).client;
  if (!client || typeof client.prepare !== "function") throw new Error("the SQLite adapter no longer exposes its connection");
  const prepare = client.prepare.bind(client) as (sql: string) => Statement;
  const cache = new Map<string, Statement>();
  const compiled = (text: string) => {
    let statement = cache.get(text);
    if (statement) {
      cache.delete(text);
    } else {
      statement = prepare(text);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
    }
    cache.set(text, statement);
    return statement;
  };
  client.prepare = (sql: string) => boundPerCall(compiled(sql === "BEGIN" ? "BEGIN IMMEDIATE" : sql));
  return compiled;
}

/**
 * What the adapter uses of a statement: bind (once, then run, or read columns and raw rows). A
 * compiled statement's columns never change, and better-sqlite3 builds them afresh on every call
 * (7 % of a session check's time), so they are read once.
 */
const columnsOf = new WeakMap<Statement, Column[]>();

function columns(statement: Statement): Column[] {
  let known = columnsOf.get(statement);
  if (!known) columnsOf.set(statement, (known = statement.columns()));
  return known;
}

function boundPerCall(statement: Statement) {
  const bound = (args: unknown[]) => ({
    reader: statement.reader,
    run: () => statement.run(...args),
    columns: () => columns(statement),
    raw: () => ({ all: () => statement.raw(true).all(...args) }),
  });
  return { reader: statement.reader, bind: (args: unknown[] = []) => bound(args), run: () => statement.run() };
}

async function configure(adapter: SqlDriverAdapter): Promise<SqlDriverAdapter> {
  // WAL keeps readers and the writer apart; synchronous=FULL makes every commit durable even
  // across power loss (NORMAL would only survive a process kill); foreign keys are off by default.
  await adapter.executeScript(
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON;",
  );
  return adapter;
}

/** One at a time on the connection: a transaction holds it from BEGIN to its end. */
class Gate {
  #tail: Promise<void> = Promise.resolve();
  /** Holders and waiters. */
  #queued = 0;
  /** Waits for everything queued before, then holds the gate until `release` is called. */
  acquire(): Promise<() => void> {
    this.#queued++;
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      let done = false;
      release = () => {
        if (done) return;
        done = true;
        this.#queued--;
        resolve();
      };
    });
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
  /** Runs synchronous work at once when nothing holds or awaits the gate, else in its turn. */
  runSync<T>(fn: () => T): Promise<T> {
    if (this.#queued > 0) return this.run(async () => fn());
    return new Promise<T>((resolve) => resolve(fn()));
  }
}

/**
 * Statements straight on the connection, for lib/db/sql.ts: compiled once (the same cache as the
 * adapter's), bound and read without the adapter's per-call work (its debug logging, argument
 * and row mapping, promise chain), which cost more than a short statement itself. Values are
 * stored as the adapter stores them, so Prisma reads these rows and this reads Prisma's alike.
 */
export class EmbeddedConnection {
  constructor(
    /** Outside a transaction a statement must pass it; inside one, the transaction holds it. */
    readonly gate: Gate,
    private readonly compiled: (sql: string) => Statement,
    /** Prisma's adapter on this connection without the gate: for the Prisma client's statements inside a transaction that holds it. */
    readonly ungated: SqlDriverAdapter,
  ) {}

  /** Rows as objects: dates as Date, booleans as booleans, 64-bit integers as numbers. */
  all<T>(sql: string, values: readonly unknown[]): T[] {
    const statement = this.compiled(sql);
    const args = values.map(toSqlite);
    if (!statement.reader) {
      statement.run(...args);
      return [];
    }
    // Rows as arrays, made objects here: better-sqlite3 builds an object through a native call
    // per column, which costs about as much as the lookup itself.
    const { names, decoders } = readerOf(statement);
    const rows = statement.raw(true).all(...args) as unknown[][];
    const out = new Array<T>(rows.length);
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      const object: Record<string, unknown> = {};
      for (let i = 0; i < names.length; i++) {
        const value = row[i];
        const decode = decoders[i];
        object[names[i]!] = value === null || value === undefined || !decode ? value : decode(value);
      }
      out[r] = object as T;
    }
    return out;
  }

  /** Runs a write; how many rows it changed. */
  run(sql: string, values: readonly unknown[]): number {
    return this.compiled(sql).run(...values.map(toSqlite)).changes;
  }
}

/** A value as the Prisma adapter binds it (its default ISO 8601 dates). */
function toSqlite(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

type Decoder = (value: unknown) => unknown;
const asDate: Decoder = (value) => new Date(typeof value === "bigint" ? Number(value) : (value as string | number));
const asBoolean: Decoder = (value) => Number(value) !== 0;
// The connection reads integers as BigInt (safe for 64-bit ids); the data layer uses numbers.
const asNumber: Decoder = (value) => (typeof value === "bigint" ? Number(value) : value);

/** A statement's column names and, per column, how its values are read (null: as they come). */
interface RowReader {
  names: string[];
  decoders: (Decoder | null)[];
}

const readers = new WeakMap<Statement, RowReader>();

/** From the declared types, as the adapter reads them; read once per compiled statement. */
function readerOf(statement: Statement): RowReader {
  let reader = readers.get(statement);
  if (!reader) {
    const known = columns(statement);
    reader = {
      names: known.map((c) => c.name),
      decoders: known.map(({ type }) => {
        const declared = type?.toUpperCase();
        if (declared === "DATETIME" || declared === "TIMESTAMP" || declared === "DATE") return asDate;
        if (declared === "BOOLEAN") return asBoolean;
        if (declared === "TEXT") return null;
        return asNumber;
      }),
    };
    readers.set(statement, reader);
  }
  return reader;
}

function serialised(adapter: SqlDriverAdapter, gate: Gate, onDispose: () => void): SqlDriverAdapter {
  return {
    provider: adapter.provider,
    adapterName: adapter.adapterName,
    getConnectionInfo: adapter.getConnectionInfo?.bind(adapter),
    queryRaw: (q: SqlQuery) => gate.run(() => adapter.queryRaw(q)),
    executeRaw: (q: SqlQuery) => gate.run(() => adapter.executeRaw(q)),
    executeScript: (s: string) => gate.run(() => adapter.executeScript(s)),
    dispose: () => {
      onDispose();
      return adapter.dispose();
    },
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
