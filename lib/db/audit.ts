import { now } from "@/lib/clock";
import type { Prisma } from "./generated/postgres/client";
import { deleteOldest, execute, joinSql, multiRowChunks, prisma, query, queueWrite, sql, type Statement, type Tx } from "./sql";

export interface AuditEntry {
  type: string;
  userId?: number | null;
  /** The admin who acted on `userId` (the operator's console); absent when the user acted. */
  actorId?: number | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, string | number | boolean | null>;
}

const AUDIT_COLUMNS = sql`("userId", "actorId", "type", "ip", "userAgent", "detail", "createdAt")`;

function auditValues(entry: AuditEntry, at: Date): Statement {
  const detail = entry.detail ? JSON.stringify(entry.detail) : null;
  return sql`(${entry.userId ?? null}, ${entry.actorId ?? null}, ${entry.type}, ${entry.ip ?? null}, ${entry.userAgent ?? null}, ${detail}, ${at})`;
}

/** Security events (logins, failures, resets, token reuse). Never pass a secret in `detail`. */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  await queueWrite(tx, sql`INSERT INTO "AuditEvent" ${AUDIT_COLUMNS} VALUES ${auditValues(entry, now())}`);
}

/** Seven parameters an event: a statement stays well under SQLite's 32,766 bound parameters. */
const EVENTS_PER_INSERT = 1000;

/** Many events at once (an import's), up to a thousand per statement; held for the transaction's next round trip (its COMMIT). */
export async function recordAudits(tx: Tx, entries: readonly AuditEntry[]): Promise<void> {
  const at = now();
  for (const chunk of multiRowChunks(entries, EVENTS_PER_INSERT)) {
    const values = joinSql(chunk.map((entry) => auditValues(entry, at)), ", ");
    await queueWrite(tx, sql`INSERT INTO "AuditEvent" ${AUDIT_COLUMNS} VALUES ${values}`);
  }
}

/** Housekeeping: deletes up to `limit` events recorded before `cutoff`. */
export async function deleteAuditEventsBefore(tx: Tx, cutoff: Date, limit: number): Promise<number> {
  return deleteOldest(tx, { table: sql`"AuditEvent"`, key: sql`"id"`, condition: sql`"createdAt" < ${cutoff}`, oldestFirst: sql`"createdAt"` }, limit);
}

/** An audit row as recorded (`detail` still the stored JSON text). */
export interface AuditEventRecord {
  id: number;
  createdAt: Date;
  type: string;
  userId: number | null;
  actorId: number | null;
  ip: string | null;
  userAgent: string | null;
  detail: string | null;
}

export interface AuditFilter {
  userId?: number;
  type?: string;
  /** Recorded at or after. */
  since?: Date;
  /** Recorded before. */
  until?: Date;
}

/** Where a page of events ends: the next page starts after this event in the (createdAt, id) order. */
export interface AuditPosition {
  createdAt: Date;
  id: number;
}

/**
 * Events matching `filter`, newest first, `limit` of them after `after` (keyset paging: each page
 * is an index range, however deep, where OFFSET would count every row before it). Each filter has
 * its index ending in createdAt: (userId, createdAt), (type, createdAt), (createdAt).
 */
export async function listAuditEvents(tx: Tx, filter: AuditFilter, limit: number, after: AuditPosition | null): Promise<AuditEventRecord[]> {
  const createdAt: Prisma.DateTimeFilter<"AuditEvent"> = {};
  if (filter.since) createdAt.gte = filter.since;
  if (filter.until) createdAt.lt = filter.until;
  // The bound `createdAt <= after` is what an index range starts from; the OR only settles ties.
  if (after) createdAt.lte = after.createdAt;
  const where: Prisma.AuditEventWhereInput = {
    ...(filter.userId !== undefined ? { userId: filter.userId } : {}),
    ...(filter.type !== undefined ? { type: filter.type } : {}),
    ...(Object.keys(createdAt).length ? { createdAt } : {}),
    ...(after ? { OR: [{ createdAt: { lt: after.createdAt } }, { id: { lt: after.id } }] } : {}),
  };
  return (await prisma(tx)).auditEvent.findMany({
    where,
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: limit,
    select: { id: true, createdAt: true, type: true, userId: true, actorId: true, ip: true, userAgent: true, detail: true },
  });
}

/** The day counts kept in "AuditDayCount" since the UTC day `sinceDay` ("YYYY-MM-DD"). */
export async function findDayCounts(tx: Tx, sinceDay: string): Promise<Array<{ day: string; type: string; count: number }>> {
  const rows = await query<{ day: string; type: string; count: number | bigint }>(
    tx,
    sql`SELECT "day", "type", "count" FROM "AuditDayCount" WHERE "day" >= ${sinceDay}`,
  );
  return rows.map((r) => ({ day: r.day, type: r.type, count: Number(r.count) }));
}

/** How many events of each of `types` were recorded in [from, to) (ranges of the (type, createdAt) index). */
export async function countAuditEvents(tx: Tx, types: readonly string[], from: Date, to: Date): Promise<Map<string, number>> {
  const rows = await query<{ type: string; n: number | bigint }>(
    tx,
    sql`SELECT "type", COUNT(*) AS "n" FROM "AuditEvent"
        WHERE "type" IN (${joinSql(types.map((type) => sql`${type}`), ", ")}) AND "createdAt" >= ${from} AND "createdAt" < ${to}
        GROUP BY "type"`,
  );
  const counts = new Map(types.map((type) => [type, 0]));
  for (const row of rows) counts.set(row.type, Number(row.n));
  return counts;
}

/** Keeps a finished day's counts (a concurrent reader that kept them first wins: they are the same). */
export async function keepDayCounts(tx: Tx, day: string, counts: ReadonlyMap<string, number>): Promise<void> {
  for (const [type, count] of counts) {
    await execute(tx, sql`INSERT INTO "AuditDayCount" ("day", "type", "count") VALUES (${day}, ${type}, ${count}) ON CONFLICT ("day", "type") DO NOTHING`);
  }
}

/** Adds `n` to a day's count of `type` (a counter several instances add to). */
export async function addToDayCount(tx: Tx, day: string, type: string, n: number): Promise<void> {
  await execute(
    tx,
    sql`INSERT INTO "AuditDayCount" ("day", "type", "count") VALUES (${day}, ${type}, ${n})
        ON CONFLICT ("day", "type") DO UPDATE SET "count" = "AuditDayCount"."count" + ${n}`,
  );
}
