import { now } from "@/lib/clock";
import { deleteOldest, likePrefix, prisma, query, queueWrite, sql, type Statement, type Tx } from "./sql";
import { isUniqueViolation } from "./errors";
import type { MailKind } from "./outbox";

/**
 * The keys of an e-mail address's limits, written once: lib/auth/limits.ts counts them, and erasing
 * an account (lib/db/users.ts) deletes them. `%` and `_` are valid in an address: a prefix of these
 * is matched only through `deleteWindows` (escaped), never as a raw pattern.
 */
export const addressKeys = {
  mailCooldown: (kind: MailKind, email: string) => `mail:${kind}:60s:${email}`,
  mailHourly: (kind: MailKind, email: string) => `mail:${kind}:1h:${email}`,
  wrongCodes: (email: string) => `wrong-code:${email}`,
  accountFailures: (email: string) => `login-failures:${email}`,
  /** Followed by the client address. */
  streakPrefix: (email: string) => `login-streak:${email}:`,
  knownAddressPrefix: (email: string) => `known-address:${email}:`,
};

/** Every mail kind, so that an address's mail windows are all found by exact key. */
export const MAIL_KINDS: readonly MailKind[] = Object.keys({ verification: true, password_reset: true, notice: true } satisfies Record<MailKind, true>) as MailKind[];

/** Ends every window of an e-mail address: its mail limits, wrong codes, failed logins, streaks and known addresses. */
export async function deleteAddressWindows(tx: Tx, email: string): Promise<void> {
  const keys = [addressKeys.wrongCodes(email), addressKeys.accountFailures(email), ...MAIL_KINDS.flatMap((k) => [addressKeys.mailCooldown(k, email), addressKeys.mailHourly(k, email)])];
  await (await prisma(tx)).rateLimit.deleteMany({ where: { key: { in: keys } } });
  await deleteWindows(tx, addressKeys.streakPrefix(email));
  await deleteWindows(tx, addressKeys.knownAddressPrefix(email));
}

export interface WindowState {
  count: number;
  windowEnds: Date;
  lastHitAt: Date;
}

/**
 * Counts one hit against `key`. A window opens with the first hit and lasts `windowMs`; a
 * `sliding` window is pushed back to `windowMs` after every hit instead (a streak that is
 * forgotten only after a quiet spell). Rows are shared by every app instance; the hit is one
 * statement (an upsert that opens, restarts or counts), so concurrent hits are all counted without
 * a lock, in one round trip.
 */
export async function hitWindow(tx: Tx, key: string, windowMs: number, options: { sliding?: boolean } = {}): Promise<WindowState> {
  const [row] = await query<WindowState>(tx, sql`${hitStatement(key, windowMs, options)} RETURNING "count", "windowEnds", "lastHitAt"`);
  return row!;
}

/** As hitWindow, for a count whose state the caller does not read: held for the transaction's next round trip. */
export async function countHit(tx: Tx, key: string, windowMs: number): Promise<void> {
  await queueWrite(tx, hitStatement(key, windowMs, {}));
}

function hitStatement(key: string, windowMs: number, options: { sliding?: boolean }): Statement {
  const at = now();
  const windowEnds = new Date(at.getTime() + windowMs);
  // excluded."windowEnds" (the proposed row's) rather than a parameter: PostgreSQL types it by the
  // column, where a bare parameter in CASE would be text.
  const keptEnd = options.sliding ? sql`excluded."windowEnds"` : sql`"RateLimit"."windowEnds"`;
  return sql`INSERT INTO "RateLimit" ("key", "count", "windowEnds", "lastHitAt") VALUES (${key}, 1, ${windowEnds}, ${at})
      ON CONFLICT ("key") DO UPDATE SET
        "count" = CASE WHEN "RateLimit"."windowEnds" > ${at} THEN "RateLimit"."count" + 1 ELSE 1 END,
        "windowEnds" = CASE WHEN "RateLimit"."windowEnds" > ${at} THEN ${keptEnd} ELSE excluded."windowEnds" END,
        "lastHitAt" = ${at}`;
}

