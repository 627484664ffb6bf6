import pg from "pg";

/**
 * Records every statement the `pg` driver sends in this process, each one a round trip to the
 * server: `pg.Client`'s query method is wrapped until `stop`. The PostgreSQL twin of
 * recordSqliteStatements, for scripts/bench/trace-statements.ts and tests that count round trips;
 * never for the server.
 */
export function recordPostgresStatements(): { statements: string[]; names: (string | undefined)[]; stop(): void } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const statements: string[] = [];
  // The prepared statement's name each was sent under; undefined for an unnamed one.
  const names: (string | undefined)[] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first] = args;
    const text = typeof first === "string" ? first : (first as { text?: string } | null)?.text;
    if (text !== undefined) {
      statements.push(text);
      names.push((first as { name?: string }).name);
    }
    return original.apply(this, args);
  };
  return { statements, names, stop: () => void (proto.query = original) };
}
