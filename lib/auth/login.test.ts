import { pbkdf2Sync, randomBytes } from "node:crypto";
import { hash as argon2Hash, type Algorithm } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import {
  DAY,
  PASSWORD,
  advance,
  advanceSeconds,
  appError,
  client,
  failure,
  freshClient,
  googleUser,
  lastMailTo,
  resetTokenIn,
  retryAfter,
  setUpAuthTests,
  uniqueEmail,
  unverifiedUser,
  verifiedUser,
  sessionOf,
  twoFactorUser,
} from "./testing";
import type { ClientInfo } from "./types";

const db = setUpAuthTests();

const { database } = await import("@/lib/db");
const { authenticatePassword, loginWithPassword } = await import("./login");
const { confirmLink, verifyCode } = await import("./email-verification");
const { requestPasswordReset, resetPassword } = await import("./password");
const { authenticate, refreshSession } = await import("./sessions");
const { ARGON2_PARAMS } = await import("@/lib/password/hash");
const { findUserByEmail } = await import("@/lib/db/users");
const { addressKeys, peekWindow } = await import("@/lib/db/rate-limits");
const { commitsOf } = await import("@/lib/db/sqlite-statements");
const { recordStatements, statementsDuring } = await import("@/lib/db/testing");

const OUR_HASH = /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/;
const storedHash = async (email: string) => (await findUserByEmail(database, email))!.passwordHash;
const setHash = (email: string, passwordHash: string | null) => db().user.update({ where: { email }, data: { passwordHash } });
const sessionCount = (userId: number) => db().session.count({ where: { userId } });

const wrongPassword = (email: string, from: ClientInfo, i = 0) => authenticatePassword(email, `wrong password ${i}`, from);
async function failTenTimes(email: string, from: ClientInfo, code = "PASSWORD_MISMATCH") {
  for (let i = 0; i < 10; i++) await expect(wrongPassword(email, from, i)).rejects.toMatchObject({ code });
}

describe("loginWithPassword", () => {
  it("returns the user and a working session", async () => {
    const { email, user } = await verifiedUser();
    const result = sessionOf(await loginWithPassword(email, PASSWORD, client));
    expect(result).toMatchObject({ user: { id: user.id, email }, code: null });
    expect(await authenticate(result.tokens.accessToken)).toEqual({
      user: expect.objectContaining({ id: user.id }),
      sessionId: result.sessionId,
      proof: { methods: ["password"], provedAt: new Date() },
    });
  });

  it("answers an unknown e-mail with EMAIL_UNKNOWN on email and a wrong password with PASSWORD_MISMATCH on password", async () => {
    const { email, user } = await verifiedUser();
    const unknown = await failure(loginWithPassword(uniqueEmail("nobody"), PASSWORD, client));
    expect(unknown).toMatchObject(appError("EMAIL_UNKNOWN", "email"));
    expect(unknown.message).toBe("E-mail doesn't exists");
    const wrong = await failure(loginWithPassword(email, "not the password", client));
    expect(wrong).toMatchObject(appError("PASSWORD_MISMATCH", "password"));
    expect(wrong.message).toBe("Password mismatch");
    expect(await sessionCount(user.id)).toBe(0);
  });

  it("answers an account without a password (Google only) as an unknown e-mail", async () => {
    const { email } = await googleUser();
    await expect(loginWithPassword(email, PASSWORD, client)).rejects.toMatchObject(appError("EMAIL_UNKNOWN", "email"));
    await expect(loginWithPassword(email, "", client)).rejects.toMatchObject(appError("EMAIL_UNKNOWN", "email"));
  });

  it("gives an unverified account a session too", async () => {
    const { email, user } = await unverifiedUser();
    const result = sessionOf(await loginWithPassword(email, PASSWORD, client));
    expect(result.user.verifiedAt).toBeNull();
    expect((await authenticate(result.tokens.accessToken)).user.id).toBe(user.id);
  });
});

