import { now } from "@/lib/clock";
import { execute, prisma, sql, type Tx } from "./sql";

export interface AuditEntry {
  type: string;
  userId?: number | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, string | number | boolean | null>;
}

/** Security events (logins, failures, resets, token reuse). Never pass a secret in `detail`. */
export async function recordAudit(tx: Tx, entry: AuditEntry): Promise<void> {
  const detail = entry.detail ? JSON.stringify(entry.detail) : null;
  await execute(
    tx,
    sql`INSERT INTO "AuditEvent" ("userId", "type", "ip", "userAgent", "detail", "createdAt")
        VALUES (${entry.userId ?? null}, ${entry.type}, ${entry.ip ?? null}, ${entry.userAgent ?? null}, ${detail}, ${now()})`,
  );
}

/** Housekeeping: deletes up to `limit` events recorded before `cutoff`. */
export async function deleteAuditEventsBefore(tx: Tx, cutoff: Date, limit: number): Promise<number> {
  const old = await (await prisma(tx)).auditEvent.findMany({ where: { createdAt: { lt: cutoff } }, select: { id: true }, take: limit });
  if (old.length === 0) return 0;
  return (await (await prisma(tx)).auditEvent.deleteMany({ where: { id: { in: old.map((e) => e.id) } } })).count;
}
