import type { ArgType, SqlDriverAdapter, SqlQuery, SqlResultSet, Transaction } from "@prisma/driver-adapter-utils";
import { ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import { AppError } from "@/lib/errors";
import type { Pool, PoolClient } from "pg";
import { noteFailure } from "./availability";
import { isDatabaseUnavailable } from "./errors";
import { type PipelinedResult, runPipelined, takePendingBegin } from "./postgres-pipeline";
import { prepareStatement } from "./prepared-statements";
import { BINDING_ISOLATION_LEVEL, connectedAdapter, offerToPrisma, postgresPool, prismaClient, type Db, type PrismaTx, type TransactionConnection } from "./client";
import { embeddedConnection, type EmbeddedConnection } from "./sqlite-adapter";

/**
 * The one way into the database (ADR 005, amended by ADR 013): a handle, `Tx`, that every data
 * function takes first, and `transaction(tx => …)`, which opens one. `database` is the handle
 * outside any transaction (each statement commits on its own).
 *
 * A data function writes its statements in SQL here (`query`, `execute`), sent straight to the
 * connection Prisma itself uses, without the Prisma client's query building and interpretation,
 * which cost several times a short statement (ADR 009; on SQLite through the same gate that keeps
 * transactions apart, lib/db/sqlite-adapter.ts), or with Prisma's query API (`await prisma(tx)`),
 * which for a transaction is an interactive transaction of Prisma's opened on the same connection
 * (lib/db/client.ts). Either way the statements given one `tx` are one commit.
 *
 * Statements are written once for both dialects (quoted identifiers, `?` markers numbered for
 * PostgreSQL here).
 */

export interface Statement {
  readonly strings: readonly string[];
  readonly values: readonly unknown[];
}

const isStatement = (value: unknown): value is Statement =>
  typeof value === "object" && value !== null && "strings" in value && "values" in value;

/**
 * A statement from a template: every `${value}` is a bound parameter, never spliced text, except
 * a nested `sql` fragment (a column list written once), whose text and parameters join in place.
 */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Statement {
  if (!values.some(isStatement)) return { strings, values };
  const outValues: unknown[] = [];
  for (const value of values) {
    if (isStatement(value)) outValues.push(...value.values);
    else outValues.push(value);
  }
  return { strings: splicedStrings(strings, values), values: outValues };
}

/**
 * The text parts of a template with its fragments spliced in, the same array as long as the
 * fragments are the same templates: a statement's SQL is then built once (`text`), and the
 * compiled-statement cache finds it without hashing a new string.
 */
const spliced = new WeakMap<readonly string[], { fragments: (readonly string[] | null)[]; strings: readonly string[] }>();

function splicedStrings(strings: TemplateStringsArray, values: readonly unknown[]): readonly string[] {
  const fragments = values.map((value) => (isStatement(value) ? value.strings : null));
  const known = spliced.get(strings);
  if (known && known.fragments.length === fragments.length && known.fragments.every((f, i) => f === fragments[i])) return known.strings;
  const out = [strings[0]!];
  values.forEach((value, i) => {
    if (isStatement(value)) {
      out[out.length - 1] += value.strings[0]!;
      out.push(...value.strings.slice(1));
      out[out.length - 1] += strings[i + 1]!;
    } else {
      out.push(strings[i + 1]!);
    }
  });
  spliced.set(strings, { fragments, strings: out });
  return out;
}

/** Where a statement runs once the database or transaction is known. */
interface Runner {
  query<T>(statement: Statement): Promise<T[]>;
  execute(statement: Statement): Promise<number>;
  /** A write whose result is not needed: at once, or held for the transaction's next round trip. */
  queue(statement: Statement): Promise<void>;
  /** A read held for the transaction's next round trip, its rows given once that answers. */
  queueQuery?<T>(statement: Statement): Promise<T[]>;
  /** Forgets the statements held (before a rollback). */
  discardQueued?(): void;
}

interface OpenSqlTransaction {
  readonly runner: Runner;
  /** The same connection at the driver adapter's level, for Prisma's statements. */
  readonly connection: TransactionConnection;
  readonly tx: Tx;
  ended: boolean;
  /** Prisma's interactive transaction on this connection, once a data function asked for it. */
  prisma?: Promise<PrismaTx>;
  /** Lets that interactive transaction end (before this one commits or rolls back). */
  endPrisma?: () => Promise<void>;
}

/** The handle every data function takes first: the database, or one open transaction. */
export class Tx {
  /** @internal */
  constructor(
    readonly open: OpenSqlTransaction | null,
    /** Reads on this handle wait for the transaction's next statement (readWithNext). */
    readonly readsWait = false,
  ) {}
}

/** Outside any transaction: each statement commits on its own. */
export const database = new Tx(null);

type Provider = SqlDriverAdapter["provider"];

const texts = { sqlite: new WeakMap<readonly string[], string>(), postgres: new WeakMap<readonly string[], string>() };

/** The SQL of `statement` in the dialect's markers, built once per template. */
function text(statement: Statement, provider: Provider): string {
  const { strings } = statement;
  const cache = provider === "postgres" ? texts.postgres : texts.sqlite;
  let out = cache.get(strings);
  if (out === undefined) {
    out = strings[0]!;
    for (let i = 1; i < strings.length; i++) out += (provider === "postgres" ? `$${i}` : "?") + strings[i];
    cache.set(strings, out);
  } else if (provider === "postgres") {
    // Its second use with the same template: a statement of a fixed template, worth preparing.
    prepareStatement(out);
  }
  return out;
}

function argType(value: unknown): ArgType {
  if (typeof value === "string") return { scalarType: "string", arity: "scalar" };
  if (typeof value === "number") return { scalarType: Number.isInteger(value) ? "int" : "float", arity: "scalar" };
  if (value instanceof Date) return { scalarType: "datetime", arity: "scalar" };
  if (typeof value === "boolean") return { scalarType: "boolean", arity: "scalar" };
  if (typeof value === "bigint") return { scalarType: "bigint", arity: "scalar" };
  return { scalarType: "unknown", arity: "scalar" };
}

function toQuery(statement: Statement, provider: Provider): SqlQuery {
  return { sql: text(statement, provider), args: [...statement.values], argTypes: statement.values.map(argType) };
}

/** Rows as objects, with the values Prisma's raw queries give: dates as Date, 64-bit integers as numbers. */
function toRows<T>(result: SqlResultSet): T[] {
  const { columnNames, columnTypes, rows } = result;
  return rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < columnNames.length; i++) {
      let value = row[i];
      if (value !== null && value !== undefined) {
        const type = columnTypes[i];
        if (type === ColumnTypeEnum.DateTime || type === ColumnTypeEnum.Date) value = new Date(value as string);
        else if (type === ColumnTypeEnum.Int64 || typeof value === "bigint") value = Number(value);
        else if (type === ColumnTypeEnum.Boolean && typeof value === "number") value = value !== 0;
      }
      out[columnNames[i]!] = value;
    }
    return out as T;
  });
}

