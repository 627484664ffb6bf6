import pg from "pg";
import { toParameter } from "./postgres-pipeline";
import { preparedStatementName } from "./prepared-statements";

/**
 * Records every statement the `pg` driver sends in this process and the round trips they take (a
 * pipeline of lib/db/postgres-pipeline.ts sends several in one): `pg.Client`'s query method is
 * wrapped until `stop`. The PostgreSQL twin of recordSqliteStatements, for
 * scripts/bench/trace-statements.ts and tests that count round trips; never for the server.
 */
export function recordPostgresStatements(): {
  statements: string[];
  /** Each round trip's statements. */
  roundTrips: string[][];
  /** The prepared statement's name each statement was sent under; undefined for an unnamed one. */
  names: (string | undefined)[];
  /** Each statement's values, as the driver adapter gives them (a date as UTC text without a zone). */
  values: unknown[][];
  stop(): void;
} {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const statements: string[] = [];
  const roundTrips: string[][] = [];
  const names: (string | undefined)[] = [];
  const values: unknown[][] = [];
  proto.query = function (this: unknown, ...args: unknown[]) {
    const [first] = args;
    const sent =
      typeof first === "string"
        ? [{ text: first }]
        : ((first as { queries?: { sql: string; args: unknown[]; argTypes: [] }[] }).queries?.map((q) => ({ text: q.sql, name: preparedStatementName(q), values: q.args.map(toParameter) })) ?? [
            first as { text?: string; name?: string; values?: unknown[] },
          ]);
    const texts: string[] = [];
    for (const q of sent as { text?: string; name?: string; values?: unknown[] }[]) {
      if (q.text === undefined) continue;
      texts.push(q.text);
      statements.push(q.text);
      names.push(q.name);
      values.push(q.values ?? (args[1] as unknown[] | undefined) ?? []);
    }
    if (texts.length) roundTrips.push(texts);
    return original.apply(this, args);
  };
  return { statements, roundTrips, names, values, stop: () => void (proto.query = original) };
}
