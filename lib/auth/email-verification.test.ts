import { describe, expect, it } from "vitest";
import {
  DAY,
  MINUTE,
  PASSWORD,
  advance,
  advanceSeconds,
  appError,
  client,
  codeIn,
  confirmTokenIn,
  failure,
  freshClient,
  lastMailTo,
  mailsTo,
  outcomes,
  retryAfter,
  setUpAuthTests,
  uniqueEmail,
  unverifiedUser,
  verifiedUser,
} from "./testing";

const db = setUpAuthTests();

const { database } = await import("@/lib/db");
const { confirmCode, confirmLink, resendCode, resendVerificationLink, sendCodeIfUnverified, verifyCode } = await import("./email-verification");
const { requestPasswordReset } = await import("./password");
const { authenticate } = await import("./sessions");
const { findUserByEmail } = await import("@/lib/db/users");
const { commitsOf } = await import("@/lib/db/sqlite-statements");
const { recordStatements } = await import("@/lib/db/testing");

/** A code that is not `code`, of the same length. */
const otherThan = (code: string, n = 1) => String((Number(code) + n) % 10_000).padStart(4, "0");
const isVerified = async (email: string) => (await findUserByEmail(database, email))!.verifiedAt !== null;

describe("verification codes", () => {
  it("verify the account with the right code and return the user", async () => {
    const { email, code, user } = await unverifiedUser();
    const verified = await confirmCode(email, code, freshClient());
    expect(verified.id).toBe(user.id);
    expect(verified.verifiedAt).toBeInstanceOf(Date);
    expect(await isVerified(email)).toBe(true);
    // Used up.
    await expect(confirmCode(email, code, freshClient())).rejects.toMatchObject(appError("OTP_EXPIRED", "code"));
  });

  it("give a working session through verifyCode", async () => {
    const { email, code, user } = await unverifiedUser();
    const tokens = await verifyCode(email, code, freshClient());
    expect((await authenticate(tokens.accessToken)).user).toMatchObject({ id: user.id, verifiedAt: expect.any(Date) });
  });

  it("cost one commit through verifyCode: the counts, the caps, the verification and the session; a wrong code one too, and it stays counted", async () => {
    const { email, code, user } = await unverifiedUser();
    const from = freshClient();
    const commits = async (work: () => Promise<unknown>) => {
      const recorder = recordStatements();
      try {
        await work().catch(() => {});
      } finally {
        recorder.stop();
      }
      return commitsOf(recorder.statements);
    };
    expect(await commits(() => verifyCode(email, otherThan(code), from))).toBe(1);
    expect((await db().verification.findFirst({ where: { userId: user.id, consumedAt: null } }))?.attempts).toBe(1);
    expect(await commits(() => verifyCode(email, code, from))).toBe(1);
    expect(await isVerified(email)).toBe(true);
  });

  it("answer a wrong code with OTP_INVALID on code, and leave the account unverified", async () => {
    const { email, code } = await unverifiedUser();
    const error = await failure(confirmCode(email, otherThan(code), freshClient()));
    expect(error).toMatchObject(appError("OTP_INVALID", "code"));
    expect(error.message).toBe("Invalid OTP");
    expect(await isVerified(email)).toBe(false);
  });

  it("take the right code on the fifth try, and none after five wrong ones", async () => {
    const first = await unverifiedUser();
    for (let i = 1; i <= 4; i++) await expect(confirmCode(first.email, otherThan(first.code, i), freshClient())).rejects.toMatchObject({ code: "OTP_INVALID" });
    await expect(confirmCode(first.email, first.code, freshClient())).resolves.toMatchObject({ id: first.user.id });

    const second = await unverifiedUser();
    for (let i = 1; i <= 5; i++) await expect(confirmCode(second.email, otherThan(second.code, i), freshClient())).rejects.toMatchObject({ code: "OTP_INVALID" });
    await expect(confirmCode(second.email, second.code, freshClient())).rejects.toMatchObject(appError("OTP_EXPIRED", "code"));
    expect(await isVerified(second.email)).toBe(false);
  });

  it("expire 10 minutes after they were sent", async () => {
    const early = await unverifiedUser();
    const late = await unverifiedUser();
    advance(10 * MINUTE - 1000);
    await expect(confirmCode(early.email, early.code, freshClient())).resolves.toBeDefined();
    advanceSeconds(2);
    await expect(confirmCode(late.email, late.code, freshClient())).rejects.toMatchObject(appError("OTP_EXPIRED", "code"));
    // The link of the same mail lives longer.
    await expect(confirmLink(late.linkToken, freshClient())).resolves.toMatchObject({ id: late.user.id });
  });

  it("are voided by a newer code, and so is the older link", async () => {
    const { email, code, linkToken } = await unverifiedUser();
    advanceSeconds(61);
    const { code: newCode } = await resendCode(email, freshClient());
    expect(codeIn(await lastMailTo(email))).toBe(newCode);
    // Codes are random: the old one can equal the new one by chance (1 in 10,000).
    if (newCode !== code) await expect(confirmCode(email, code, freshClient())).rejects.toMatchObject({ code: "OTP_INVALID" });
    await expect(confirmLink(linkToken, freshClient())).rejects.toMatchObject(appError("CONFIRMATION_INVALID", "token"));
    await expect(confirmCode(email, newCode, freshClient())).resolves.toBeDefined();
  });

  it("verify exactly once under concurrent checks of the right code", async () => {
    const { email, code, user } = await unverifiedUser();
    const result = await outcomes(Array.from({ length: 10 }, () => verifyCode(email, code, freshClient())));
    expect(result.fulfilled).toBe(1);
    expect(new Set(result.codes)).toEqual(new Set(["OTP_EXPIRED"]));
    expect(await db().session.count({ where: { userId: user.id } })).toBe(1);
  });
});

