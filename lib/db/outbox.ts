import { now } from "@/lib/clock";
import { atomically, deleteOldest, prisma, query, queueWrite, sql, type Tx } from "./sql";
import type { OutboxEmail } from "./generated/postgres/client";

/**
 * The transactional outbox for e-mail. A request that needs a mail inserts a row in the same
 * transaction as the state change (new verification, reset token), so both commit or neither
 * does; the background sender (lib/mail/sender.ts) delivers rows later and retries on failure.
 *
 * Delivery is at-least-once: a row is claimed with a lease (`lockedUntil`) so two app instances
 * never send it at the same time, but a sender that dies between "SMTP accepted" and recording
 * the row as sent (with its next round's claims while mail keeps coming, at once when it runs out)
 * leaves a row that is sent again when the lease runs out.
 */

export type OutboxRow = OutboxEmail;

/** What a mail is for; rate limits and the dev mailbox group by it. */
export type MailKind = "verification" | "password_reset" | "notice";

export type OutboxStatus = "pending" | "sent" | "failed";

export interface NewEmail {
  to: string;
  kind: MailKind;
  subject: string;
  text: string;
  html: string;
}

/** Long SMTP transcripts are not worth keeping whole. */
const MAX_ERROR_LENGTH = 1000;

/** Body left in a row once its content must no longer be readable from the database. */
const ERASED_BODY = "";

/**
 * Call inside the transaction that makes the mail necessary. Nothing in the request reads the row
 * back (the sender finds it), so in a transaction on PostgreSQL it goes with the next statement or
 * the COMMIT instead of a round trip of its own.
 */
export async function enqueueEmail(tx: Tx, email: NewEmail, options: { notBefore?: Date } = {}): Promise<void> {
  // Times come from the service clock (not the database default) so that "due" means the same
  // thing to the writer and to the sender, including under a test clock.
  const at = now();
  await queueWrite(
    tx,
    sql`INSERT INTO "OutboxEmail" ("to", "subject", "text", "html", "kind", "status", "attempts", "nextAttemptAt", "createdAt")
        VALUES (${email.to}, ${email.subject}, ${email.text}, ${email.html}, ${email.kind}, 'pending', 0, ${options.notBefore ?? at}, ${at})`,
  );
}

/**
 * Leases up to `limit` due rows to the caller for `leaseMs`. Each row is taken with a conditional
 * update that repeats the "claimable" test (waiting, due, not leased or the lease ran out) and
 * returns the row, so when two senders pick the same candidate only one update matches
 * (PostgreSQL re-checks the condition after the competing update commits; SQLite runs writes one
 * at a time). The lease must outlast a send, or another instance may resend. Every sign-up and
 * reset sends a mail, so these are statements of lib/db/sql.ts. The claims of a batch are one
 * commit (one fsync on SQLite), not one each: `tx`'s, when it is a transaction (the sender records
 * its previous round's deliveries in it).
 */
export async function claimDueEmails(tx: Tx, limit: number, leaseMs: number): Promise<OutboxRow[]> {
  const at = now();
  const claimable = sql`"status" = 'pending' AND "nextAttemptAt" <= ${at} AND ("lockedUntil" IS NULL OR "lockedUntil" < ${at})`;
  const candidates = await query<{ id: number }>(
    tx,
    sql`SELECT "id" FROM "OutboxEmail" WHERE ${claimable} ORDER BY "nextAttemptAt", "id" LIMIT ${limit}`,
  );
  if (candidates.length === 0) return [];
  const lockedUntil = new Date(at.getTime() + leaseMs);
  const claimed = await atomically(tx, async (tx) => {
    const rows: OutboxRow[] = [];
    for (const { id } of candidates) {
      const [row] = await query<OutboxRow>(
        tx,
        sql`UPDATE "OutboxEmail" SET "lockedUntil" = ${lockedUntil} WHERE "id" = ${id} AND ${claimable}
            RETURNING "id", "to", "subject", "text", "html", "kind", "status", "attempts", "nextAttemptAt", "lockedUntil", "lastError", "createdAt", "sentAt"`,
      );
      if (row) rows.push(row);
    }
    return rows;
  });
  return claimed.sort((a, b) => a.id - b.id);
}