/** The open transaction `tx` names; none for `database`. */
function openOf(tx: Tx): OpenSqlTransaction | null {
  if (tx.open?.ended) throw new Error("a transaction's handle was used after the transaction ended");
  return tx.open;
}

/** Runs `statement` and returns its rows (a SELECT, or a write with RETURNING). */
export function query<T>(tx: Tx, statement: Statement): Promise<T[]> {
  const open = openOf(tx);
  if (open) return tx.readsWait && open.runner.queueQuery ? open.runner.queueQuery<T>(statement) : open.runner.query<T>(statement);
  const embedded = embeddedConnection();
  return embedded ? gatedOn(embedded).query<T>(statement) : outside().then((runner) => runner.query<T>(statement));
}

/** Runs a write and returns how many rows it changed. */
export function execute(tx: Tx, statement: Statement): Promise<number> {
  const open = openOf(tx);
  if (open) return open.runner.execute(statement);
  const embedded = embeddedConnection();
  return embedded ? gatedOn(embedded).execute(statement) : outside().then((runner) => runner.execute(statement));
}

/**
 * A write whose result nobody needs (an audit event, a new session's rows). In a transaction on
 * PostgreSQL it is held and sent with the transaction's next statement or its COMMIT, in the same
 * round trip (lib/db/postgres-pipeline.ts); a failure then fails that statement or the commit, so
 * the transaction still commits all or nothing. Elsewhere it runs at once. Not for a write whose
 * failure the caller handles (a taken e-mail): that one must be `execute`d.
 */
