import { now } from "@/lib/clock";
import { database } from "@/lib/db";
import { config } from "@/lib/config/env";
import { deleteAuditEventsBefore } from "@/lib/db/audit";
import { deleteFinishedEmailsBefore } from "@/lib/db/outbox";
import { deleteEndedWindows, deleteWindow, takeLease } from "@/lib/db/rate-limits";
import { deleteEndedSessionsAfter, deleteExpiredRefreshTokens } from "@/lib/db/sessions";
import { deleteFinishedVerifications } from "@/lib/db/verifications";
import { deleteExpiredOAuthRows } from "@/lib/db/oauth";
import { deleteExpiredChallenges } from "@/lib/db/webauthn-challenges";
import { keepRecentDayCounts } from "@/lib/admin/stats";
import { log } from "@/lib/log";

/**
 * Deletes what has stopped mattering: ended limit windows, used or expired codes and links, ended
 * sessions and expired refresh tokens, sent mail, expired passkey challenges, and audit events older
 * than AUDIT_RETENTION_DAYS.
 * One instance at a time sweeps (a lease in the database), in bounded batches, so a sweep never
 * holds a table long nor competes with itself across instances. A sweep that stops at its cap
 * leaves the lease free and the next follows after a short pause, so a backlog (a million ended
 * rows after an outage or an import) drains in minutes instead of one capped sweep per interval.
 */

const DAY_MS = 24 * 60 * 60_000;
const LEASE_KEY = "lease:housekeeping";
/**
 * Rows per delete statement, at most and at least. Between the two each table's batch halves when
 * a batch took over BATCH_TARGET_MS and doubles when it took under a quarter of it, and the next
 * sweep starts from where the last one left it.
 */
const MAX_BATCH = 500;
const MIN_BATCH = 50;
/**
 * How long one batch may take. On SQLite a statement runs on the event loop, so this is also how
 * long a request can wait behind the sweep; on PostgreSQL how long a batch holds its row locks.
 * Measured at a million ended rows on SQLite: with 500-row batches me's p99 was 42–68 ms during the
 * sweep, and with batches halved only past 40 ms they stayed at 500 rows all along.
 */
const BATCH_TARGET_MS = 20;
/** Rows per table per sweep: a backlog leaves in sweeps of this size, BACKLOG_PAUSE_MS apart. */
const MAX_ROWS_PER_SWEEP = 10_000;
/** Sessions examined per session deleted at most, walking the table by key (see deleteEndedSessionsAfter). */
const SESSIONS_EXAMINED_PER_BATCH_ROW = 4;
const batchSizes = new Map<string, number>();

/** The next batch's size after one of `size` rows took `tookMs`. */
export function nextBatchSize(size: number, tookMs: number): number {
  if (tookMs > BATCH_TARGET_MS) return Math.max(MIN_BATCH, Math.floor(size / 2));
  if (tookMs < BATCH_TARGET_MS / 4) return Math.min(MAX_BATCH, size * 2);
  return size;
}
/** Between two sweeps of a backlog: requests get the database to themselves for a moment. */
export const BACKLOG_PAUSE_MS = 1000;
/** Kept a while after they end, to answer "why was I signed out?" or "did my mail go out?". */
const KEEP_ENDED_MS = { verifications: DAY_MS, sessions: 7 * DAY_MS, mail: 7 * DAY_MS } as const;

export interface SweepReport {
  windows: number;
  verifications: number;
  sessions: number;
  mail: number;
  auditEvents: number;
  challenges: number;
  /** The OpenID provider's codes, tokens, grants, interactions and sessions that expired (ADR 015). */
  oauth: number;
  /** Delete statements run, over all tables. */
  batches: number;
  /** The slowest of them: what a request waiting behind the sweep could wait. */
  longestBatchMs: number;
  /** A table stopped at its cap with rows left: the next sweep follows after BACKLOG_PAUSE_MS. */
  backlog: boolean;
}

const holder = globalThis as unknown as {
  __authHousekeeping?: NodeJS.Timeout;
  __authHousekeepingBacklog?: boolean;
  /** Where the walk over the sessions stopped: the next sweep goes on from there. */
  __authSessionWalk?: string | null;
};

