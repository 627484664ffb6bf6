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
const BATCH = 500;
/** Batches per table per sweep: at most BATCH × this rows leave a table at a time. */
const MAX_BATCHES = 20;
/** Sessions examined per batch, walking the table by key (see deleteEndedSessionsAfter). */
const SESSIONS_EXAMINED = 2000;
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
  const timed = async <T>(batch: () => Promise<T>): Promise<T> => {
    const batchStarted = performance.now();
    const result = await batch();
    batches.count++;
    batches.longestMs = Math.max(batches.longestMs, performance.now() - batchStarted);
    // On SQLite a statement completes synchronously, so awaiting it never lets the event loop
    // come round: without this a whole sweep would hold every request until its last batch.
    await new Promise((resolve) => setImmediate(resolve));
    return result;
  };
  const drain = async (batch: (limit: number) => Promise<number>): Promise<number> => {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const deleted = await timed(() => batch(BATCH));
      total += deleted;
      if (deleted < BATCH) return total;
    }
    batches.capped = true;
    return total;
  };
  const walkSessions = async (cutoff: Date): Promise<number> => {
    let total = 0;
    for (let i = 0; i < MAX_BATCHES; i++) {
      const { deleted, next } = await timed(() => deleteEndedSessionsAfter(database, holder.__authSessionWalk ?? null, SESSIONS_EXAMINED, cutoff, lifetime, BATCH));
      holder.__authSessionWalk = next;
      total += deleted;
      if (next === null) return total;
    }
    // A walk over a big table takes many sweeps by design; only many ended sessions make it hurry.
    if (total >= BATCH) batches.capped = true;
    return total;
  };
  const counts = {
    windows: await drain((limit) => deleteEndedWindows(database, limit)),
    verifications: await drain((limit) => deleteFinishedVerifications(database, new Date(at - KEEP_ENDED_MS.verifications), limit)),
    sessions:
      (await walkSessions(new Date(at - KEEP_ENDED_MS.sessions))) +
      (await drain((limit) => deleteExpiredRefreshTokens(database, new Date(at - KEEP_ENDED_MS.sessions), limit))),
    mail: await drain((limit) => deleteFinishedEmailsBefore(database, new Date(at - KEEP_ENDED_MS.mail), limit)),
    auditEvents: await drain((limit) => deleteAuditEventsBefore(database, new Date(at - auditRetentionDays * DAY_MS), limit)),
    challenges: await drain((limit) => deleteExpiredChallenges(database, new Date(at), limit)),
    oauth: await drain((limit) => deleteExpiredOAuthRows(database, new Date(at), limit)),
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
