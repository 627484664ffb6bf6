import { now } from "@/lib/clock";
import { countTogether, database, readWithNext, transaction, writeWithNext, type Tx } from "@/lib/db";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import type { MailKind } from "@/lib/db/outbox";
import { addressKeys, claimStreakStep, countHit, deleteWindow, deleteWindows, hitWindow, markWindow, peekWindow, releaseHit, type WindowState } from "@/lib/db/rate-limits";
import { AppError, rateLimited } from "@/lib/errors";
import { addressKey } from "@/lib/http/client-address";
import { metrics } from "@/lib/metrics";
import { countRefusal } from "./refusal-counts";

/**
 * The contract's abuse limits. Counters live in the database, so they hold across restarts and
 * instances. Every limit that concerns an account is keyed by the normalised e-mail address, not
 * the account: an address without an account is limited exactly like one with, so a 429 reveals
 * nothing.
 */
export const LIMITS = {
  /** Per client address and group of endpoints. */
  client: { limit: 30, windowMs: 5 * 60_000 },
  /** Refreshing is cheap and many clients share an address (carrier or office NAT). */
  refresh: { limit: 150, windowMs: 5 * 60_000 },
  /** Per e-mail address and kind of mail. */
  mailCooldown: { limit: 1, windowMs: 60_000 },
  mailHourly: { limit: 10, windowMs: 60 * 60_000 },
  /** Per e-mail address, across all codes. */
  wrongCodes: { limit: 20, windowMs: 24 * 60 * 60_000 },
  /** Per e-mail address and client address: consecutive failed logins before each try waits. */
  loginStreak: { failuresBeforeWait: 10, firstWaitMs: 30_000, maxWaitMs: 15 * 60_000, forgottenAfterMs: 24 * 60 * 60_000 },
  /** Per e-mail address over all client addresses (NIST SP 800-63B). */
  accountFailures: { limit: 100, windowMs: 24 * 60 * 60_000 },
  /** An address that signed in to an account is "known" to it this long, and passes the ceiling above. */
  knownAddressMs: 30 * 24 * 60 * 60_000,
} as const;

export type ClientAction = "signup" | "login" | "verify" | "generate-link" | "resend" | "refresh" | "password" | "oauth-registration";

const secondsUntil = (end: Date) => Math.max(1, Math.ceil((end.getTime() - now().getTime()) / 1000));
/**
 * A 429 for `limit` (counted in the metrics by name, and per day for the console's figures, in
 * memory: lib/auth/refusal-counts.ts), with the seconds until `end`.
 */
function limitedUntil(end: Date, limit: string) {
  metrics().rateLimited.inc({ limit });
  countRefusal();
  return rateLimited(secondsUntil(end));
}

const clientRule = (action: ClientAction) => (action === "refresh" ? LIMITS.refresh : LIMITS.client);
const clientKey = (action: ClientAction, ip: string | null) => `client:${action}:${addressKey(ip)}`;

/** Counts a request from `ip` in `tx`; 429 past the group's limit (30 per 5 minutes, refresh 150). */
export async function limitClient(tx: Tx, action: ClientAction, ip: string | null): Promise<void> {
  const rule = clientRule(action);
  const state = await hitWindow(tx, clientKey(action, ip), rule.windowMs);
  if (state.count > rule.limit) {
    const refusal = limitedUntil(state.windowEnds, `client:${action}`);
    countedRefusals.set(refusal, action);
    throw refusal;
  }
}

/** The client limits' refusals, by group: the request that met one needs no count of its own (its window was full). */
const countedRefusals = new WeakMap<AppError, ClientAction>();

/**
 * For a request whose count commits with its result (a sign-up's account, a refresh's rotation):
 * one commit (one fsync on SQLite) fewer than counting apart. A request from an address whose
 * window is full is refused at once, before any work; otherwise `work` runs and counts the request
 * with `limitClient(tx, …)` in its transaction, which refuses (and rolls back) past the limit, so
 * concurrent requests that passed the first look together are still held to it. A request that
 * ends without that commit (refused by a check, a taken address, a failure) is counted on its own
 * afterwards: every request still counts.
 */
