import { now } from "@/lib/clock";
import { db } from "./client";
import { isUniqueViolation } from "./users";

export interface WindowState {
  count: number;
  windowEnds: Date;
}

/**
 * Counts one hit against `key` in a window that opens with the first hit and lasts `windowMs`.
 * Rows are shared by every app instance; each step is a single guarded statement, so concurrent
 * hits are all counted without a lock.
 */
export async function hitWindow(key: string, windowMs: number): Promise<WindowState> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const at = now();
    const inWindow = await db().rateLimit.updateMany({
      where: { key, windowEnds: { gt: at } },
      data: { count: { increment: 1 } },
    });
    if (inWindow.count === 1) {
      const row = await db().rateLimit.findUnique({ where: { key } });
      if (row) return { count: row.count, windowEnds: row.windowEnds };
      continue;
    }
    const windowEnds = new Date(at.getTime() + windowMs);
    const restarted = await db().rateLimit.updateMany({
      where: { key, windowEnds: { lte: at } },
      data: { count: 1, windowEnds },
    });
    if (restarted.count === 1) return { count: 1, windowEnds };
    try {
      await db().rateLimit.create({ data: { key, count: 1, windowEnds } });
      return { count: 1, windowEnds };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another request created the row first: count against it on the next pass.
    }
  }
  throw new Error(`rate limit counter for ${key} kept changing under us`);
}

/** The current window of `key` without counting a hit; null when no window is open. */
export async function peekWindow(key: string): Promise<WindowState | null> {
  const row = await db().rateLimit.findUnique({ where: { key } });
  if (!row || row.windowEnds <= now()) return null;
  return { count: row.count, windowEnds: row.windowEnds };
}

/** Takes back one hit of the open window of `key` (a claim that, in the end, did not count). */
export async function releaseHit(key: string): Promise<void> {
  await db().rateLimit.updateMany({
    where: { key, count: { gt: 0 }, windowEnds: { gt: now() } },
    data: { count: { decrement: 1 } },
  });
}

export async function clearWindow(key: string): Promise<void> {
  await db().rateLimit.deleteMany({ where: { key } });
}

/** Drops windows that ended (called now and then by the background sweeper). */
export async function deleteEndedWindows(): Promise<number> {
  const { count } = await db().rateLimit.deleteMany({ where: { windowEnds: { lte: now() } } });
  return count;
}
