import { Prisma } from "./generated/postgres/client";

/** A unique index refused the write: a concurrent request inserted the same key first. */
export function isUniqueViolation(error: unknown): boolean {
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") return true;
  // A statement of lib/db/sql.ts fails with the driver adapter's error, directly or (in a Prisma
  // transaction) inside Prisma's "raw query failed", or on SQLite with better-sqlite3's own.
  const e = error as { code?: unknown; cause?: { kind?: unknown }; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } } | null;
  // SQLite's own, and PostgreSQL's SQLSTATE from a statement pipelined by lib/db/postgres-pipeline.ts.
  if (e?.code === "SQLITE_CONSTRAINT_UNIQUE" || e?.code === "SQLITE_CONSTRAINT_PRIMARYKEY" || e?.code === "23505") return true;
  return (e?.cause?.kind ?? e?.meta?.driverAdapterError?.cause?.kind) === "UniqueConstraintViolation";
}

// Prisma's codes for a database it cannot reach or that stopped answering in time.
const UNAVAILABLE_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024"]);
// The driver adapters' error kinds for the same.
const UNAVAILABLE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections", "DatabaseAccessDenied"]);
// What node-postgres, the sockets and SQLite say when the server is gone, hung or locked.
const UNAVAILABLE_MESSAGES =
  /connection terminated|query read timeout|timeout exceeded when trying to connect|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ETIMEDOUT|the database system is (starting up|shutting down|in recovery mode)|terminating connection due to administrator command|database is locked|SQLITE_BUSY/i;

/**
 * True when `error` means "the database is unreachable or too busy right now" rather than a fault
 * in the request or in our code: the answer is then 503 with Retry-After, and the service recovers
 * by itself once the database answers again.
 */
export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (!error || typeof error !== "object" || depth > 5) return false;
  if (error instanceof Prisma.PrismaClientInitializationError) return true;
  const e = error as { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: { cause?: { kind?: unknown } } } };
  if (typeof e.code === "string" && (UNAVAILABLE_CODES.has(e.code) || e.code.startsWith("SQLITE_BUSY"))) return true;
  const kind = e.meta?.driverAdapterError?.cause?.kind ?? e.kind ?? (e.cause as { kind?: unknown } | undefined)?.kind;
  if (typeof kind === "string" && UNAVAILABLE_KINDS.has(kind)) return true;
  if (typeof e.message === "string" && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}
