import { now } from "@/lib/clock";
import { database } from "@/lib/db";
import { countAuditEvents, findDayCounts, keepDayCounts } from "@/lib/db/audit";
import { countUsers } from "@/lib/db/user-directory";
import { REFUSALS, unsavedRefusals } from "@/lib/auth/refusal-counts";
import type { Caller } from "@/lib/auth/types";
import { requireAdmin } from "./access";

/**
 * The console's figures per UTC day. Sign-ups, confirmations and sign-ins are counted from the
 * audit log: a finished day once, when first asked for (its counts are kept in "AuditDayCount"
 * and read from there after), today afresh each time (an index range over one day's events). So
 * recording an event costs nothing more than its row: no counter every sign-in must update.
 * Refusals by a limit (429s) have no events: lib/auth/refusal-counts.ts counts them as they happen.
 */

export interface DayFigures {
  signups: number;
  verified: number;
  logins: number;
  failedLogins: number;
  /** Requests refused by a limit (429). */
  rateLimited: number;
}

export interface DailyStats {
  /** Oldest first, one per UTC day, today last; `date` is "YYYY-MM-DD". */
  days: Array<{ date: string } & DayFigures>;
  /** The sums over those days, and the accounts there are now. */
  totals: DayFigures & { users: number };
}

export const STATS_DAYS_DEFAULT = 30;
export const STATS_DAYS_MAX = 366;

/** What each figure counts: audit events (a failed second step is a failed sign-in too), or the refusals' count. */
export const FIGURE_EVENTS: Readonly<Record<keyof DayFigures, readonly string[]>> = {
  signups: ["signup"],
  verified: ["email_verified"],
  logins: ["login"],
  failedLogins: ["login_failed", "mfa_failed"],
  rateLimited: [REFUSALS],
};

/** The audit event types counted from the log. */
const COUNTED_EVENTS = Object.values(FIGURE_EVENTS).flat().filter((type) => type !== REFUSALS);

/** A day is counted once and kept when it ended this long ago (an instance's clock a little behind still wrote to it). */
const SETTLED_AFTER_MS = 5 * 60_000;

const DAY_MS = 24 * 60 * 60_000;

/** The figures of the last `days` UTC days (today included). */
export async function dailyStats(admin: Caller, days: number = STATS_DAYS_DEFAULT): Promise<DailyStats> {
  requireAdmin(admin.user);
  const count = Math.min(Math.max(Math.trunc(days), 1), STATS_DAYS_MAX);
  const at = now().getTime();
  const today = Math.floor(at / DAY_MS) * DAY_MS;
  const dates = Array.from({ length: count }, (_, i) => today - (count - 1 - i) * DAY_MS);
  const kept = await keptCounts(dayOf(dates[0]!));
  const figureOf = new Map(Object.entries(FIGURE_EVENTS).flatMap(([figure, types]) => types.map((t) => [t, figure as keyof DayFigures])));
  const totals = empty();
  const out: DailyStats["days"] = [];
  for (const start of dates) {
    const day = dayOf(start);
    const counts = await countsOfDay(start, at, kept.get(day));
    counts.set(REFUSALS, (counts.get(REFUSALS) ?? 0) + (unsavedRefusals().get(day) ?? 0));
    const figures = empty();
    for (const [type, n] of counts) {
      const figure = figureOf.get(type);
      if (figure) figures[figure] += n;
    }
    for (const figure of Object.keys(figures) as Array<keyof DayFigures>) totals[figure] += figures[figure];
    out.push({ date: day, ...figures });
  }
  return { days: out, totals: { ...totals, users: await countUsers(database) } };
}

const dayOf = (start: number) => new Date(start).toISOString().slice(0, 10);

async function keptCounts(sinceDay: string): Promise<Map<string, Map<string, number>>> {
  const kept = new Map<string, Map<string, number>>();
  for (const row of await findDayCounts(database, sinceDay)) {
    if (!kept.has(row.day)) kept.set(row.day, new Map());
    kept.get(row.day)!.set(row.type, row.count);
  }
  return kept;
}

/** A day's counts: as kept, or counted from the events (and kept, once the day has settled). */
async function countsOfDay(start: number, at: number, kept: ReadonlyMap<string, number> = new Map()): Promise<Map<string, number>> {
  const counts = new Map(kept);
  const settled = start + DAY_MS + SETTLED_AFTER_MS <= at;
  if (settled && COUNTED_EVENTS.every((type) => counts.has(type))) return counts;
  const counted = await countAuditEvents(database, COUNTED_EVENTS, new Date(start), new Date(start + DAY_MS));
  if (settled) await keepDayCounts(database, dayOf(start), counted);
  for (const [type, n] of counted) counts.set(type, n);
  return counts;
}

/**
 * Housekeeping's part: the last two days counted and kept once they have settled, so the console
 * never waits for a whole day's count, and a day's figures stay when its events age out.
 */
export async function keepRecentDayCounts(): Promise<void> {
  const at = now().getTime();
  const today = Math.floor(at / DAY_MS) * DAY_MS;
  const days = [today - 2 * DAY_MS, today - DAY_MS];
  const kept = await keptCounts(dayOf(days[0]!));
  for (const start of days) if (start + DAY_MS + SETTLED_AFTER_MS <= at) await countsOfDay(start, at, kept.get(dayOf(start)));
}

const empty = (): DayFigures => ({ signups: 0, verified: 0, logins: 0, failedLogins: 0, rateLimited: 0 });