describe("the cap on wrong codes per address", () => {
  it("allows 20 wrong codes in 24 hours across codes, then RATE_LIMITED even for the right code, until the day is over", async () => {
    const { email, code: firstCode, user } = await unverifiedUser();
    let code = firstCode;
    for (let round = 0; round < 4; round++) {
      if (round > 0) {
        advanceSeconds(61);
        ({ code } = await resendCode(email, freshClient()));
      }
      for (let i = 1; i <= 5; i++) await expect(confirmCode(email, otherThan(code, i), freshClient())).rejects.toMatchObject({ code: "OTP_INVALID" });
    }
    advanceSeconds(61);
    ({ code } = await resendCode(email, freshClient()));
    const wait = await retryAfter(confirmCode(email, code, freshClient()));
    expect(wait).toBeGreaterThan(23 * 3600);
    expect(wait).toBeLessThanOrEqual(24 * 3600);
    expect(await isVerified(email)).toBe(false);
    // Refused by the address's cap, the try was never the code's: its own tries are untouched.
    const open = await db().verification.findFirst({ where: { userId: user.id, consumedAt: null }, orderBy: { id: "desc" } });
    expect(open?.attempts).toBe(0);

    advance(DAY);
    ({ code } = await resendCode(email, freshClient()));
    await expect(confirmCode(email, code, freshClient())).resolves.toBeDefined();
  });

  it("treats an address without an account alike: OTP_INVALID, and the same cap", async () => {
    const email = uniqueEmail("nobody");
    for (let i = 0; i < 20; i++) await expect(confirmCode(email, "1234", freshClient())).rejects.toMatchObject(appError("OTP_INVALID", "code"));
    expect(await retryAfter(confirmCode(email, "1234", freshClient()))).toBeGreaterThan(23 * 3600);
  });
});

describe("confirmation links", () => {
  it("verify the account once; concurrent uses: exactly one succeeds", async () => {
    const { email, linkToken } = await unverifiedUser();
    const result = await outcomes(Array.from({ length: 10 }, () => confirmLink(linkToken, freshClient())));
    expect(result).toEqual({ fulfilled: 1, codes: Array(9).fill("CONFIRMATION_INVALID") });
    expect(await isVerified(email)).toBe(true);
    const again = await failure(confirmLink(linkToken, freshClient()));
    expect(again).toMatchObject(appError("CONFIRMATION_INVALID", "token"));
    expect(again.message).toBe("Confirmation link is invalid or has expired");
    // The code of the same mail went with it.
    await expect(confirmCode(email, codeIn(await lastMailTo(email)), freshClient())).rejects.toMatchObject({ code: "OTP_EXPIRED" });
  });

  it("expire after 24 hours", async () => {
    const { email, linkToken } = await unverifiedUser();
    advance(DAY + 1000);
    await expect(confirmLink(linkToken, freshClient())).rejects.toMatchObject(appError("CONFIRMATION_INVALID", "token"));
    expect(await isVerified(email)).toBe(false);
  });

  it("refuse a missing or made-up token", async () => {
    await expect(confirmLink(null, freshClient())).rejects.toMatchObject(appError("CONFIRMATION_INVALID", "token"));
    await expect(confirmLink("x".repeat(43), freshClient())).rejects.toMatchObject(appError("CONFIRMATION_INVALID", "token"));
  });
});