export function queueWrite(tx: Tx, statement: Statement): Promise<void> {
  const open = openOf(tx);
  if (open) return open.runner.queue(statement);
  return execute(tx, statement).then(() => undefined);
}

/**
 * Starts a read whose answer can wait for the transaction's next statement: on PostgreSQL its
 * statements are held and sent with that one, in the same round trip (a login reads its account
 * and a limit's window with its first count). They are sent first, so they see the transaction as
 * it was before that statement. Elsewhere, and outside a transaction, it runs at once. Only its
 * `query`s are held (an `execute` goes at once); a read nobody ends up awaiting (the work failed
 * first) is no unhandled rejection. If nothing follows it, it is sent on its own once the current
 * synchronous work ends.
 */
export function readWithNext<T>(tx: Tx, read: (tx: Tx) => Promise<T>): Promise<T> {
  const open = openOf(tx);
  const reading = read(open ? new Tx(open, true) : tx);
  reading.catch(() => {});
  return reading;
}

/**
 * As readWithNext, for a write whose answer can wait for the transaction's next statement (a
 * claim checked once the count after it is back): it is sent just before that statement, in the
 * order written, so the transaction changes exactly as if it had been sent at once. Only its
 * failure is reported later: by that statement, or by the COMMIT. The write is a `query` (with
 * RETURNING) to be held; writes it merely queues (`queueWrite`) are held anyway.
 */
export const writeWithNext: <T>(tx: Tx, write: (tx: Tx) => Promise<T>) => Promise<T> = readWithNext;

/**
 * Prisma's query API for a data function given `tx`. For a transaction it is an interactive
 * transaction of Prisma's on that transaction's connection, opened the first time it is asked for
 * and ended with it: its statements are part of the same commit.
 */
export function prisma(tx: Tx): Promise<Db | PrismaTx> {
  const open = openOf(tx);
  if (!open) return Promise.resolve(prismaClient());
  open.prisma ??= prismaTransactionOn(open);
  return open.prisma;
}

/**
 * An interactive transaction of Prisma's on `open`'s connection: the adapter's startTransaction
 * (lib/db/client.ts) takes the connection offered for the call marked with the binding isolation
 * level, so no other transaction Prisma opens meanwhile can take it.
 */
async function prismaTransactionOn(open: OpenSqlTransaction): Promise<PrismaTx> {
  const withdraw = await offerToPrisma(open.connection);
  // Asked for by work that did not wait for it: its transaction is over.
  if (open.ended) {
    withdraw();
    throw new Error("a transaction's handle was used after the transaction ended");
  }
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  return new Promise<PrismaTx>((resolve, reject) => {
    const finished = prismaClient()
      .$transaction(
        async (prismaTx) => {
          resolve(prismaTx);
          await ended;
        },
        // Never Prisma's timers: the transaction ends with this one (PostgreSQL's own limits still apply).
        { isolationLevel: BINDING_ISOLATION_LEVEL, maxWait: 60_000, timeout: 24 * 60 * 60_000 },
      )
      .catch((error: unknown) => {
        withdraw();
        reject(error);
      });
    open.endPrisma = async () => {
      end();
      await finished;
    };
  });
}

/** Statements on a driver adapter's connection or transaction (PostgreSQL). */
function onAdapter(queryable: Pick<Transaction, "provider" | "queryRaw" | "executeRaw">): Runner {
  const execute = (statement: Statement) => queryable.executeRaw(toQuery(statement, queryable.provider));
  return {
    query: async <T>(statement: Statement) => toRows<T>(await queryable.queryRaw(toQuery(statement, queryable.provider))),
    execute,
    queue: (statement) => execute(statement).then(() => undefined),
  };
}

/**
 * Statements of a PostgreSQL transaction on its pooled connection, each sent with everything held
 * before it in one round trip (lib/db/postgres-pipeline.ts): the transaction's BEGIN (held since
 * the adapter opened it) and the writes `queueWrite` held. A transaction whose statements all wait
 * for its COMMIT is one round trip; one that sent nothing sends nothing to end. Prisma's statements
 * in the transaction (`connection`) go through the adapter after whatever is held.
 */