export async function withClientLimit<T>(action: ClientAction, ip: string | null, work: () => Promise<T>): Promise<T> {
  const key = clientKey(action, ip);
  refuseWhenFull(action, await peekWindow(database, key));
  return countedWhenFailed(action, key, work);
}

/**
 * withClientLimit for work that is one transaction (a refresh): the look at the address's window
 * goes with the transaction's first statement instead of a round trip of its own, and every way
 * through `work` must end with `countRequest(tx)`, which refuses a full window, then counts the
 * request as limitClient does; the work's statements roll back with a refusal. The count's
 * statement goes with whatever the work holds (lib/db/sql.ts), so the work calls it without
 * waiting in between.
 */
export async function withClientLimitInTransaction<T>(
  action: ClientAction,
  ip: string | null,
  work: (tx: Tx, countRequest: (tx: Tx) => Promise<void>) => Promise<T>,
): Promise<T> {
  const key = clientKey(action, ip);
  return countedWhenFailed(action, key, () =>
    transaction((tx) => {
      // Known by the time the work counts when it came with the work's first answer; if not, the
      // count itself refuses a full window, only after sending what the work held.
      let seen: WindowState | null = null;
      void readWithNext(tx, async (early) => {
        seen = await peekWindow(early, key);
      });
      return work(tx, (last) => {
        refuseWhenFull(action, seen);
        return limitClient(last, action, ip);
      });
    }),
  );
}

/** A window that is already full refuses the request before it is counted (it stays full until it ends). */
function refuseWhenFull(action: ClientAction, seen: WindowState | null): void {
  if (!seen || seen.count < clientRule(action).limit) return;
  const refusal = limitedUntil(seen.windowEnds, `client:${action}`);
  countedRefusals.set(refusal, action);
  throw refusal;
}

/** `work`, and the request counted on its own when it ended without its count's commit. */
async function countedWhenFailed<T>(action: ClientAction, key: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    // Rolled back with the work (or never reached): count it now. A refusal of the count itself
    // found the window full, which it stays until it ends. A database that failed the work would
    // fail the count too, after another wait for it: the answer is a 503 without it.
    const counted = error instanceof AppError && countedRefusals.get(error) === action;
    if (!counted && !isDatabaseUnavailable(error)) await hitWindow(database, key, clientRule(action).windowMs).catch(() => {});
    throw error;
  }
}

/**
 * Claims the right to send one mail of `kind` to `email`: at most one per minute and ten per hour,
 * counted whether or not an account exists (so the answer reveals nothing). Throws 429 otherwise.
 */
export async function claimMailSlot(tx: Tx, kind: MailKind, email: string): Promise<void> {
  const blocked = await mailSlotBlockedUntil(tx, kind, email);
  if (blocked) throw limitedUntil(blocked, `mail:${kind}`);
}

/** As claimMailSlot, but says whether the mail may go instead of throwing (a login's code, a notice). */
export async function tryMailSlot(tx: Tx, kind: MailKind, email: string): Promise<boolean> {
  return (await mailSlotBlockedUntil(tx, kind, email)) === null;
}

const { mailCooldown: mailCooldownKey, mailHourly: mailHourlyKey } = addressKeys;

async function mailSlotBlockedUntil(tx: Tx, kind: MailKind, email: string): Promise<Date | null> {
  const cooldown = await hitWindow(tx, mailCooldownKey(kind, email), LIMITS.mailCooldown.windowMs);
  if (cooldown.count > LIMITS.mailCooldown.limit) return cooldown.windowEnds;
  const hourly = await hitWindow(tx, mailHourlyKey(kind, email), LIMITS.mailHourly.windowMs);
  if (hourly.count > LIMITS.mailHourly.limit) return hourly.windowEnds;
  return null;
}

