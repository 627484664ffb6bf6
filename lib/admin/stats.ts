import { now } from "@/lib/clock";
import { database } from "@/lib/db";
import { countAuditEventsByDay } from "@/lib/db/audit";
import { countUsers } from "@/lib/db/user-directory";
import { RATE_LIMITED_EVENT } from "@/lib/auth/limits";
import type { Caller } from "@/lib/auth/types";
import { requireAdmin } from "./access";

/**
 * The console's figures per day: audit events of a few types, counted per UTC day as they are
 * recorded (lib/db/audit.ts), so a month's figures are a few hundred rows however busy the month.
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

/** Which audit events each figure counts (a failed second step is a failed sign-in too). */
export const FIGURE_EVENTS: Readonly<Record<keyof DayFigures, readonly string[]>> = {
  signups: ["signup"],
  verified: ["email_verified"],
  logins: ["login"],
  failedLogins: ["login_failed", "mfa_failed"],
  rateLimited: [RATE_LIMITED_EVENT],
};

const DAY_MS = 24 * 60 * 60_000;

/** The figures of the last `days` UTC days (today included). */
export async function dailyStats(admin: Caller, days: number = STATS_DAYS_DEFAULT): Promise<DailyStats> {
  requireAdmin(admin.user);
  const count = Math.min(Math.max(Math.trunc(days), 1), STATS_DAYS_MAX);
  const today = Math.floor(now().getTime() / DAY_MS) * DAY_MS;
  const since = new Date(today - (count - 1) * DAY_MS);
  const empty = (): DayFigures => ({ signups: 0, verified: 0, logins: 0, failedLogins: 0, rateLimited: 0 });
  const byDate = new Map<string, DayFigures>();
  for (let i = 0; i < count; i++) byDate.set(new Date(since.getTime() + i * DAY_MS).toISOString().slice(0, 10), empty());
  const figureOf = new Map(Object.entries(FIGURE_EVENTS).flatMap(([figure, types]) => types.map((t) => [t, figure as keyof DayFigures])));
  const totals = empty();
  for (const { day, type, count: n } of await countAuditEventsByDay(database, [...figureOf.keys()], since)) {
    const figures = byDate.get(day);
    const figure = figureOf.get(type);
    if (!figures || !figure) continue;
    figures[figure] += n;
    totals[figure] += n;
  }
  return { days: [...byDate].map(([date, figures]) => ({ date, ...figures })), totals: { ...totals, users: await countUsers(database) } };
}
