import Database from "better-sqlite3";

/**
 * Records the SQL of every statement the embedded database runs in this process, whether or not
 * it was compiled before: better-sqlite3's statement methods are wrapped until `stop`. For tests
 * that count a flow's commits and for scripts/bench/trace-statements.ts; never for the server.
 */
export function recordSqliteStatements(): { statements: string[]; values: unknown[][]; viaPrismaClient: boolean[]; viaPrismaAdapter: boolean[]; stop(): void } {
  const probe = new Database(":memory:");
  const proto = Object.getPrototypeOf(probe.prepare("SELECT 1")) as Record<"run" | "all" | "get", (...args: unknown[]) => unknown>;
  probe.close();
  const statements: string[] = [];
  // Each statement's bound values, as better-sqlite3 was given them.
  const values: unknown[][] = [];
  // Whether the statement came through the Prisma client's query engine (its frames are on the
  // async stack) or straight from lib/db/sql.ts.
  const viaPrismaClient: boolean[] = [];
  // Whether Prisma's SQLite adapter ran it (the client's statements, and lib/db/sql.ts on PostgreSQL).
  const viaPrismaAdapter: boolean[] = [];
  const originals = { run: proto.run, all: proto.all, get: proto.get };
  for (const method of ["run", "all", "get"] as const) {
    const original = originals[method];
    proto[method] = function (this: { source: string }, ...args: unknown[]) {
      statements.push(this.source);
      values.push(args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args);
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 100;
      const stack = new Error().stack ?? "";
      viaPrismaClient.push(/@prisma[\\/]client/.test(stack));
      viaPrismaAdapter.push(/@prisma[\\/]adapter-better-sqlite3/.test(stack));
      Error.stackTraceLimit = limit;
      return original.apply(this, args);
    };
  }
  return { statements, values, viaPrismaClient, viaPrismaAdapter, stop: () => Object.assign(proto, originals) };
}

const WRITE = /^\s*(INSERT|UPDATE|DELETE)\b/i;

/**
 * How many commits `statements` made: each COMMIT, and each write outside a transaction (SQLite
 * commits it by itself). With synchronous=FULL every commit is an fsync.
 */
export function commitsOf(statements: string[]): number {
  let commits = 0;
  let inTransaction = false;
  for (const sql of statements) {
    if (/^\s*BEGIN\b/i.test(sql)) inTransaction = true;
    else if (/^\s*COMMIT\b/i.test(sql)) {
      inTransaction = false;
      commits++;
    } else if (/^\s*ROLLBACK\b/i.test(sql)) inTransaction = false;
    else if (!inTransaction && WRITE.test(sql)) commits++;
  }
  return commits;
}
