import { randomInt } from "node:crypto";
import { describe, expect, it } from "vitest";
import { PASSWORD, appSession, client, codeIn, freshClient, freshIp, lastMailTo, resetTokenIn, retryAfter, setUpAuthTests } from "@/lib/auth/testing";

/**
 * No address reaches another's rows through a pattern: `%` and `_` are valid in an e-mail address,
 * and an account that deletes itself, or resets its password, ends only its own limits.
 */

const db = setUpAuthTests();

const { database } = await import("@/lib/db");
const { likePrefix } = await import("./sql");
const { deleteWindows, markWindow } = await import("./rate-limits");
const { EmailSchema } = await import("@/lib/validation/fields");
const { deleteAccount } = await import("@/lib/auth/account-deletion");
const { confirmCode } = await import("@/lib/auth/email-verification");
const { LIMITS, claimCodeCheck, claimMailSlot, claimPasswordAttempt, rememberAddress } = await import("@/lib/auth/limits");
const { authenticatePassword, loginWithPassword } = await import("@/lib/auth/login");
const { requestPasswordReset, resetPassword } = await import("@/lib/auth/password");
const { createAccount } = await import("@/lib/auth/signup");

const NEW_PASSWORD = "a brand new passphrase";

/** A domain of the test's own, so a pattern that spans the domain can reach only the test's rows. */
const uniqueDomain = () => `patterns-${randomInt(1e9)}.example.com`;

/**
 * Each local part, as a pattern, would match the other's: the first two are LIKE's wildcards; `*`
 * is GLOB's (no statement uses GLOB; kept to show it matches nothing either). A backslash, LIKE's
 * escape character here, is not valid in an address (checked below).
 */
const PAIRS = [
  ["%", "victim"],
  ["_", "v"],
  ["a_b", "axb"],
  ["a%", "abc"],
  ["a*b", "axb"],
] as const;

/** A verified password account at exactly `email`. */
async function accountAt(email: string) {
  await createAccount({ email, password: PASSWORD, name: "Pattern" }, freshClient());
  const user = await confirmCode(email, codeIn(await lastMailTo(email, "verification")), freshClient());
  return { email, user };
}

/** The address's windows, found by exact text (not by SQL): its own keys, and its per-client-address ones. */
async function windowsOf(email: string) {
  const rows = await db().rateLimit.findMany({ orderBy: { key: "asc" } });
  return rows.filter((r) => r.key.endsWith(`:${email}`) || r.key.includes(`:${email}:`));
}

/**
 * An account at `email` at every limit: a mail in its minute, the day's 20 wrong codes, a failed-login
 * streak that makes one client address wait, and the day's 100 failed logins, past which only a known
 * address (`home`) may try.
 */
async function accountAtEveryLimit(email: string) {
  await accountAt(email);
  for (let i = 0; i < LIMITS.wrongCodes.limit; i++) await claimCodeCheck(database, email);
  const streakFrom = freshClient();
  for (let i = 0; i < LIMITS.loginStreak.failuresBeforeWait; i++) {
    await expect(authenticatePassword(email, `wrong ${i}`, streakFrom)).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
  }
  for (let i = LIMITS.loginStreak.failuresBeforeWait; i < LIMITS.accountFailures.limit; i++) await claimPasswordAttempt(database, email, freshIp());
  const home = freshIp();
  await rememberAddress(database, email, home);
  return { streakFrom, home };
}

async function expectAtEveryLimit(email: string, { streakFrom, home }: Awaited<ReturnType<typeof accountAtEveryLimit>>) {
  await expect(claimMailSlot(database, "verification", email)).rejects.toMatchObject({ code: "RATE_LIMITED" });
  expect(await retryAfter(claimCodeCheck(database, email))).toBeGreaterThan(23 * 3600);
  expect(await retryAfter(authenticatePassword(email, PASSWORD, streakFrom))).toBe(30);
  expect(await retryAfter(claimPasswordAttempt(database, email, freshIp()))).toBeGreaterThan(23 * 3600);
  await expect(claimPasswordAttempt(database, email, home)).resolves.toBeDefined();
}

