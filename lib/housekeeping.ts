import { now } from "@/lib/clock";
import { database } from "@/lib/db";
import { config } from "@/lib/config/env";
import { deleteAuditEventsBefore } from "@/lib/db/audit";
import { deleteFinishedEmailsBefore } from "@/lib/db/outbox";
import { deleteEndedWindows, takeLease } from "@/lib/db/rate-limits";
import { deleteEndedSessions } from "@/lib/db/sessions";
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
 * holds a table long nor competes with itself across instances.
 */

const DAY_MS = 24 * 60 * 60_000;
/** How often each instance offers to sweep; the lease lets one of them do it. */
export const SWEEP_EVERY_MS = 10 * 60_000;
const BATCH = 500;
/** Batches per table per sweep: at most BATCH × this rows leave a table at a time. */
const MAX_BATCHES = 20;
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
}

/** One sweep, if this instance gets the lease; null when another instance holds it. */
export async function sweepOnce(): Promise<SweepReport | null> {
  if (!(await takeLease(database, "lease:housekeeping", SWEEP_EVERY_MS / 2))) return null;
  const at = now().getTime();
  const { sessionMaxAgeSeconds, refreshTokenTtlSeconds, auditRetentionDays } = config();
  const lifetime = { maxAgeMs: sessionMaxAgeSeconds * 1000, idleMs: refreshTokenTtlSeconds * 1000 };
  const report: SweepReport = {
    windows: await drain((limit) => deleteEndedWindows(database, limit)),
    verifications: await drain((limit) => deleteFinishedVerifications(database, new Date(at - KEEP_ENDED_MS.verifications), limit)),
    sessions: await drain((limit) => deleteEndedSessions(database, new Date(at - KEEP_ENDED_MS.sessions), lifetime, limit)),
    mail: await drain((limit) => deleteFinishedEmailsBefore(database, new Date(at - KEEP_ENDED_MS.mail), limit)),
    auditEvents: await drain((limit) => deleteAuditEventsBefore(database, new Date(at - auditRetentionDays * DAY_MS), limit)),
    challenges: await drain((limit) => deleteExpiredChallenges(database, new Date(at), limit)),
    oauth: await drain((limit) => deleteExpiredOAuthRows(database, new Date(at), limit)),
  };
  await keepRecentDayCounts().catch((error: unknown) => log.warn("housekeeping: the console's daily figures were not kept", { error }));
  if (Object.values(report).some((n) => n > 0)) log.info("housekeeping", { ...report });
  return report;
}

async function drain(batch: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (let i = 0; i < MAX_BATCHES; i++) {
    const deleted = await batch(BATCH);
    total += deleted;
    if (deleted < BATCH) break;
  }
  return total;
}

const holder = globalThis as unknown as { __authHousekeeping?: NodeJS.Timeout; __authHousekeepingFirst?: NodeJS.Timeout };

/** Sweeps now and then for the life of the process (once per process, even across dev reloads). */
export function startHousekeeping(): void {
  if (holder.__authHousekeeping) return;
  const tick = () =>
    sweepOnce().catch((error: unknown) => log.warn("housekeeping failed; will try again", { error }));
  holder.__authHousekeeping = setInterval(tick, SWEEP_EVERY_MS);
  holder.__authHousekeeping.unref();
  holder.__authHousekeepingFirst = setTimeout(tick, 30_000);
  holder.__authHousekeepingFirst.unref();
}

export function stopHousekeeping(): void {
  clearInterval(holder.__authHousekeeping);
  clearTimeout(holder.__authHousekeepingFirst);
  holder.__authHousekeeping = undefined;
}
