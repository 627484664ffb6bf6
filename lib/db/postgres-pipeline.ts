import type pg from "pg";
import type { SqlQuery } from "@prisma/driver-adapter-utils";
import { preparedStatementName } from "./prepared-statements";

/**
 * Several statements of one PostgreSQL transaction sent in one round trip: the extended query
 * protocol lets a client send each statement's Parse/Bind/Execute one after another and a single
 * Sync, and the server answers them in order (PostgreSQL's "pipelining"). node-postgres sends one
 * statement per round trip, but takes any object with `submit(connection)` and the `handle…`
 * callbacks as a query of its own (as pg-cursor does): this is one, for statements whose result
 * is only how many rows they changed (the writes lib/db/sql.ts's `queueWrite` holds, and the
 * statement and COMMIT that follow them).
 *
 * If one fails, the server skips the rest up to the Sync; the transaction is then failed and the
 * caller rolls it back, so the statements still commit all or none.
 */
export function runPipelined(client: pg.PoolClient, queries: readonly SqlQuery[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const pipeline = new Pipeline(queries, (error, counts) => (error ? reject(error) : resolve(counts!)));
    // The client gives a submittable its query timeout through `callback` too.
    void client.query(pipeline as unknown as pg.QueryConfig);
  });
}

type Callback = (error: Error | null, counts?: number[]) => void;

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
  private readonly counts: number[] = [];
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

  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleEmptyQuery(): void {
    this.counts.push(0);
  }
  handlePortalSuspended(): void {}
  handleCopyInResponse(): void {}
  handleCopyData(): void {}

  handleCommandComplete(message: { text: string }): void {
    // "INSERT 0 1", "UPDATE 3", "DELETE 0", "COMMIT": the changed rows are the last number, if any.
    const rows = /(\d+)$/.exec(message.text);
    this.counts.push(rows ? Number(rows[1]) : 0);
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
    this.callback(error, error ? undefined : this.counts);
  }
}

/**
 * A parameter as the driver adapter sends it (Prisma's adapter for pg): a date as UTC text without
 * a zone, for the schema's `timestamp(3)` columns, anything else as node-postgres would.
 */
function toParameter(value: unknown): unknown {
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
