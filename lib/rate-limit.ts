import { now } from "@/lib/clock";
import { hitWindow, peekWindow, releaseHit, type WindowState } from "@/lib/db/rate-limits";
import type { MailKind } from "@/lib/db/outbox";
import { AppError } from "@/lib/errors";

/** The contract's abuse limits. Counters live in the database, shared by every instance. */
export const LIMITS = {
  /** Per client address and endpoint group. */
  client: { limit: 30, windowMs: 5 * 60_000 },
  /** Per e-mail address and kind of mail. */
  mailCooldown: { limit: 1, windowMs: 60_000 },
  mailHourly: { limit: 10, windowMs: 60 * 60_000 },
  /** Per account, across all codes. */
  wrongCodes: { limit: 20, windowMs: 24 * 60 * 60_000 },
} as const;

export type ClientAction = "signup" | "login" | "verify" | "generate-link" | "resend" | "refresh" | "password";

export const retryAfterSeconds = (windowEnds: Date) => Math.max(1, Math.ceil((windowEnds.getTime() - now().getTime()) / 1000));

export function rateLimited(windowEnds: Date, extra?: Record<string, unknown>): AppError {
  const seconds = retryAfterSeconds(windowEnds);
  return new AppError("RATE_LIMITED", { params: { seconds }, headers: { "retry-after": String(seconds) }, extra });
}

async function over(key: string, rule: { limit: number; windowMs: number }): Promise<WindowState | null> {
  const state = await hitWindow(key, rule.windowMs);
  return state.count > rule.limit ? state : null;
}

/** Counts a request from `ip`; throws 429 past 30 per 5 minutes for that group of endpoints. */
export async function limitClient(action: ClientAction, ip: string | null): Promise<void> {
  if (!ip) return;
  const limited = await over(`client:${action}:${ip}`, LIMITS.client);
  if (limited) throw rateLimited(limited.windowEnds);
}

/**
 * Claims the right to send one mail of `kind` to `email`: at most one per minute and ten per hour,
 * counted whether or not an account exists (so the answer reveals nothing). Returns the end of
 * the blocking window when the mail must not be sent.
 */
export async function claimMailSlot(kind: MailKind, email: string): Promise<{ allowed: true } | { allowed: false; until: Date }> {
  const cooldown = await over(mailCooldownKey(kind, email), LIMITS.mailCooldown);
  if (cooldown) return { allowed: false, until: cooldown.windowEnds };
  const hourly = await over(mailHourlyKey(kind, email), LIMITS.mailHourly);
  if (hourly) return { allowed: false, until: hourly.windowEnds };
  return { allowed: true };
}

/**
 * Counts a mail that goes out unasked for (the sign-up's own verification e-mail) against the same
 * limits, so a resend or a login within the next minute keeps that mail's code valid instead of
 * replacing it.
 */
export async function countMailSent(kind: MailKind, email: string): Promise<void> {
  await hitWindow(mailCooldownKey(kind, email), LIMITS.mailCooldown.windowMs);
  await hitWindow(mailHourlyKey(kind, email), LIMITS.mailHourly.windowMs);
}

const mailCooldownKey = (kind: MailKind, email: string) => `mail:${kind}:60s:${email}`;
const mailHourlyKey = (kind: MailKind, email: string) => `mail:${kind}:1h:${email}`;

const wrongCodeKey = (userId: number) => `wrong-code:${userId}`;

/**
 * Claims one code check for an account, before the code is compared: once 20 wrong codes were
 * counted in the window, no code is compared until it ends (429). Claiming first keeps concurrent
 * guesses from all slipping in under the cap. A check that did not turn out wrong (the code was
 * right, or there was nothing to compare) gives its claim back with `releaseCodeCheck`.
 */
export async function claimCodeCheck(userId: number): Promise<void> {
  const state = await hitWindow(wrongCodeKey(userId), LIMITS.wrongCodes.windowMs);
  if (state.count > LIMITS.wrongCodes.limit) {
    await releaseHit(wrongCodeKey(userId));
    throw rateLimited(state.windowEnds);
  }
}

export async function releaseCodeCheck(userId: number): Promise<void> {
  await releaseHit(wrongCodeKey(userId));
}

/** Fails fast (429) when the account has used up its wrong codes, without claiming a check. */
export async function assertCodesAllowed(userId: number): Promise<void> {
  const state = await peekWindow(wrongCodeKey(userId));
  if (state && state.count >= LIMITS.wrongCodes.limit) throw rateLimited(state.windowEnds);
}

/**
 * After 10 consecutive failed logins an account waits before the next try: 30 s, doubling per
 * further failure, at most 15 minutes. Never a permanent lock; a password reset clears it.
 */
export const LOGIN_FAILURES_BEFORE_WAIT = 10;

export function loginDelayUntil(failedLoginCount: number, lastFailedLoginAt: Date | null): Date | null {
  if (failedLoginCount < LOGIN_FAILURES_BEFORE_WAIT || !lastFailedLoginAt) return null;
  const delayMs = Math.min(30_000 * 2 ** (failedLoginCount - LOGIN_FAILURES_BEFORE_WAIT), 15 * 60_000);
  const until = new Date(lastFailedLoginAt.getTime() + delayMs);
  return until > now() ? until : null;
}