function onPostgresTransaction(tx: Transaction, client: PoolClient): { runner: Runner; connection: TransactionConnection } {
  let beginHeld = takePendingBegin(client);
  let held: SqlQuery[] = [];
  /** Reads held among `held` (at their index there), answered when it is sent. */
  let readers: { at: number; resolve: (rows: unknown[]) => void; reject: (error: unknown) => void }[] = [];
  // The connection failed (the server gone, or silent past the query timeout): nothing more is
  // sent on it, not even the ROLLBACK (the server ends the transaction with the connection), so a
  // request waits out one timeout, not two.
  let lost: unknown;
  const pipelined = async (statements: SqlQuery[]): Promise<PipelinedResult[]> => {
    if (lost) throw lost;
    const queries = beginHeld ? [BEGIN_ON_POSTGRES, ...statements] : statements;
    beginHeld = false;
    try {
      return await runPipelined(client, queries);
    } catch (error) {
      noteFailure(error);
      if (isDatabaseUnavailable(error)) {
        lost = error;
        // Ended, so the pool drops it when the transaction hands it back.
        void (client as PoolClient & { end(): Promise<void> }).end().catch(() => {});
      }
      throw error;
    }
  };
  /** Sends what is held, then `statement` if given, in one round trip; gives `statement`'s result. */
  const sendHeldWith = async (statement?: Statement): Promise<PipelinedResult | undefined> => {
    const queries = statement ? [...held, toQuery(statement, "postgres")] : held;
    const waiting = readers;
    held = [];
    readers = [];
    let results: PipelinedResult[];
    try {
      results = await pipelined(queries);
    } catch (error) {
      for (const reader of waiting) reader.reject(error);
      throw error;
    }
    // The transaction's BEGIN, when it went too, answered first.
    const offset = results.length - queries.length;
    for (const reader of waiting) reader.resolve(results[offset + reader.at]!.rows);
    return statement ? results.at(-1) : undefined;
  };
  const flush = async () => {
    if (!held.length && !beginHeld) return;
    await sendHeldWith();
  };
  const runner: Runner = {
    query: async <T>(statement: Statement) => (await sendHeldWith(statement))!.rows as T[],
    execute: async (statement) => {
      // Ending a transaction that never started (nothing was sent) or whose connection is lost.
      if ((lost && statement === ROLLBACK) || (beginHeld && !held.length && (statement === COMMIT || statement === ROLLBACK))) {
        beginHeld = false;
        return 0;
      }
      return (await sendHeldWith(statement))!.count;
    },
    queue: async (statement) => {
      held.push(toQuery(statement, "postgres"));
    },
    queueQuery: <T>(statement: Statement) => {
      const read = new Promise<unknown[]>((resolve, reject) => readers.push({ at: held.length, resolve, reject }));
      held.push(toQuery(statement, "postgres"));
      // Nothing else was sent by the time the work waits for it: it goes on its own.
      queueMicrotask(() => {
        if (readers.length) void flush().catch(() => {});
      });
      return read as Promise<T[]>;
    },
    discardQueued: () => {
      held = [];
      const waiting = readers;
      readers = [];
      for (const reader of waiting) reader.reject(new Error("the transaction ended before this read was sent"));
    },
  };
  const connection: TransactionConnection = {
    queryRaw: async (q) => {
      await flush();
      return tx.queryRaw(q);
    },
    executeRaw: async (q) => {
      await flush();
      return tx.executeRaw(q);
    },
  };
  return { runner, connection };
}

const BEGIN_ON_POSTGRES: SqlQuery = { sql: "BEGIN", args: [], argTypes: [] };

/**
 * Statements on the embedded connection; `gated` outside a transaction (they wait for an open one
 * to end), not inside one, which holds the gate. Failures are noted as the adapter's are.
 */
function onEmbedded(connection: EmbeddedConnection, gated: boolean): Runner {
  const run = <T>(work: () => T): Promise<T> => {
    const noted = () => {
      try {
        return work();
      } catch (error) {
        noteFailure(error);
        throw error;
      }
    };
    // A throw inside the executor rejects the promise.
    return gated ? connection.gate.runSync(noted) : new Promise<T>((resolve) => resolve(noted()));
  };
  const execute = (statement: Statement) => run(() => connection.run(text(statement, "sqlite"), statement.values));
  return {
    query: <T>(statement: Statement) => run(() => connection.all<T>(text(statement, "sqlite"), statement.values)),
    execute,
    // In process a write costs no round trip: nothing to gain by holding it.
    queue: (statement) => execute(statement).then(() => undefined),
  };
}