describe("a login's commits (each an fsync on SQLite)", () => {
  const commitsDuring = async (work: () => Promise<unknown>) => commitsOf(await statementsDuring(work));

  it("are two: the limits before the hash, the settlement and the session after it", async () => {
    const { email } = await verifiedUser();
    let result: unknown;
    expect(await commitsDuring(async () => (result = await loginWithPassword(email, PASSWORD, freshClient())))).toBe(2);
    const { tokens, user } = sessionOf(result as Awaited<ReturnType<typeof loginWithPassword>>);
    expect((await authenticate(tokens.accessToken)).user.id).toBe(user.id);
  });

  it("go straight to the driver, as does the session check: none passes through the Prisma client's query engine or its SQLite adapter", async () => {
    const { email } = await verifiedUser();
    await loginWithPassword(email, PASSWORD, freshClient()); // the role list and statements are warm
    const recorder = recordStatements();
    try {
      const { tokens } = sessionOf(await loginWithPassword(email, PASSWORD, freshClient()));
      await authenticate(tokens.accessToken);
    } finally {
      recorder.stop();
    }
    const throughPrisma = recorder.statements.filter((_, i) => recorder.viaPrismaClient[i]);
    expect(recorder.statements.length).toBeGreaterThan(5);
    expect(throughPrisma).toEqual([]);
    // On SQLite, not through Prisma's adapter either (on PostgreSQL every statement goes through pg).
    const { viaPrismaAdapter } = recorder;
    if (viaPrismaAdapter) expect(recorder.statements.filter((_, i) => viaPrismaAdapter[i])).toEqual([]);
  });

  it("are two when two-factor is on: the second step's token is committed with the settlement", async () => {
    const { email } = await twoFactorUser();
    let kind: string | undefined;
    expect(await commitsDuring(async () => ({ kind } = await loginWithPassword(email, PASSWORD, freshClient())))).toBe(2);
    expect(kind).toBe("second-step");
  });
});

describe("consecutive failed logins from one address", () => {
  it("make that address wait 30 s after 10, even with the right password; another address gets in", async () => {
    const { email } = await verifiedUser();
    const attacker = freshClient();
    await failTenTimes(email, attacker);
    const limited = await failure(authenticatePassword(email, PASSWORD, attacker));
    expect(limited).toMatchObject({ code: "RATE_LIMITED", retryAfterSeconds: 30 });
    expect(limited.message).toBe("Too many requests. Try again in 30 seconds.");
    await expect(loginWithPassword(email, PASSWORD, freshClient())).resolves.toBeDefined();
  });

  it("double the wait with each further failure, up to 15 minutes", async () => {
    const { email } = await verifiedUser();
    const from = freshClient();
    await failTenTimes(email, from);
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const wait = await retryAfter(wrongPassword(email, from));
      waits.push(wait);
      advanceSeconds(wait - 1);
      expect(await retryAfter(wrongPassword(email, from))).toBe(1);
      advanceSeconds(1);
      await expect(wrongPassword(email, from)).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 900, 900]);
  });

  it("compare at most 10 passwords from one address, however many arrive at once", async () => {
    const { email } = await verifiedUser();
    const from = freshClient();
    const settled = await Promise.allSettled(Array.from({ length: 25 }, (_, i) => wrongPassword(email, from, i)));
    const codes = settled.map((s) => (s.status === "rejected" ? (s.reason as { code: string }).code : "resolved"));
    expect(codes.filter((c) => c === "PASSWORD_MISMATCH").length).toBeLessThanOrEqual(10);
    expect(codes.filter((c) => c !== "PASSWORD_MISMATCH" && c !== "RATE_LIMITED")).toEqual([]);
    // Only the passwords compared count towards the account's daily ceiling, not the refused tries.
    const ceiling = await peekWindow(database, addressKeys.accountFailures(email));
    expect(ceiling?.count).toBe(codes.filter((c) => c === "PASSWORD_MISMATCH").length);
    await expect(authenticatePassword(email, PASSWORD, from)).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });

  it("are cleared by a success: the streak starts again", async () => {
    const { email } = await verifiedUser();
    const from = freshClient();
    for (let i = 0; i < 9; i++) await expect(wrongPassword(email, from, i)).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
    await authenticatePassword(email, PASSWORD, from);
    for (let i = 0; i < 9; i++) await expect(wrongPassword(email, from, i)).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
    await expect(authenticatePassword(email, PASSWORD, from)).resolves.toBeDefined();
  });

  it("are over after the wait: the right password gets in and clears the streak", async () => {
    const { email } = await verifiedUser();
    const from = freshClient();
    await failTenTimes(email, from);
    advanceSeconds(30);
    await expect(authenticatePassword(email, PASSWORD, from)).resolves.toBeDefined();
    await expect(wrongPassword(email, from)).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
    await expect(authenticatePassword(email, PASSWORD, from)).resolves.toBeDefined();
  });

  it("are cleared by a password reset", async () => {
    const { email } = await verifiedUser();
    const from = freshClient();
    await failTenTimes(email, from);
    await requestPasswordReset(email, freshClient());
    const newPassword = "a brand new passphrase";
    await resetPassword(resetTokenIn(await lastMailTo(email, "password_reset")), newPassword, freshClient());
    await expect(authenticatePassword(email, newPassword, from)).resolves.toBeDefined();
  });

  it("make an address without an account wait the same way", async () => {
    const email = uniqueEmail("nobody");
    const from = freshClient();
    await failTenTimes(email, from, "EMAIL_UNKNOWN");
    expect(await retryAfter(authenticatePassword(email, PASSWORD, from))).toBe(30);
  });
});

