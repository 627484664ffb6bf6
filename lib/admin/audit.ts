import { database } from "@/lib/db";
import { listAuditEvents, type AuditEventRecord, type AuditFilter } from "@/lib/db/audit";
import { emailsOfUsers } from "@/lib/db/users";
import type { Caller } from "@/lib/auth/types";
import { requireAdmin } from "./access";
import { decodeCursor, encodeCursor } from "./cursor";

/** The audit log as the operator's console reads it: filtered, newest first, in keyset pages or as CSV. */

/**
 * One audit event: who it concerns (`userId`), who acted when an admin did (`actorId`), and its
 * details. The addresses are those of the accounts now, null for no account or one since erased
 * (the ids stay: the record outlives them).
 */
export interface AuditEvent {
  id: number;
  at: Date;
  type: string;
  userId: number | null;
  userEmail: string | null;
  actorId: number | null;
  actorEmail: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
}

export interface AuditQuery extends AuditFilter {
  /** 1 to 100 (default 50). */
  limit?: number;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
}

export interface AuditPage {
  events: AuditEvent[];
  /** Null on the last page. */
  nextCursor: string | null;
}

export const AUDIT_PAGE_DEFAULT = 50;
export const AUDIT_PAGE_MAX = 100;

/** `rows` as events, with the addresses of the accounts they name, read in one statement for them all. */
export async function toAuditEvents(rows: readonly AuditEventRecord[]): Promise<AuditEvent[]> {
  const ids = new Set(rows.flatMap((row) => [row.userId, row.actorId]).filter((id) => id !== null));
  const emails = await emailsOfUsers(database, [...ids]);
  const emailOf = (id: number | null) => (id === null ? null : (emails.get(id) ?? null));
  return rows.map((row) => ({
    id: row.id,
    at: row.createdAt,
    type: row.type,
    userId: row.userId,
    userEmail: emailOf(row.userId),
    actorId: row.actorId,
    actorEmail: emailOf(row.actorId),
    ip: row.ip,
    userAgent: row.userAgent,
    details: parseDetail(row.detail),
  }));
}

function parseDetail(detail: string | null): Record<string, unknown> | null {
  if (detail === null) return null;
  try {
    return JSON.parse(detail) as Record<string, unknown>;
  } catch {
    return { text: detail };
  }
}

const positionOf = (cursor: string | null | undefined) => {
  if (!cursor) return null;
  const [ms, id] = decodeCursor(cursor, 2) as [number, number];
  return { createdAt: new Date(ms), id };
};

/** A page of events matching `query`, newest first. */
export async function listAudit(admin: Caller, query: AuditQuery = {}): Promise<AuditPage> {
  requireAdmin(admin.user);
  const limit = Math.min(Math.max(query.limit ?? AUDIT_PAGE_DEFAULT, 1), AUDIT_PAGE_MAX);
  const rows = await listAuditEvents(database, query, limit + 1, positionOf(query.cursor));
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { events: await toAuditEvents(page), nextCursor: rows.length > limit && last ? encodeCursor([last.createdAt.getTime(), last.id]) : null };
}

export const AUDIT_CSV_COLUMNS = ["id", "at", "type", "userid", "actor", "ip", "user_agent", "details"] as const;

/**
 * Every event matching `filter` as CSV (RFC 4180, a header line first), read a page at a time so
 * that a large export never sits in memory. Cells a spreadsheet would run as a formula (a browser
 * string is the client's to choose) are prefixed with `'` (OWASP's CSV injection advice).
 */
export async function* auditCsv(admin: Caller, filter: AuditFilter = {}): AsyncGenerator<string> {
  requireAdmin(admin.user);
  yield `${AUDIT_CSV_COLUMNS.join(",")}\r\n`;
  let after = null;
  for (;;) {
    const rows = await listAuditEvents(database, filter, CSV_BATCH, after);
    for (const row of rows) {
      const details = parseDetail(row.detail);
      const cells = [row.id, row.createdAt.toISOString(), row.type, row.userId, row.actorId, row.ip, row.userAgent, details && JSON.stringify(details)];
      yield `${cells.map(csvCell).join(",")}\r\n`;
    }
    if (rows.length < CSV_BATCH) return;
    const last = rows.at(-1)!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

const CSV_BATCH = 500;

function csvCell(value: string | number | null): string {
  if (value === null) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