/**
 * Counts one more step of a streak (a sliding window of `windowMs`), guarded like a claim: below
 * `threshold` any caller may step, at or above it only the one that saw the count at `seenCount`
 * (so of concurrent callers one steps, the others are refused). False when refused. One statement:
 * PostgreSQL re-checks the guard on the row a concurrent caller just changed; SQLite runs writes
 * one at a time.
 */
export async function claimStreakStep(tx: Tx, key: string, windowMs: number, threshold: number, seenCount: number): Promise<boolean> {
  const at = now();
  const windowEnds = new Date(at.getTime() + windowMs);
  const stepped = await query<{ count: number }>(
    tx,
    sql`INSERT INTO "RateLimit" ("key", "count", "windowEnds", "lastHitAt") VALUES (${key}, 1, ${windowEnds}, ${at})
        ON CONFLICT ("key") DO UPDATE SET
          "count" = CASE WHEN "RateLimit"."windowEnds" > ${at} THEN "RateLimit"."count" + 1 ELSE 1 END,
          "windowEnds" = excluded."windowEnds",
          "lastHitAt" = ${at}
        WHERE "RateLimit"."windowEnds" <= ${at} OR "RateLimit"."count" < ${threshold} OR "RateLimit"."count" = ${seenCount}
        RETURNING "count"`,
  );
  return stepped.length === 1;
}

/** The open window of `key` without counting a hit; null when none is open. */
export async function peekWindow(tx: Tx, key: string): Promise<WindowState | null> {
  const [row] = await query<WindowState>(tx, sql`SELECT "count", "windowEnds", "lastHitAt" FROM "RateLimit" WHERE "key" = ${key}`);
  return row && row.windowEnds > now() ? row : null;
}

/** Takes back one hit of the open window of `key` (a claim that, in the end, did not count). */
export async function releaseHit(tx: Tx, key: string): Promise<void> {
  await queueWrite(tx, sql`UPDATE "RateLimit" SET "count" = "count" - 1 WHERE "key" = ${key} AND "count" > 0 AND "windowEnds" > ${now()}`);
}

/** Opens or extends `key` to end `windowMs` from now (a remembered fact, such as a known address). */
export async function markWindow(tx: Tx, key: string, windowMs: number): Promise<void> {
  const at = now();
  const windowEnds = new Date(at.getTime() + windowMs);
  await queueWrite(
    tx,
    sql`INSERT INTO "RateLimit" ("key", "count", "windowEnds", "lastHitAt") VALUES (${key}, 1, ${windowEnds}, ${at})
        ON CONFLICT ("key") DO UPDATE SET "windowEnds" = excluded."windowEnds", "lastHitAt" = excluded."lastHitAt"`,
  );
}

export async function deleteWindow(tx: Tx, key: string): Promise<void> {
  await queueWrite(tx, sql`DELETE FROM "RateLimit" WHERE "key" = ${key}`);
}

/** Ends every window whose key starts with `prefix` (all of an account's failed-login streaks), and no other. */
export async function deleteWindows(tx: Tx, prefix: string): Promise<void> {
  await queueWrite(tx, sql`DELETE FROM "RateLimit" WHERE "key" LIKE ${likePrefix(prefix)} ESCAPE '\\'`);
}

/**
 * A lease on background work (the sweep) for `ms`: true for the one caller, of any number of
 * instances, that takes it while no earlier lease is running.
 */
export async function takeLease(tx: Tx, key: string, ms: number): Promise<boolean> {
  const at = now();
  const windowEnds = new Date(at.getTime() + ms);
  const { count } = await (await prisma(tx)).rateLimit.updateMany({ where: { key, windowEnds: { lte: at } }, data: { count: 1, windowEnds, lastHitAt: at } });
  if (count === 1) return true;
  try {
    await (await prisma(tx)).rateLimit.create({ data: { key, count: 1, windowEnds, lastHitAt: at } });
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** Deletes up to `limit` windows that ended; returns how many. */
export async function deleteEndedWindows(tx: Tx, limit: number): Promise<number> {
  return deleteOldest(tx, { table: sql`"RateLimit"`, key: sql`"key"`, condition: sql`"windowEnds" <= ${now()}`, oldestFirst: sql`"windowEnds"` }, limit);
}