/**
 * For mail that must not be lost (a security notice): when it may go under the same limits —
 * now, or, within a minute of the last one, a minute after it (it waits instead of being
 * dropped) — or null past ten an hour.
 */
export async function scheduleMailSlot(tx: Tx, kind: MailKind, email: string): Promise<Date | null> {
  const cooldown = await hitWindow(tx, mailCooldownKey(kind, email), LIMITS.mailCooldown.windowMs);
  const hourly = await hitWindow(tx, mailHourlyKey(kind, email), LIMITS.mailHourly.windowMs);
  if (hourly.count > LIMITS.mailHourly.limit) return null;
  if (cooldown.count <= LIMITS.mailCooldown.limit) return now();
  return new Date(cooldown.windowEnds.getTime() + (cooldown.count - 2) * LIMITS.mailCooldown.windowMs);
}

/**
 * Counts a mail that goes out unasked for (the sign-up's own verification e-mail) against the same
 * limits, so a resend or a login within the next minute keeps that mail's code valid instead of
 * replacing it.
 */
export async function countMailSent(tx: Tx, kind: MailKind, email: string): Promise<void> {
  await countHit(tx, mailCooldownKey(kind, email), LIMITS.mailCooldown.windowMs);
  await countHit(tx, mailHourlyKey(kind, email), LIMITS.mailHourly.windowMs);
}

const wrongCodeKey = addressKeys.wrongCodes;

/**
 * Claims one code check for an e-mail address before the code is compared: once 20 wrong codes were
 * counted in the window, no code is compared until it ends (429). Claiming first keeps concurrent
 * guesses from all slipping in under the cap. A check that did not turn out wrong gives its claim
 * back with `releaseCodeCheck`.
 */
export async function claimCodeCheck(tx: Tx, email: string): Promise<void> {
  const state = await hitWindow(tx, wrongCodeKey(email), LIMITS.wrongCodes.windowMs);
  if (state.count > LIMITS.wrongCodes.limit) {
    await releaseHit(tx, wrongCodeKey(email));
    throw limitedUntil(state.windowEnds, "wrong-codes");
  }
}

export async function releaseCodeCheck(tx: Tx, email: string): Promise<void> {
  await releaseHit(tx, wrongCodeKey(email));
}

// ---- failed logins

const streakPrefix = addressKeys.streakPrefix;
const streakKey = (email: string, ip: string | null) => `${streakPrefix(email)}${addressKey(ip)}`;
const accountFailuresKey = addressKeys.accountFailures;
const knownAddressKey = (email: string, ip: string | null) => `${addressKeys.knownAddressPrefix(email)}${addressKey(ip)}`;

/** The wait after `failures` consecutive failures: none below 10, then 30 s doubling to 15 min. */
export function streakWaitMs(failures: number): number {
  const rule = LIMITS.loginStreak;
  if (failures < rule.failuresBeforeWait) return 0;
  return Math.min(rule.firstWaitMs * 2 ** (failures - rule.failuresBeforeWait), rule.maxWaitMs);
}

export interface PasswordAttempt {
  email: string;
  ip: string | null;
}

/**
 * Before a password (a login's, or a change's current one) is compared for `email` from `ip`:
 * - after 10 consecutive failures from this address, each try waits (30 s doubling to 15 min);
 *   failures from other addresses never count here, so they cannot lock the owner out;
 * - over all addresses at most 100 failures per 24 h; past that only addresses that signed in to
 *   the account in the last 30 days may try until the window ends.
 * The attempt is counted before the comparison, so of a burst of concurrent guesses only as many
 * are compared as one after another would be; `settlePasswordAttempt` takes it back on success.
 */