/**
 * Where a statement outside any transaction runs. Once the embedded connection is open its runner
 * is found without a wait (every authenticated request asks); otherwise this connects first.
 */
async function outside(): Promise<Runner> {
  const adapter = await connectedAdapter();
  const embedded = adapter.provider === "sqlite" ? embeddedConnection() : undefined;
  if (embedded) return gatedOn(embedded);
  const pool = adapter.provider === "postgres" ? postgresPool() : undefined;
  if (!pool) return onAdapter(adapter);
  let runner = pooledRunners.get(pool);
  if (!runner) pooledRunners.set(pool, (runner = pooledRunner(pool)));
  return runner;
}

const pooledRunners = new WeakMap<Pool, Runner>();

/**
 * A statement outside any transaction on PostgreSQL: on a connection of the adapter's pool, as the
 * adapter's own would go, but read by lib/db/postgres-pipeline.ts, which costs less CPU per
 * statement than the adapter's path (the session check of every authenticated request is one).
 */
function pooledRunner(pool: Pool): Runner {
  const run = async (statement: Statement): Promise<PipelinedResult> => {
    let client: PoolClient;
    try {
      client = await pool.connect();
    } catch (error) {
      noteFailure(error);
      throw error;
    }
    try {
      const [result] = await runPipelined(client, [toQuery(statement, "postgres")]);
      client.release();
      return result!;
    } catch (error) {
      // As pg's pool.query does: a connection that failed a statement is not reused.
      client.release(error instanceof Error ? error : true);
      noteFailure(error);
      throw error;
    }
  };
  return {
    query: async <T>(statement: Statement) => (await run(statement)).rows as T[],
    execute: async (statement) => (await run(statement)).count,
    queue: async (statement) => void (await run(statement)),
  };
}

const gatedRunners = new WeakMap<EmbeddedConnection, Runner>();

function gatedOn(connection: EmbeddedConnection): Runner {
  let runner = gatedRunners.get(connection);
  if (!runner) gatedRunners.set(connection, (runner = onEmbedded(connection, true)));
  return runner;
}

/**
 * Runs `work` in one transaction (BEGIN IMMEDIATE on SQLite, lib/db/sqlite-adapter.ts): committed
 * when it returns, rolled back when it throws. Only what is given its `tx` is part of it: on
 * SQLite a statement on `database` sent from inside waits for the transaction to end.
 */
export async function transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  const adapter = await connectedAdapter();
  const embedded = adapter.provider === "sqlite" ? embeddedConnection() : undefined;
  if (embedded) {
    // The gate is held from BEGIN to the end, as the adapter's own transactions hold it.
    const release = await embedded.gate.acquire();
    try {
      const runner = onEmbedded(embedded, false);
      await runner.execute(BEGIN);
      return await commitOrRollBack(opened(runner, embedded.ungated), work);
    } finally {
      release();
    }
  }
  const tx = await adapter.startTransaction();
  const client = (tx as Transaction & { client?: PoolClient }).client;
  let committed = false;
  try {
    const { runner, connection } = client ? onPostgresTransaction(tx, client) : { runner: onAdapter(tx), connection: tx };
    const value = await commitOrRollBack(opened(runner, connection), work);
    committed = true;
    return value;
  } finally {
    // Hands the connection back to the adapter (its own lock, or the pool).
    await (committed ? tx.commit() : tx.rollback());
  }
}

function opened(runner: Runner, connection: TransactionConnection): OpenSqlTransaction {
  const open = { runner, connection, ended: false } as { -readonly [K in keyof OpenSqlTransaction]: OpenSqlTransaction[K] };
  open.tx = new Tx(open);
  return open;
}

