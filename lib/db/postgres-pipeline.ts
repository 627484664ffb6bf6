import pg from "pg";
import type { SqlQuery } from "@prisma/driver-adapter-utils";
import { preparedStatementName } from "./prepared-statements";

/**
 * Several statements of one PostgreSQL transaction sent in one round trip: the extended query
 * protocol lets a client send each statement's Parse/Bind/Execute one after another and a single
 * Sync, and the server answers them in order (PostgreSQL's "pipelining"). node-postgres sends one
 * statement per round trip, but takes any object with `submit(connection)` and the `handle…`
 * callbacks as a query of its own (as pg-cursor does): this is one. It carries the statements of a
 * transaction lib/db/sql.ts held (its deferred BEGIN, the writes `queueWrite` holds) together with
 * the statement that needs an answer, and gives each statement's result: how many rows it changed,
 * and the rows it returned, read as the driver adapter's path reads them (`rowOf`).
 *
 * If one fails, the server skips the rest up to the Sync; the transaction is then failed and the
 * caller rolls it back, so the statements still commit all or none.
 */
export function runPipelined(client: pg.PoolClient, queries: readonly SqlQuery[]): Promise<PipelinedResult[]> {
  return new Promise((resolve, reject) => {
    const pipeline = new Pipeline(queries, (error, results) => (error ? reject(error) : resolve(results!)));
    // The client gives a submittable its query timeout through `callback` too.
    void client.query(pipeline as unknown as pg.QueryConfig);
  });
}

export interface PipelinedResult {
  /** Rows changed (or returned), from the statement's command tag. */
  count: number;
  /** The rows, for a statement that returns some (a SELECT, a write with RETURNING). */
  rows: Record<string, unknown>[];
}

type Callback = (error: Error | null, results?: PipelinedResult[]) => void;

/** The parts of node-postgres's connection a pipeline writes to (its own Query uses the same). */
interface Connection {
  stream: { cork?: () => void; uncork?: () => void };
  parsedStatements: Record<string, string>;
  parse(message: { text: string; name?: string; types?: number[] }): void;
  bind(message: { statement?: string; values: unknown[] }): void;
  describe(message: { type: "P"; name: string }): void;
  execute(message: Record<string, never>): void;
  sync(): void;
  on(event: "parseComplete", listener: () => void): void;
  removeListener(event: "parseComplete", listener: () => void): void;
}

class Pipeline {
  private readonly results: PipelinedResult[] = [];
  /** The current statement's columns (from its RowDescription) and the rows read so far. */
  private columns: { name: string; read: ReadValue }[] = [];
  private rows: Record<string, unknown>[] = [];
  private unreadable: Error | undefined;
  private done = false;
  /** The Parse messages sent, in order: each ParseComplete confirms the next (named, or null). */
  private readonly parses: ({ name: string; text: string } | null)[] = [];
  private connection: Connection | undefined;

  constructor(
    readonly queries: readonly SqlQuery[],
    public callback: Callback,
  ) {}

