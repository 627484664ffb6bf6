import { now } from "@/lib/clock";
import { db } from "./client";
import { isUniqueViolation } from "./errors";

export interface WindowState {
  count: number;
  windowEnds: Date;
  lastHitAt: Date;
}

/**
 * Counts one hit against `key`. A window opens with the first hit and lasts `windowMs`; a
 * `sliding` window is pushed back to `windowMs` after every hit instead (a streak that is
 * forgotten only after a quiet spell). Rows are shared by every app instance; each step is a
 * single guarded statement, so concurrent hits are all counted without a lock.
 */
export async function hitWindow(key: string, windowMs: number, options: { sliding?: boolean } = {}): Promise<WindowState> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const at = now();
    const windowEnds = new Date(at.getTime() + windowMs);
    const inWindow = await db().rateLimit.updateManyAndReturn({
      where: { key, windowEnds: { gt: at } },
      data: { count: { increment: 1 }, lastHitAt: at, ...(options.sliding ? { windowEnds } : {}) },
      select: { count: true, windowEnds: true, lastHitAt: true },
    });
    if (inWindow[0]) return inWindow[0];
    const restarted = await db().rateLimit.updateMany({
      where: { key, windowEnds: { lte: at } },
      data: { count: 1, windowEnds, lastHitAt: at },
    });
    if (restarted.count === 1) return { count: 1, windowEnds, lastHitAt: at };
    try {
      await db().rateLimit.create({ data: { key, count: 1, windowEnds, lastHitAt: at } });
      return { count: 1, windowEnds, lastHitAt: at };
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // Another request created the row first: count against it on the next pass.
    }
  }
  throw new Error(`rate limit counter for ${key} kept changing under us`);
}

/**
 * Counts one more step of a streak (a sliding window of `windowMs`), guarded like a claim: below
 * `threshold` any caller may step, at or above it only the one that saw the count at `seenCount`
 * (so of concurrent callers one steps, the others are refused). False when refused.
 */
export async function claimStreakStep(key: string, windowMs: number, threshold: number, seenCount: number): Promise<boolean> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const at = now();
    const windowEnds = new Date(at.getTime() + windowMs);
    const stepped = await db().rateLimit.updateMany({
      where: { key, windowEnds: { gt: at }, OR: [{ count: { lt: threshold } }, { count: seenCount }] },
      data: { count: { increment: 1 }, lastHitAt: at, windowEnds },
    });
    if (stepped.count === 1) return true;
    const restarted = await db().rateLimit.updateMany({ where: { key, windowEnds: { lte: at } }, data: { count: 1, windowEnds, lastHitAt: at } });
    if (restarted.count === 1) return true;
    if (await db().rateLimit.count({ where: { key } })) return false;
    try {
      await db().rateLimit.create({ data: { key, count: 1, windowEnds, lastHitAt: at } });
      return true;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  return false;
}

/** The open window of `key` without counting a hit; null when none is open. */
export async function peekWindow(key: string): Promise<WindowState | null> {
  const row = await db().rateLimit.findUnique({ where: { key }, select: { count: true, windowEnds: true, lastHitAt: true } });
  return row && row.windowEnds > now() ? row : null;
}

/** Takes back one hit of the open window of `key` (a claim that, in the end, did not count). */
export async function releaseHit(key: string): Promise<void> {
  await db().rateLimit.updateMany({
    where: { key, count: { gt: 0 }, windowEnds: { gt: now() } },
    data: { count: { decrement: 1 } },
  });
}

/** Opens or extends `key` to end `windowMs` from now (a remembered fact, such as a known address). */
export async function markWindow(key: string, windowMs: number): Promise<void> {
  const at = now();
  const windowEnds = new Date(at.getTime() + windowMs);
  await db().rateLimit.upsert({
    where: { key },
    create: { key, count: 1, windowEnds, lastHitAt: at },
    update: { windowEnds, lastHitAt: at },
  });
}

export async function deleteWindow(key: string): Promise<void> {
  await db().rateLimit.deleteMany({ where: { key } });
}

/** Ends every window whose key starts with `prefix` (all of an account's failed-login streaks). */
export async function deleteWindows(prefix: string): Promise<void> {
  await db().rateLimit.deleteMany({ where: { key: { startsWith: prefix } } });
}

/**
 * A lease on background work (the sweep) for `ms`: true for the one caller, of any number of
 * instances, that takes it while no earlier lease is running.
 */
export async function takeLease(key: string, ms: number): Promise<boolean> {
  const at = now();
  const windowEnds = new Date(at.getTime() + ms);
  const { count } = await db().rateLimit.updateMany({ where: { key, windowEnds: { lte: at } }, data: { count: 1, windowEnds, lastHitAt: at } });
  if (count === 1) return true;
  try {
    await db().rateLimit.create({ data: { key, count: 1, windowEnds, lastHitAt: at } });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** Deletes up to `limit` windows that ended; returns how many. */
export async function deleteEndedWindows(limit: number): Promise<number> {
  const ended = await db().rateLimit.findMany({ where: { windowEnds: { lte: now() } }, select: { key: true }, take: limit });
  if (ended.length === 0) return 0;
  const { count } = await db().rateLimit.deleteMany({ where: { key: { in: ended.map((r) => r.key) }, windowEnds: { lte: now() } } });
  return count;
}