/** Lifts the leases of rows a stopping sender could not finish, so any instance may send them now. */
export async function releaseClaims(tx: Tx, ids: number[]): Promise<number> {
  const { count } = await (await prisma(tx)).outboxEmail.updateMany({ where: { id: { in: ids }, status: "pending" }, data: { lockedUntil: null } });
  return count;
}

export interface MarkOptions {
  /**
   * Blank the body (text and html) of a finished row. A verification or reset mail carries a
   * live token in clear text; once it has left, the database should not keep a copy that anyone
   * with read access to it could use.
   */
  eraseBody?: boolean;
}

const erasedBody = (options: MarkOptions) => (options.eraseBody ? { text: ERASED_BODY, html: ERASED_BODY } : {});

/** A row the relay accepted, and when. */
export interface SentEmail {
  id: number;
  sentAt: Date;
}

/** Records rows as sent. */
export async function recordSent(tx: Tx, sent: readonly SentEmail[], options: MarkOptions = {}): Promise<void> {
  const body = options.eraseBody ? sql`, "text" = ${ERASED_BODY}, "html" = ${ERASED_BODY}` : sql``;
  for (const { id, sentAt } of sent) {
    await queueWrite(
      tx,
      sql`UPDATE "OutboxEmail" SET "status" = 'sent', "sentAt" = ${sentAt}, "attempts" = "attempts" + 1, "lockedUntil" = NULL, "lastError" = NULL${body}
          WHERE "id" = ${id}`,
    );
  }
}

/**
 * Records a failed attempt. `nextAttemptAt` schedules the retry; `null` gives up on the row
 * (status "failed"), which is final.
 */
export async function markAttemptFailed(
  tx: Tx,
  id: number,
  error: string,
  nextAttemptAt: Date | null,
  options: MarkOptions = {},
): Promise<void> {
  const retry = nextAttemptAt !== null;
  await (await prisma(tx)).outboxEmail.update({
    where: { id },
    data: {
      status: retry ? "pending" : "failed",
      ...(retry ? { nextAttemptAt } : {}),
      attempts: { increment: 1 },
      lockedUntil: null,
      lastError: error.slice(0, MAX_ERROR_LENGTH),
      ...(retry ? {} : erasedBody(options)),
    },
  });
}

/** Newest first, for the development mailbox. */
export async function latestEmails(tx: Tx, limit: number): Promise<OutboxRow[]> {
  return (await prisma(tx)).outboxEmail.findMany({ orderBy: { id: "desc" }, take: limit });
}

/** Seconds the oldest waiting mail has waited (0 when none waits): a stuck relay shows here first. */
export async function oldestPendingAgeSeconds(tx: Tx): Promise<number> {
  const oldest = await (await prisma(tx)).outboxEmail.findFirst({ where: { status: "pending" }, orderBy: { createdAt: "asc" }, select: { createdAt: true } });
  return oldest ? Math.max(0, (now().getTime() - oldest.createdAt.getTime()) / 1000) : 0;
}

export async function pendingCount(tx: Tx): Promise<number> {
  return (await prisma(tx)).outboxEmail.count({ where: { status: "pending" } });
}

/** Housekeeping: deletes up to `limit` finished rows (sent or given up) created before `cutoff`. */
export async function deleteFinishedEmailsBefore(tx: Tx, cutoff: Date, limit: number): Promise<number> {
  // Sent or failed, said as "not pending": an IN list would lead SQLite to the status index and a sort.
  return deleteOldest(tx, { table: sql`"OutboxEmail"`, key: sql`"id"`, condition: sql`"status" <> 'pending' AND "createdAt" < ${cutoff}`, oldestFirst: sql`"createdAt"` }, limit);
}
