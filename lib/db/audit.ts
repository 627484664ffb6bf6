import { now } from "@/lib/clock";
import { db } from "./client";
import { execute, sql, type Executor } from "./sql";

export interface AuditEntry {
  type: string;
  userId?: number | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, string | number | boolean | null>;
}

/** Security events (logins, failures, resets, token reuse). Never pass a secret in `detail`. */
export async function recordAudit(entry: AuditEntry, client: Executor = db()): Promise<void> {
  const detail = entry.detail ? JSON.stringify(entry.detail) : null;
  await execute(
    client,
    sql`INSERT INTO "AuditEvent" ("userId", "type", "ip", "userAgent", "detail", "createdAt")
        VALUES (${entry.userId ?? null}, ${entry.type}, ${entry.ip ?? null}, ${entry.userAgent ?? null}, ${detail}, ${now()})`,
  );
}

/** Housekeeping: deletes up to `limit` events recorded before `cutoff`. */
export async function deleteAuditEventsBefore(cutoff: Date, limit: number): Promise<number> {
  const old = await db().auditEvent.findMany({ where: { createdAt: { lt: cutoff } }, select: { id: true }, take: limit });
  if (old.length === 0) return 0;
  return (await db().auditEvent.deleteMany({ where: { id: { in: old.map((e) => e.id) } } })).count;
}