describe("the ceiling of 100 failed logins per account and day", () => {
  /** 100 guesses, each from an address of its own, so no streak ever reaches a wait. */
  async function spray(email: string, code: string) {
    for (let batch = 0; batch < 10; batch++) {
      const guesses = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => wrongPassword(email, freshClient(), batch * 10 + i)));
      expect(guesses.map((g) => g.status === "rejected" && (g.reason as { code: string }).code)).toEqual(Array(10).fill(code));
    }
  }

  it("then lets in only addresses that signed in to the account in the last 30 days, until the day is over", async () => {
    const { email } = await verifiedUser();
    const home = freshClient();
    await loginWithPassword(email, PASSWORD, home);
    advance(DAY);

    await spray(email, "PASSWORD_MISMATCH");
    const wait = await retryAfter(wrongPassword(email, freshClient()));
    expect(wait).toBeGreaterThan(23 * 3600);
    expect(await retryAfter(loginWithPassword(email, PASSWORD, freshClient()))).toBe(wait);
    await expect(loginWithPassword(email, PASSWORD, home)).resolves.toBeDefined();

    advanceSeconds(wait);
    await expect(loginWithPassword(email, PASSWORD, freshClient())).resolves.toBeDefined();
  });

  it("holds for an address without an account too", async () => {
    const email = uniqueEmail("nobody");
    await spray(email, "EMAIL_UNKNOWN");
    expect(await retryAfter(wrongPassword(email, freshClient()))).toBeGreaterThan(23 * 3600);
  });
});

describe("stored hashes", () => {
  it.each([
    ["bcrypt", (pw: string) => bcrypt.hashSync(pw, 4)],
    ["Django pbkdf2_sha256", (pw: string) => {
      const salt = randomBytes(9).toString("hex");
      return `pbkdf2_sha256$1000$${salt}$${pbkdf2Sync(pw, salt, 1000, 32, "sha256").toString("base64")}`;
    }],
  ])("a legacy %s hash verifies and is re-hashed to Argon2id on success only", async (_format, make) => {
    const { email } = await verifiedUser();
    const legacy = make(PASSWORD);
    await setHash(email, legacy);
    await expect(authenticatePassword(email, "not the password", freshClient())).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
    expect(await storedHash(email)).toBe(legacy);
    await authenticatePassword(email, PASSWORD, freshClient());
    expect(await storedHash(email)).toMatch(OUR_HASH);
    await expect(authenticatePassword(email, PASSWORD, freshClient())).resolves.toBeDefined();
  });

  it("a current Argon2id hash is kept as it is", async () => {
    const { email } = await verifiedUser();
    const before = await storedHash(email);
    await authenticatePassword(email, PASSWORD, freshClient());
    expect(await storedHash(email)).toBe(before);
  });
});