/** One sweep, if this instance gets the lease; null when another instance holds it. */
export async function sweepOnce(): Promise<SweepReport | null> {
  if (!(await takeLease(database, LEASE_KEY, config().housekeepingIntervalMs / 2))) return null;
  const at = now().getTime();
  const started = performance.now();
  const { sessionMaxAgeSeconds, refreshTokenTtlSeconds, auditRetentionDays } = config();
  const lifetime = { maxAgeMs: sessionMaxAgeSeconds * 1000, idleMs: refreshTokenTtlSeconds * 1000 };
  const batches = { count: 0, longestMs: 0, capped: false };
  /** Runs one batch of `table` with its current size; the size adapts to how long it took. */
  const timed = async <T>(table: string, batch: (size: number) => Promise<T>): Promise<{ result: T; size: number }> => {
    const size = batchSizes.get(table) ?? MAX_BATCH;
    const batchStarted = performance.now();
    const result = await batch(size);
    const tookMs = performance.now() - batchStarted;
    batches.count++;
    batches.longestMs = Math.max(batches.longestMs, tookMs);
    batchSizes.set(table, nextBatchSize(size, tookMs));
    // On SQLite a statement completes synchronously, so awaiting it never lets the event loop
    // come round: without this a whole sweep would hold every request until its last batch.
    await new Promise((resolve) => setImmediate(resolve));
    return { result, size };
  };
  const drain = async (table: string, batch: (limit: number) => Promise<number>): Promise<number> => {
    let total = 0;
    while (total < MAX_ROWS_PER_SWEEP) {
      let limit = 0;
      const { result: deleted } = await timed(table, (size) => batch((limit = Math.min(size, MAX_ROWS_PER_SWEEP - total))));
      total += deleted;
      if (deleted < limit) return total;
    }
    batches.capped = true;
    return total;
  };
  const walkSessions = async (cutoff: Date): Promise<number> => {
    let total = 0;
    let examined = 0;
    while (examined < MAX_ROWS_PER_SWEEP * SESSIONS_EXAMINED_PER_BATCH_ROW) {
      const { result, size } = await timed("Session", (size) =>
        deleteEndedSessionsAfter(database, holder.__authSessionWalk ?? null, size * SESSIONS_EXAMINED_PER_BATCH_ROW, cutoff, lifetime, size),
      );
      holder.__authSessionWalk = result.next;
      total += result.deleted;
      examined += size * SESSIONS_EXAMINED_PER_BATCH_ROW;
      if (result.next === null) return total;
    }
    // A walk over a big table takes many sweeps by design; only many ended sessions make it hurry.
    if (total >= MAX_BATCH) batches.capped = true;
    return total;
  };
  const counts = {
    windows: await drain("RateLimit", (limit) => deleteEndedWindows(database, limit)),
    verifications: await drain("Verification", (limit) => deleteFinishedVerifications(database, new Date(at - KEEP_ENDED_MS.verifications), limit)),
    sessions:
      (await walkSessions(new Date(at - KEEP_ENDED_MS.sessions))) +
      (await drain("RefreshToken", (limit) => deleteExpiredRefreshTokens(database, new Date(at - KEEP_ENDED_MS.sessions), limit))),
    mail: await drain("OutboxEmail", (limit) => deleteFinishedEmailsBefore(database, new Date(at - KEEP_ENDED_MS.mail), limit)),
    auditEvents: await drain("AuditEvent", (limit) => deleteAuditEventsBefore(database, new Date(at - auditRetentionDays * DAY_MS), limit)),
    challenges: await drain("WebAuthnChallenge", (limit) => deleteExpiredChallenges(database, new Date(at), limit)),
    oauth: await drain("OAuthModel", (limit) => deleteExpiredOAuthRows(database, new Date(at), limit)),
  };
  await keepRecentDayCounts().catch((error: unknown) => log.warn("housekeeping: the console's daily figures were not kept", { error }));
  const report: SweepReport = { ...counts, batches: batches.count, longestBatchMs: Math.round(batches.longestMs), backlog: batches.capped };
  // Handed back at once so the next sweep of the backlog (this instance's or another's) need not wait it out.
  if (report.backlog) await deleteWindow(database, LEASE_KEY);
  // The sweep after a backlog's last says so even when it found nothing: the backlog is gone.
  if (Object.values(counts).some((n) => n > 0) || holder.__authHousekeepingBacklog) log.info("housekeeping", { ...report, tookMs: Math.round(performance.now() - started) });
  holder.__authHousekeepingBacklog = report.backlog;
  return report;
}

/**
 * Sweeps now and then for the life of the process (once per process, even across dev reloads):
 * first after 30 s (or the interval, if shorter), then every HOUSEKEEPING_INTERVAL_MS, and after
 * BACKLOG_PAUSE_MS while a backlog lasts.
 */
export function startHousekeeping(): void {
  if (holder.__authHousekeeping) return;
  const intervalMs = config().housekeepingIntervalMs;
  const schedule = (ms: number) => {
    holder.__authHousekeeping = setTimeout(tick, ms);
    holder.__authHousekeeping.unref();
  };
  const tick = async () => {
    const report = await sweepOnce().catch((error: unknown) => {
      log.warn("housekeeping failed; will try again", { error });
      return null;
    });
    // Stopped meanwhile (shutdown): no further sweep.
    if (holder.__authHousekeeping) schedule(report?.backlog ? BACKLOG_PAUSE_MS : intervalMs);
  };
  schedule(Math.min(30_000, intervalMs));
}

export function stopHousekeeping(): void {
  clearTimeout(holder.__authHousekeeping);
  holder.__authHousekeeping = undefined;
}