export async function claimPasswordAttempt(
  tx: Tx,
  email: string,
  ip: string | null,
  /** The address's streak, when the caller started reading it already (claimLoginAttempt). */
  streakRead: Promise<WindowState | null> = peekWindow(tx, streakKey(email, ip)),
): Promise<PasswordAttempt> {
  const rule = LIMITS.loginStreak;
  const key = streakKey(email, ip);
  const streak = await streakRead;
  const seen = streak?.count ?? 0;
  if (streak) {
    const waitEnds = new Date(streak.lastHitAt.getTime() + streakWaitMs(seen));
    if (waitEnds > now()) throw limitedUntil(waitEnds, "login-streak");
  }
  // The step and the account's count in one round trip on PostgreSQL, rows locked in that order.
  const stepped = writeWithNext(tx, (early) => claimStreakStep(early, key, rule.forgottenAfterMs, rule.failuresBeforeWait, seen));
  const failures = await hitWindow(tx, accountFailuresKey(email), LIMITS.accountFailures.windowMs);
  if (!(await stepped)) {
    // A concurrent attempt took this step: wait as if it had failed. The account's count goes back.
    await releaseHit(tx, accountFailuresKey(email));
    throw limitedUntil(new Date(now().getTime() + streakWaitMs(Math.max(seen + 1, rule.failuresBeforeWait))), "login-streak");
  }
  if (failures.count > LIMITS.accountFailures.limit && !(await peekWindow(tx, knownAddressKey(email, ip)))) {
    await releaseHit(tx, accountFailuresKey(email));
    await releaseHit(tx, key);
    throw limitedUntil(failures.windowEnds, "login-account-ceiling");
  }
  return { email, ip };
}

/**
 * A login's limits before its password is compared, counted in one commit: the client address's
 * login group (30 per 5 minutes), then the attempt (claimPasswordAttempt).
 */
export async function claimLoginAttempt<T>(
  email: string,
  ip: string | null,
  /** A read the login needs whatever the limits decide (its account), made in the same round trip. */
  alongside: (tx: Tx) => Promise<T>,
): Promise<{ attempt: PasswordAttempt; read: T }> {
  return countTogether(async (tx) => {
    // Reads only, which change nothing whatever the limits decide: on PostgreSQL they go with the
    // first count instead of a round trip each.
    const read = readWithNext(tx, alongside);
    const streak = readWithNext(tx, (early) => peekWindow(early, streakKey(email, ip)));
    await limitClient(tx, "login", ip);
    return { attempt: await claimPasswordAttempt(tx, email, ip, streak), read: await read };
  });
}

/**
 * The password matched: the attempt is taken back and the address's streak ends (a failure stays
 * counted, so there is nothing to do for one). A login does it in the transaction of the session
 * or second step the match starts.
 */
export async function settleMatchedPassword(tx: Tx, attempt: PasswordAttempt): Promise<void> {
  // The streak's row before the account's, as claimPasswordAttempt takes them: in transactions on
  // PostgreSQL the opposite order could deadlock with a concurrent claim from the same address.
  await deleteWindow(tx, streakKey(attempt.email, attempt.ip));
  await releaseHit(tx, accountFailuresKey(attempt.email));
}

/** The comparison never happened (the hash queue was full): the attempt counts for nothing. */
export async function abandonPasswordAttempt(attempt: PasswordAttempt): Promise<void> {
  await releaseHit(database, accountFailuresKey(attempt.email));
  await releaseHit(database, streakKey(attempt.email, attempt.ip));
}

/** A sign-in succeeded from `ip`: that address passes the account's failure ceiling for 30 days. */
export async function rememberAddress(tx: Tx, email: string, ip: string | null): Promise<void> {
  await markWindow(tx, knownAddressKey(email, ip), LIMITS.knownAddressMs);
}

/** A password reset proves the owner: every failed-login streak of the address is forgotten. */
export async function forgetFailedLogins(tx: Tx, email: string): Promise<void> {
  await deleteWindows(tx, streakPrefix(email));
}