  submit(connection: Connection): null {
    this.connection = connection;
    connection.on("parseComplete", this.onParseComplete);
    const parsedHere = new Set<string>();
    connection.stream.cork?.();
    try {
      for (const query of this.queries) {
        let name = preparedStatementName(query);
        // A name this connection holds for another text (never expected) would be refused: unnamed then.
        const held = name === undefined ? undefined : connection.parsedStatements[name];
        if (held !== undefined && held !== query.sql) name = undefined;
        const parsed = name !== undefined && (held !== undefined || parsedHere.has(name));
        if (!parsed) {
          connection.parse({ text: query.sql, ...(name ? { name } : {}) });
          this.parses.push(name ? { name, text: query.sql } : null);
          if (name) parsedHere.add(name);
        }
        connection.bind({ statement: name ?? "", values: query.args.map(toParameter) });
        connection.describe({ type: "P", name: "" });
        connection.execute({});
      }
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  private readonly onParseComplete = () => {
    // Recorded as node-postgres records its own: the next statement of that name skips its Parse.
    const parsed = this.parses.shift();
    if (parsed && this.connection) this.connection.parsedStatements[parsed.name] = parsed.text;
  };

  handleRowDescription(message: { fields: { name: string; dataTypeID: number }[] }): void {
    this.columns = message.fields.map((field) => ({ name: field.name, read: this.readerOf(field.dataTypeID) }));
  }

  /** Thrown here it would end the connection's handler: reported as the pipeline's failure instead. */
  private readerOf(oid: number): ReadValue {
    const read = READERS[oid];
    if (read) return read;
    this.unreadable ??= new Error(`a pipelined statement returned a column of PostgreSQL type ${oid}, which lib/db/postgres-pipeline.ts does not read`);
    return asText;
  }

  handleDataRow(message: { fields: (string | null)[] }): void {
    const row: Record<string, unknown> = {};
    const { columns } = this;
    for (let i = 0; i < columns.length; i++) {
      const text = message.fields[i];
      row[columns[i]!.name] = text === null || text === undefined ? null : columns[i]!.read(text);
    }
    this.rows.push(row);
  }

  handleEmptyQuery(): void {
    this.endStatement(0);
  }
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}

  handleCommandComplete(message: { text: string }): void {
    // "INSERT 0 1", "UPDATE 3", "DELETE 0", "COMMIT": the changed rows are the last number, if any.
    const rows = /(\d+)$/.exec(message.text);
    this.endStatement(rows ? Number(rows[1]) : 0);
  }

  private endStatement(count: number): void {
    this.results.push({ count, rows: this.rows });
    this.columns = [];
    this.rows = [];
  }

  handleError(error: Error): void {
    this.finish(error);
  }

  handleReadyForQuery(): void {
    this.finish(null);
  }

  private finish(error: Error | null): void {
    if (this.done) return;
    this.done = true;
    this.connection?.removeListener("parseComplete", this.onParseComplete);
    const failure = error ?? this.unreadable ?? null;
    this.callback(failure, failure ? undefined : this.results);
  }
}

type ReadValue = (text: string) => unknown;

const asNumber: ReadValue = (text) => Number(text);
const asText: ReadValue = (text) => text;
const parseBytes = pg.types.getTypeParser(pg.types.builtins.BYTEA) as ReadValue;

/**
 * A column's text as lib/db/sql.ts reads it through the driver adapter: timestamps (the schema's
 * `timestamp(3)`, UTC) and dates as Dates, integers (bigint too) and floats as numbers, booleans,
 * bytes as a Buffer; numeric and JSON as their text. Only the types the schema and its statements
 * use: any other fails loudly rather than read differently (the unit suite runs on PostgreSQL).
 */
const READERS: Record<number, ReadValue> = {
  [pg.types.builtins.BOOL]: (text) => text === "t",
  [pg.types.builtins.INT2]: asNumber,
  [pg.types.builtins.INT4]: asNumber,
  [pg.types.builtins.INT8]: asNumber,
  [pg.types.builtins.OID]: asNumber,
  [pg.types.builtins.FLOAT4]: asNumber,
  [pg.types.builtins.FLOAT8]: asNumber,
  [pg.types.builtins.NUMERIC]: asText,
  [pg.types.builtins.TEXT]: asText,
  [pg.types.builtins.VARCHAR]: asText,
  [pg.types.builtins.BPCHAR]: asText,
  19: asText, // name (catalog queries)
  [pg.types.builtins.JSON]: asText,
  [pg.types.builtins.JSONB]: asText,
  [pg.types.builtins.TIMESTAMP]: (text) => new Date(`${text.replace(" ", "T")}+00:00`),
  [pg.types.builtins.TIMESTAMPTZ]: (text) => new Date(text.replace(" ", "T").replace(/([+-]\d{2})$/, "$1:00")),
  [pg.types.builtins.DATE]: (text) => new Date(text),
  [pg.types.builtins.BYTEA]: parseBytes,
};

/**
 * A parameter as the driver adapter sends it (Prisma's adapter for pg): a date as UTC text without
 * a zone, for the schema's `timestamp(3)` columns, anything else as node-postgres would.
 */
export function toParameter(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return utcTimestamp(value);
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

function utcTimestamp(date: Date): string {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const ms = date.getUTCMilliseconds();
  return (
    `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${ms ? `.${pad(ms, 3)}` : ""}`
  );
}

// Process-wide (Symbol.for): Next.js may load this module more than once, with one pool for all.
const BEGIN_PENDING = Symbol.for("auth.postgres.beginPending");
type DeferringClient = pg.PoolClient & { [BEGIN_PENDING]?: boolean };
const isBegin = (query: unknown) => typeof query === "object" && query !== null && (query as { text?: unknown }).text === "BEGIN";

/**
 * A transaction's BEGIN waits on its connection for the transaction's first statement: the driver
 * adapter sends it alone as it opens one (a round trip of its own). lib/db/sql.ts then sends it in
 * the same pipeline as the statements that follow (`takePendingBegin`); any other statement on the
 * connection (Prisma's own transactions) sends it first, as before. Installed on every connection
 * of `pool` as it is made.
 */
export function deferTransactionStarts(pool: pg.Pool): void {
  pool.on("connect", (connected) => {
    const client = connected as DeferringClient;
    client.query = function (this: DeferringClient, ...args: unknown[]) {
      // The prototype's method looked up at each call: recordPostgresStatements wraps it.
      const send = (Object.getPrototypeOf(client) as { query: (...a: unknown[]) => unknown }).query;
      if (isBegin(args[0]) && args.length === 1 && !client[BEGIN_PENDING]) {
        client[BEGIN_PENDING] = true;
        return Promise.resolve({ command: "BEGIN", rowCount: null, rows: [], fields: [] });
      }
      if (client[BEGIN_PENDING]) {
        client[BEGIN_PENDING] = false;
        return (send.call(client, "BEGIN") as Promise<unknown>).then(() => send.apply(client, args));
      }
      return send.apply(client, args);
    } as pg.PoolClient["query"];
  });
  // A connection handed back with its BEGIN never sent has no transaction to carry over.
  pool.on("release", (_error: Error | undefined, client: pg.PoolClient) => {
    (client as DeferringClient)[BEGIN_PENDING] = false;
  });
}

/** Whether `client`'s transaction has not sent its BEGIN yet; the caller then sends it (with what follows). */
export function takePendingBegin(client: pg.PoolClient): boolean {
  const deferring = client as DeferringClient;
  if (!deferring[BEGIN_PENDING]) return false;
  deferring[BEGIN_PENDING] = false;
  return true;
}
