import { now } from "@/lib/clock";
import { database } from "@/lib/db";
import { addToDayCount } from "@/lib/db/audit";
import { log } from "@/lib/log";

/**
 * Requests refused by a limit (429s), counted per UTC day for the console's figures. A refusal
 * must stay the cheapest answer there is — under a flood there are thousands a second — so it
 * writes nothing itself: the counts gather here and are added to "AuditDayCount" at most every
 * FLUSH_EVERY_MS (and when the process stops), one statement per day. A crash loses at most
 * those seconds of a statistic; every instance adds its own.
 */

export const REFUSALS = "rate_limited";
const FLUSH_EVERY_MS = 10_000;

const pending = new Map<string, number>();
let timer: NodeJS.Timeout | null = null;

export function countRefusal(at: Date = now()): void {
  const day = at.toISOString().slice(0, 10);
  pending.set(day, (pending.get(day) ?? 0) + 1);
  scheduleFlush();
}

function scheduleFlush(): void {
  timer ??= setTimeout(() => {
    timer = null;
    flushRefusalCounts().catch((error: unknown) => log.warn("429 counts not saved yet; will try again", { error }));
  }, FLUSH_EVERY_MS).unref();
}

/** This process's refusals not added yet, per day (the figures add them, so they are never behind). */
export function unsavedRefusals(): ReadonlyMap<string, number> {
  return pending;
}

/** Adds the gathered counts; what could not be added stays for the next time. */
export async function flushRefusalCounts(): Promise<void> {
  const counts = [...pending];
  pending.clear();
  for (const [index, [day, n]] of counts.entries()) {
    try {
      await addToDayCount(database, day, REFUSALS, n);
    } catch (error) {
      for (const [laterDay, m] of counts.slice(index)) pending.set(laterDay, (pending.get(laterDay) ?? 0) + m);
      scheduleFlush();
      throw error;
    }
  }
}