describe("resendVerificationLink", () => {
  it("sends a fresh mail to an unverified account whose link works and voids the earlier one", async () => {
    const { email, linkToken } = await unverifiedUser();
    advanceSeconds(61);
    await expect(resendVerificationLink(email, freshClient())).resolves.toBeUndefined();
    const mails = await mailsTo(email);
    expect(mails).toHaveLength(2);
    await expect(confirmLink(linkToken, freshClient())).rejects.toMatchObject({ code: "CONFIRMATION_INVALID" });
    await expect(confirmLink(confirmTokenIn(mails[1]!), freshClient())).resolves.toBeDefined();
  });

  it("answers the same for unknown and verified addresses, and sends them nothing", async () => {
    const unknown = uniqueEmail("nobody");
    const { email: verified } = await verifiedUser();
    advanceSeconds(61);
    await expect(resendVerificationLink(unknown, freshClient())).resolves.toBeUndefined();
    await expect(resendVerificationLink(verified, freshClient())).resolves.toBeUndefined();
    expect(await mailsTo(unknown)).toHaveLength(0);
    expect(await mailsTo(verified)).toHaveLength(1);
  });
});

describe("mail limits per address", () => {
  it("count the sign-up mail as the first: a resend within 60 s is RATE_LIMITED and the mailed code stays valid", async () => {
    const { email, code } = await unverifiedUser();
    expect(await retryAfter(resendVerificationLink(email, freshClient()))).toBe(60);
    expect(await retryAfter(resendCode(email, freshClient()))).toBe(60);
    expect(await mailsTo(email)).toHaveLength(1);
    await expect(confirmCode(email, code, freshClient())).resolves.toBeDefined();
    // The limit is per kind of mail: a reset link may still go.
    await requestPasswordReset(email, freshClient());
    expect(await mailsTo(email, "password_reset")).toHaveLength(1);
  });

  it("allow one mail a minute and ten an hour, sign-up mail included", async () => {
    const { email } = await unverifiedUser();
    for (let i = 0; i < 9; i++) {
      advanceSeconds(61);
      await resendVerificationLink(email, freshClient());
    }
    expect(await mailsTo(email)).toHaveLength(10);
    advanceSeconds(61);
    const wait = await retryAfter(resendVerificationLink(email, freshClient()));
    expect(wait).toBeGreaterThan(40 * 60);
    expect(await retryAfter(resendCode(email, freshClient()))).toBeGreaterThan(0);
    expect(await mailsTo(email)).toHaveLength(10);
    // The hour is counted from the sign-up mail.
    advance(wait * 1000);
    await resendVerificationLink(email, freshClient());
    expect(await mailsTo(email)).toHaveLength(11);
  });

  it("count requests for an address without an account exactly alike", async () => {
    const email = uniqueEmail("nobody");
    await resendVerificationLink(email, freshClient());
    expect(await retryAfter(resendVerificationLink(email, freshClient()))).toBe(60);
    for (let i = 0; i < 9; i++) {
      advanceSeconds(61);
      await resendVerificationLink(email, freshClient());
    }
    advanceSeconds(61);
    expect(await retryAfter(resendVerificationLink(email, freshClient()))).toBeGreaterThan(40 * 60);
    expect(await mailsTo(email)).toHaveLength(0);
  });
});

describe("resendCode", () => {
  it("answers unknown and verified addresses with NOTHING_TO_RESEND on email", async () => {
    const { email: verified } = await verifiedUser();
    advanceSeconds(61);
    for (const email of [uniqueEmail("nobody"), verified]) {
      await expect(resendCode(email, freshClient())).rejects.toMatchObject(appError("NOTHING_TO_RESEND", "email"));
    }
    expect(await mailsTo(verified)).toHaveLength(1);
  });
});

describe("sendCodeIfUnverified (a login of an unverified account)", () => {
  it("keeps the mailed code within a minute of the last mail, then sends a new one that voids it", async () => {
    const { email, code, user } = await unverifiedUser();
    expect(await sendCodeIfUnverified(user, client)).toBeNull();
    expect(await mailsTo(email)).toHaveLength(1);

    advanceSeconds(61);
    const newCode = await sendCodeIfUnverified(user, client);
    expect(newCode).toMatch(/^\d{4}$/);
    expect(codeIn(await lastMailTo(email))).toBe(newCode);
    if (newCode !== code) await expect(confirmCode(email, code, freshClient())).rejects.toMatchObject({ code: "OTP_INVALID" });
    const verified = await confirmCode(email, newCode!, freshClient());
    expect(await sendCodeIfUnverified(verified, client)).toBeNull();
  });

  it("sends nothing to a verified account", async () => {
    const { email, user } = await verifiedUser("verified", PASSWORD);
    advanceSeconds(61);
    expect(await sendCodeIfUnverified(user, client)).toBeNull();
    expect(await mailsTo(email)).toHaveLength(1);
  });
});