/** An account at `email` with a window of every kind: mail, a wrong code, a failed login, a known address. */
async function accountWithEveryWindow(email: string) {
  const { user } = await accountAt(email);
  await claimCodeCheck(database, email);
  await expect(authenticatePassword(email, "not the password", freshClient())).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
  await loginWithPassword(email, PASSWORD, freshClient());
  await requestPasswordReset(email, freshClient());
  const kinds = (await windowsOf(email)).map((w) => w.key.split(":")[0]);
  expect(new Set(kinds)).toEqual(new Set(["known-address", "login-failures", "login-streak", "mail", "wrong-code"]));
  return user;
}

describe("likePrefix", () => {
  it("escapes LIKE's wildcards and its escape character, and matches what follows", () => {
    expect(likePrefix("login-streak:%@example.com:")).toBe("login-streak:\\%@example.com:%");
    expect(likePrefix("a_b\\c")).toBe("a\\_b\\\\c%");
    expect(likePrefix("*?[]")).toBe("*?[]%");
  });

  it("is needed: the addresses of these tests are valid, a backslash is not", () => {
    for (const [attacker, victim] of PAIRS) {
      expect(EmailSchema.safeParse(`${attacker}@example.com`)).toMatchObject({ success: true });
      expect(EmailSchema.safeParse(`${victim}@example.com`)).toMatchObject({ success: true });
    }
    expect(EmailSchema.safeParse("a\\b@example.com").success).toBe(false);
  });
});

describe("deleteWindows", () => {
  it("ends the windows that start with the text, as text: not those its wildcards would match", async () => {
    const domain = uniqueDomain();
    const keys = ["%", "_", "a_b", "axb", "a\\b", "a\\\\b", "victim", "V"].map((local) => `test-streak:${local}@${domain}:10.0.0.1`);
    for (const key of keys) await markWindow(database, key, 60_000);
    const left = async () => (await db().rateLimit.findMany({ where: { key: { in: keys } }, orderBy: { key: "asc" } })).map((r) => r.key);

    await deleteWindows(database, `test-streak:%@${domain}:`);
    await deleteWindows(database, `test-streak:_@${domain}:`);
    await deleteWindows(database, `test-streak:a_b@${domain}:`);
    await deleteWindows(database, `test-streak:a\\b@${domain}:`);
    expect(await left()).toEqual(keys.filter((k) => /:(axb|a\\\\b|victim|V)@/.test(k)).sort());
  });
});

describe.each(PAIRS)("an account at %s@… (another address: %s@…)", (attackerLocal, victimLocal) => {
  it("deleting itself ends its own limits and leaves the other address's in place", async () => {
    const domain = uniqueDomain();
    const victim = `${victimLocal}@${domain}`;
    const attacker = `${attackerLocal}@${domain}`;
    const limits = await accountAtEveryLimit(victim);
    const user = await accountWithEveryWindow(attacker);
    const before = await windowsOf(victim);

    await deleteAccount((await appSession(user)).caller, { password: PASSWORD }, client);

    expect(await windowsOf(attacker)).toEqual([]);
    expect(await windowsOf(victim)).toEqual(before);
    await expectAtEveryLimit(victim, limits);
  });

  it("resetting its password forgets its own failed-login streaks, not the other address's", async () => {
    const domain = uniqueDomain();
    const victim = `${victimLocal}@${domain}`;
    const attacker = `${attackerLocal}@${domain}`;
    const limits = await accountAtEveryLimit(victim);
    await accountAt(attacker);
    const attackerFrom = freshClient();
    for (let i = 0; i < LIMITS.loginStreak.failuresBeforeWait; i++) {
      await expect(authenticatePassword(attacker, `wrong ${i}`, attackerFrom)).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
    }
    expect(await retryAfter(authenticatePassword(attacker, PASSWORD, attackerFrom))).toBe(30);
    const before = await windowsOf(victim);

    await requestPasswordReset(attacker, freshClient());
    await resetPassword(resetTokenIn(await lastMailTo(attacker, "password_reset")), NEW_PASSWORD, freshClient());

    await expect(authenticatePassword(attacker, NEW_PASSWORD, attackerFrom)).resolves.toBeDefined();
    expect(await windowsOf(victim)).toEqual(before);
    await expectAtEveryLimit(victim, limits);
  });
});