describe("passwords in other Unicode forms", () => {
  it("match the hash of their NFKC form: full-width letters, a decomposed é", async () => {
    const ascii = await verifiedUser("ascii", "password for tests");
    await expect(authenticatePassword(ascii.email, "ｐａｓｓｗｏｒｄ ｆｏｒ ｔｅｓｔｓ", freshClient())).resolves.toBeDefined();
    const accented = await verifiedUser("accented", "caf\u00e9 au lait 42");
    await expect(authenticatePassword(accented.email, "cafe\u0301 au lait 42", freshClient())).resolves.toBeDefined();
    await expect(authenticatePassword(accented.email, "cafe au lait 42", freshClient())).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
  });

  it("a hash stored from the unnormalised text still verifies, and is re-hashed from the normal form", async () => {
    const typed = "ｐａｓｓｗｏｒｄ ｆｏｒ ｔｅｓｔｓ";
    const { email } = await verifiedUser();
    // An Argon2id hash with today's parameters: only the normalisation calls for a new one.
    const unnormalised = await argon2Hash(typed, { ...ARGON2_PARAMS, algorithm: 2 as Algorithm });
    await setHash(email, unnormalised);
    await authenticatePassword(email, typed, freshClient());
    expect(await storedHash(email)).not.toBe(unnormalised);
    expect(await storedHash(email)).toMatch(OUR_HASH);
    await expect(authenticatePassword(email, "password for tests", freshClient())).resolves.toBeDefined();
  });
});

// Google sign-in of a disabled account: google.test.ts.
describe("a disabled account", () => {
  const disable = (email: string) => db().user.update({ where: { email }, data: { disabledAt: new Date() } });

  it("gets ACCOUNT_DISABLED for the right password and no session; a wrong one is still a mismatch", async () => {
    const { email, user } = await verifiedUser();
    await disable(email);
    await expect(loginWithPassword(email, PASSWORD, freshClient())).rejects.toMatchObject({ code: "ACCOUNT_DISABLED" });
    await expect(loginWithPassword(email, "not the password", freshClient())).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
    expect(await sessionCount(user.id)).toBe(0);
  });

  it("gets no session from a code or a link, and neither is used up", async () => {
    const byCode = await unverifiedUser();
    await disable(byCode.email);
    await expect(verifyCode(byCode.email, byCode.code, freshClient())).rejects.toMatchObject({ code: "ACCOUNT_DISABLED" });
    expect(await sessionCount(byCode.user.id)).toBe(0);
    expect((await db().user.findUniqueOrThrow({ where: { email: byCode.email } })).verifiedAt).toBeNull();

    const byLink = await unverifiedUser();
    await disable(byLink.email);
    await expect(confirmLink(byLink.linkToken, freshClient())).rejects.toMatchObject({ code: "ACCOUNT_DISABLED" });
    expect(await sessionCount(byLink.user.id)).toBe(0);
    expect((await db().user.findUniqueOrThrow({ where: { email: byLink.email } })).verifiedAt).toBeNull();
    expect(await db().verification.count({ where: { userId: byLink.user.id, consumedAt: null } })).toBe(1);
  });

  it("can no longer refresh or use the tokens it had", async () => {
    const { email } = await verifiedUser();
    const { tokens } = sessionOf(await loginWithPassword(email, PASSWORD, client));
    await disable(email);
    await expect(refreshSession(tokens.refreshToken, client)).rejects.toMatchObject(appError("REFRESH_INVALID", "refreshToken"));
    await expect(authenticate(tokens.accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
  });
});
