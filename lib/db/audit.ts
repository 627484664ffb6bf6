import { db, type Db, type Tx } from "./client";

export interface AuditEntry {
  type: string;
  userId?: number | null;
  ip?: string | null;
  userAgent?: string | null;
  detail?: Record<string, string | number | boolean | null>;
}

/** Security events (logins, failures, resets, token reuse). Never pass a secret in `detail`. */
export async function recordAudit(entry: AuditEntry, client: Db | Tx = db()): Promise<void> {
  await client.auditEvent.create({
    data: {
      type: entry.type,
      userId: entry.userId ?? null,
      ip: entry.ip ?? null,
      userAgent: entry.userAgent ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
    },
  });
}

/** Housekeeping: deletes up to `limit` events recorded before `cutoff`. */
export async function deleteAuditEventsBefore(cutoff: Date, limit: number): Promise<number> {
  const old = await db().auditEvent.findMany({ where: { createdAt: { lt: cutoff } }, select: { id: true }, take: limit });
  if (old.length === 0) return 0;
  return (await db().auditEvent.deleteMany({ where: { id: { in: old.map((e) => e.id) } } })).count;
}