/** Commits what `work` wrote when it returns; rolls back when it or the commit fails, reporting that error. */
async function commitOrRollBack<T>(open: OpenSqlTransaction, work: (tx: Tx) => Promise<T>): Promise<T> {
  const { runner } = open;
  // The first error is the one to report, even if the rollback fails too (a connection gone).
  const rollBack = () => {
    runner.discardQueued?.();
    return runner.execute(ROLLBACK).catch(() => {});
  };
  try {
    let value: T;
    try {
      value = await work(open.tx);
    } catch (error) {
      await open.endPrisma?.();
      await rollBack();
      throw error;
    }
    // Prisma's part ends first: it sends nothing more once this commits.
    await open.endPrisma?.();
    try {
      // A failed COMMIT leaves the transaction to be rolled back (PostgreSQL has already done so).
      await runner.execute(COMMIT);
    } catch (error) {
      await rollBack();
      throw error;
    }
    return value;
  } finally {
    open.ended = true;
  }
}

/**
 * `work` in `tx` when that is an open transaction, else in one of its own: for a data function
 * whose statements must commit together whoever calls it.
 */
export function atomically<T>(tx: Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  return tx.open ? work(tx) : transaction(work);
}

/**
 * Runs `work` in one transaction, so that its counts cost one commit (one fsync on SQLite) instead
 * of one each. It commits even when a limit or check refuses (an AppError): what was counted stays
 * counted, exactly as one statement at a time would have left it. Other errors roll it back.
 */
export async function countTogether<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  const outcome = await transaction(async (tx) => {
    try {
      return { value: await work(tx) };
    } catch (error) {
      if (error instanceof AppError) return { refused: error };
      throw error;
    }
  });
  if ("refused" in outcome) throw outcome.refused;
  return outcome.value;
}

// Taking the write lock at BEGIN (see lib/db/sqlite-adapter.ts): a deferred BEGIN could be refused at its first write.
const BEGIN = sql`BEGIN IMMEDIATE`;
const COMMIT = sql`COMMIT`;
const ROLLBACK = sql`ROLLBACK`;

/**
 * `text` as a pattern matching what starts with it, for `LIKE ${likePrefix(text)} ESCAPE '\'` (the
 * same SQL on SQLite and PostgreSQL): `%` and `_` are valid in an e-mail address, and unescaped they
 * would match other accounts' rows. SQLite's LIKE also ignores ASCII case: the keys it is used on are
 * lowercase.
 */
export function likePrefix(text: string): string {
  return `${likeLiteral(text)}%`;
}

/** `text` with LIKE's wildcards and its escape character escaped, for `LIKE … ESCAPE '\'`. */
export function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, "\\$&");
}

/**
 * Housekeeping's delete: up to `limit` rows of `table` matching `condition`, the oldest first by
 * `oldestFirst` (a column with an index, so the search is a walk of that index from its start: on
 * PostgreSQL it steps over the entries of rows deleted before without reading them again, where a
 * scan of the table would read them until vacuum, past the query timeout on a big backlog). The
 * condition is checked again on each row as it is deleted, so a row changed meanwhile stays.
 * Returns how many rows went.
 */
export function deleteOldest(tx: Tx, rows: { table: Statement; key: Statement; condition: Statement; oldestFirst: Statement }, limit: number): Promise<number> {
  const { table, key, condition, oldestFirst } = rows;
  return execute(tx, sql`DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${condition} ORDER BY ${oldestFirst} LIMIT ${limit}) AND ${condition}`);
}

/** `parts` joined by `separator` into one fragment (the conditions of a WHERE built from filters). */
export function joinSql(parts: readonly Statement[], separator: string): Statement {
  const strings: string[] = [""];
  const values: unknown[] = [];
  parts.forEach((part, i) => {
    strings[strings.length - 1] += (i === 0 ? "" : separator) + part.strings[0]!;
    strings.push(...part.strings.slice(1));
    values.push(...part.values);
  });
  return { strings, values };
}

/**
 * `items` cut for multi-row statements: `largest` at a time, then what is left in powers of four.
 * The sizes are few and fixed, so the compiled-statement cache (lib/db/sqlite-adapter.ts) keeps a
 * handful of texts, not a large statement for every row count a batch happens to have.
 */
export function* multiRowChunks<T>(items: readonly T[], largest: number): Generator<T[]> {
  let start = 0;
  while (start < items.length) {
    let size = largest;
    const left = items.length - start;
    if (left < largest) for (size = 1; size * 4 <= left; size *= 4);
    yield items.slice(start, start + size);
    start += size;
  }
}
