import { describe, expect, it } from "vitest";
import {
  MINUTE,
  PASSWORD,
  TOTP_STEP_SECONDS,
  advance,
  advanceSeconds,
  appError,
  appSession,
  client,
  failure,
  freshClient,
  googleUser,
  mailsTo,
  outcomes,
  sessionOf,
  setUpAuthTests,
  totpCode,
  twoFactorUser,
  unverifiedUser,
  verifiedUser,
} from "./testing";

const db = setUpAuthTests();

const { database } = await import("@/lib/db");
const { disableTwoFactor, enableTotp, replaceRecoveryCodesWith, setUpTotp } = await import("./two-factor");
const { completeSignIn, signIn } = await import("./sign-in");
const { loginWithPassword } = await import("./login");
const { authenticate, startAppSession } = await import("./sessions");
const { findUserByEmail } = await import("@/lib/db/users");

const RECOVERY_CODE = /^[a-z2-9]{5}-[a-z2-9]{5}$/;

/** The token of a password login's second step. */
async function secondStep(email: string, from = freshClient()): Promise<string> {
  const signIn = await loginWithPassword(email, PASSWORD, from);
  if (signIn.kind !== "second-step") throw new Error(`expected a second step, got ${signIn.kind}`);
  return signIn.mfaToken;
}

/** `n` six-digit codes that none of the steps accepted now (previous, current, next) matches. */
async function wrongCodes(secret: string, n = 1): Promise<string[]> {
  const accepted = new Set(await Promise.all([-1, 0, 1].map((step) => totpCode(secret, step * TOTP_STEP_SECONDS))));
  const codes: string[] = [];
  for (let c = 100000; codes.length < n; c++) if (!accepted.has(String(c))) codes.push(String(c));
  return codes;
}
const wrongCode = async (secret: string) => (await wrongCodes(secret))[0]!;

/** The caller of a session begun before anything changed, as the next request would see it. */
const again = (accessToken: string) => authenticate(accessToken);

const secondFactorsOfLogins = async (userId: number) =>
  (await db().auditEvent.findMany({ where: { userId, type: "login" }, orderBy: { id: "asc" } })).map((e) => JSON.parse(e.detail!));

describe("setUpTotp", () => {
  it("gives a base32 secret, an otpauth URL for the issuer Auth and the address, and an SVG QR code", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    const setup = await setUpTotp(caller, client);
    expect(setup.secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(setup.otpauthUrl);
    expect(url.protocol).toBe("otpauth:");
    expect(url.host).toBe("totp");
    expect(decodeURIComponent(url.pathname)).toBe(`/Auth:${email}`);
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ secret: setup.secret, issuer: "Auth" });
    expect(url.searchParams.get("digits") ?? "6").toBe("6");
    expect(url.searchParams.get("period") ?? "30").toBe("30");
    expect((url.searchParams.get("algorithm") ?? "SHA1").toUpperCase()).toBe("SHA1");
    expect(setup.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
  });

  it("turns nothing on: the login stays one step, and no notice is sent", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    await setUpTotp(caller, client);
    expect((await findUserByEmail(database, email))!.totpEnabledAt).toBeNull();
    expect((await loginWithPassword(email, PASSWORD, freshClient())).kind).toBe("session");
    expect(await mailsTo(email, "notice")).toHaveLength(0);
  });

  it("is refused with TOTP_ALREADY_ON when two-factor is on, and the secret in force stays", async () => {
    const { caller, secret } = await twoFactorUser();
    const error = await failure(setUpTotp(caller, client));
    expect(error).toMatchObject({ code: "TOTP_ALREADY_ON" });
    expect(error.message).toBe("Two-factor authentication is already on.");
    const { user } = await completeSignIn(await secondStep(caller.user.email), { code: await totpCode(secret) }, client, "api");
    expect(user.id).toBe(caller.user.id);
  });

  it("again replaces the pending secret: a code of the first one no longer enables", async () => {
    const { user } = await verifiedUser();
    const { caller } = await appSession(user);
    const first = await setUpTotp(caller, client);
    const second = await setUpTotp(caller, client);
    expect(second.secret).not.toBe(first.secret);
    await expect(enableTotp(caller, await totpCode(first.secret), client)).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    await expect(enableTotp(caller, await totpCode(second.secret), client)).resolves.toBeDefined();
  });

  it("is refused with VERIFY_EMAIL_FIRST for an unverified account", async () => {
    const { user } = await unverifiedUser();
    const { caller } = await appSession(user);
    await expect(setUpTotp(caller, client)).rejects.toMatchObject({ code: "VERIFY_EMAIL_FIRST" });
  });
});

describe("enableTotp", () => {
  it("refuses a wrong code with INVALID_CODE on code, and nothing is on", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    const { secret } = await setUpTotp(caller, client);
    const error = await failure(enableTotp(caller, await wrongCode(secret), client));
    expect(error).toMatchObject(appError("INVALID_CODE", "code"));
    expect(error.message).toBe("Invalid code");
    await expect(enableTotp(caller, "not a code", client)).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    expect((await findUserByEmail(database, email))!.totpEnabledAt).toBeNull();
    expect(await db().recoveryCode.count({ where: { userId: user.id } })).toBe(0);
  });

  it("counts wrong codes toward the address's 20 a day: the 21st check is RATE_LIMITED, even for the right code", async () => {
    const { user } = await verifiedUser();
    const { caller } = await appSession(user);
    const { secret } = await setUpTotp(caller, client);
    for (const code of await wrongCodes(secret, 20)) await expect(enableTotp(caller, code, client)).rejects.toMatchObject({ code: "INVALID_CODE" });
    await expect(enableTotp(caller, await totpCode(secret), client)).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });

  it("is TOTP_NOT_SET_UP on code before a set-up", async () => {
    const { user } = await verifiedUser();
    const { caller } = await appSession(user);
    await expect(enableTotp(caller, "123456", client)).rejects.toMatchObject(appError("TOTP_NOT_SET_UP", "code"));
  });

  it("with the right code turns two-factor on, gives 10 distinct recovery codes and sends a notice", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    const { secret } = await setUpTotp(caller, client);
    const { recoveryCodes } = await enableTotp(caller, await totpCode(secret), client);
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(RECOVERY_CODE);
    expect((await findUserByEmail(database, email))!.totpEnabledAt).toEqual(expect.any(Date));
    const notices = await mailsTo(email, "notice");
    expect(notices.map((m) => m.subject)).toEqual(["Two-factor authentication is on for your Auth account"]);
  });

  it("stores the secret sealed and the recovery codes only as digests", async () => {
    const { user } = await verifiedUser();
    const { caller } = await appSession(user);
    const { secret } = await setUpTotp(caller, client);
    const { recoveryCodes } = await enableTotp(caller, await totpCode(secret), client);

    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.totpSecret).toMatch(/^v1\./);
    expect(row.totpSecret).not.toContain(secret);
    const stored = await db().recoveryCode.findMany({ where: { userId: user.id } });
    expect(stored).toHaveLength(10);
    const readable = recoveryCodes.flatMap((c) => [c, c.replace("-", "")]);
    for (const { codeHash } of stored) {
      expect(codeHash).toMatch(/^[0-9a-f]{64}$/);
      expect(readable).not.toContain(codeHash);
      expect(readable.some((c) => codeHash.includes(c))).toBe(false);
    }
  });
});

describe("authenticator codes", () => {
  it("of the previous and the next 30-second step are accepted, of two steps away not", async () => {
    const early = await verifiedUser();
    const { caller } = await appSession(early.user);
    const { secret } = await setUpTotp(caller, client);
    for (const offset of [-2 * TOTP_STEP_SECONDS, 2 * TOTP_STEP_SECONDS]) {
      await expect(enableTotp(caller, await totpCode(secret, offset), client)).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    }
    await expect(enableTotp(caller, await totpCode(secret, -TOTP_STEP_SECONDS), client)).resolves.toBeDefined();

    const late = await verifiedUser();
    const lateCaller = (await appSession(late.user)).caller;
    const lateSecret = (await setUpTotp(lateCaller, client)).secret;
    await expect(enableTotp(lateCaller, await totpCode(lateSecret, TOTP_STEP_SECONDS), client)).resolves.toBeDefined();
  });

  it("are accepted once: the same code again is INVALID_CODE", async () => {
    const { email, secret } = await twoFactorUser();
    const code = await totpCode(secret);
    await completeSignIn(await secondStep(email), { code }, client, "api");
    await expect(completeSignIn(await secondStep(email), { code }, client, "api")).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    // The code that enabled two-factor was used too.
    await expect(completeSignIn(await secondStep(email), { code: await totpCode(secret, -TOTP_STEP_SECONDS) }, client, "api")).rejects.toMatchObject(
      appError("INVALID_CODE", "code"),
    );
    advanceSeconds(TOTP_STEP_SECONDS);
    await expect(completeSignIn(await secondStep(email), { code: await totpCode(secret) }, client, "api")).resolves.toMatchObject({ kind: "session" });
  });

  it("answer INVALID_CODE, not an exception, when the clock is behind the last accepted step", async () => {
    const { email, secret } = await twoFactorUser();
    await completeSignIn(await secondStep(email), { code: await totpCode(secret, TOTP_STEP_SECONDS) }, client, "api");
    advanceSeconds(-2 * TOTP_STEP_SECONDS);
    await expect(completeSignIn(await secondStep(email), { code: await totpCode(secret) }, client, "api")).rejects.toMatchObject(
      appError("INVALID_CODE", "code"),
    );
  });

  it("are accepted once when two sign-ins race with the same code", async () => {
    const { email, secret } = await twoFactorUser();
    const tokens = [await secondStep(email), await secondStep(email)];
    const code = await totpCode(secret);
    const result = await outcomes(tokens.map((t) => completeSignIn(t, { code }, freshClient(), "api")));
    expect(result).toEqual({ fulfilled: 1, codes: ["INVALID_CODE"] });
  });
});

describe("sign-in with two-factor on", () => {
  it("asks a password login for a second step, whose code gives a working session with both factors", async () => {
    const { email, user, secret } = await twoFactorUser();
    const signIn = await loginWithPassword(email, PASSWORD, freshClient());
    expect(signIn).toMatchObject({ kind: "second-step", mfaToken: expect.stringMatching(/^[\w-]{43}$/) });
    expect(signIn).not.toHaveProperty("tokens");

    const done = await completeSignIn((signIn as { mfaToken: string }).mfaToken, { code: await totpCode(secret) }, client, "api");
    expect(done).toMatchObject({ kind: "session", user: { id: user.id } });
    expect(await authenticate(done.tokens.accessToken)).toEqual({
      user: expect.objectContaining({ id: user.id }),
      sessionId: done.sessionId,
      proof: { methods: ["password", "totp"], provedAt: new Date() },
    });
    expect((await secondFactorsOfLogins(user.id)).at(-1)).toMatchObject({ method: "password", second_factor: "totp" });
  });

  it("asks a Google sign-in for the second step too, and the session records Google as the first factor", async () => {
    const { user } = await googleUser();
    const { caller } = await appSession(user);
    const { secret } = await setUpTotp(caller, client);
    await enableTotp(caller, await totpCode(secret), client);
    advanceSeconds(TOTP_STEP_SECONDS);

    const google = await signIn((await findUserByEmail(database, user.email))!, client, "google", "api");
    expect(google.kind).toBe("second-step");
    await completeSignIn((google as { mfaToken: string }).mfaToken, { code: await totpCode(secret) }, client, "api");
    expect((await secondFactorsOfLogins(user.id)).at(-1)).toMatchObject({ method: "google", second_factor: "totp" });
  });

  it("accepts a recovery code once, typed in capitals and without the dash as well; used again it is INVALID_CODE", async () => {
    const { email, user, recoveryCodes } = await twoFactorUser();
    const [first, second] = recoveryCodes as [string, string];
    await expect(completeSignIn(await secondStep(email), { recoveryCode: first }, client, "api")).resolves.toMatchObject({ kind: "session" });
    await expect(completeSignIn(await secondStep(email), { recoveryCode: first }, client, "api")).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    await expect(
      completeSignIn(await secondStep(email), { recoveryCode: ` ${second.replace("-", "").toUpperCase()} ` }, client, "api"),
    ).resolves.toMatchObject({ kind: "session" });
    expect((await secondFactorsOfLogins(user.id)).at(-1)).toMatchObject({ second_factor: "recovery-code" });
  });

  it("refuses another account's recovery code", async () => {
    const mine = await twoFactorUser();
    const theirs = await twoFactorUser();
    await expect(completeSignIn(await secondStep(mine.email), { recoveryCode: theirs.recoveryCodes[0]! }, client, "api")).rejects.toMatchObject(
      appError("INVALID_CODE", "code"),
    );
  });

  it("kills the second step after 5 wrong codes: SIGN_IN_AGAIN on mfaToken, even for the right code", async () => {
    const { email, secret } = await twoFactorUser();
    const token = await secondStep(email);
    for (const code of await wrongCodes(secret, 5)) {
      await expect(completeSignIn(token, { code }, client, "api")).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    }
    const error = await failure(completeSignIn(token, { code: await totpCode(secret) }, client, "api"));
    expect(error).toMatchObject(appError("SIGN_IN_AGAIN", "mfaToken"));
    expect(error.message).toBe("Sign in again");
    // A new first step starts over.
    await expect(completeSignIn(await secondStep(email), { code: await totpCode(secret) }, client, "api")).resolves.toMatchObject({ kind: "session" });
  });

  it("allows 4 wrong codes before the right one", async () => {
    const { email, secret } = await twoFactorUser();
    const token = await secondStep(email);
    for (const code of await wrongCodes(secret, 4)) await expect(completeSignIn(token, { code }, client, "api")).rejects.toMatchObject({ code: "INVALID_CODE" });
    await expect(completeSignIn(token, { code: await totpCode(secret) }, client, "api")).resolves.toMatchObject({ kind: "session" });
  });

  it("gives the second step 5 minutes: SIGN_IN_AGAIN after, and the token works once", async () => {
    const { email, secret } = await twoFactorUser();
    const late = await secondStep(email);
    const inTime = await secondStep(email);
    advance(5 * MINUTE - 1000);
    await expect(completeSignIn(inTime, { code: await totpCode(secret) }, client, "api")).resolves.toMatchObject({ kind: "session" });
    advanceSeconds(TOTP_STEP_SECONDS);
    await expect(completeSignIn(inTime, { code: await totpCode(secret) }, client, "api")).rejects.toMatchObject(appError("SIGN_IN_AGAIN", "mfaToken"));
    await expect(completeSignIn(late, { code: await totpCode(secret) }, client, "api")).rejects.toMatchObject(appError("SIGN_IN_AGAIN", "mfaToken"));
    await expect(completeSignIn("x".repeat(43), { code: await totpCode(secret) }, client, "api")).rejects.toMatchObject(appError("SIGN_IN_AGAIN", "mfaToken"));
  });

  it("counts wrong codes toward the address's 20 a day: then RATE_LIMITED, even for the right code", async () => {
    const { email, secret, recoveryCodes } = await twoFactorUser();
    for (let login = 0; login < 4; login++) {
      const token = await secondStep(email);
      for (const code of await wrongCodes(secret, 5)) await expect(completeSignIn(token, { code }, freshClient(), "api")).rejects.toMatchObject({ code: "INVALID_CODE" });
    }
    const token = await secondStep(email);
    const limited = await failure(completeSignIn(token, { code: await totpCode(secret) }, freshClient(), "api"));
    expect(limited).toMatchObject({ code: "RATE_LIMITED" });
    expect(limited.retryAfterSeconds).toBeGreaterThan(23 * 3600);
    await expect(completeSignIn(token, { recoveryCode: recoveryCodes[0]! }, freshClient(), "api")).rejects.toMatchObject({ code: "RATE_LIMITED" });
  });
});

describe("replaceRecoveryCodesWith", () => {
  it("needs an authenticator code: a wrong one is INVALID_CODE and the codes stay", async () => {
    const { email, caller, secret, recoveryCodes } = await twoFactorUser();
    await expect(replaceRecoveryCodesWith(caller, await wrongCode(secret), client)).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    await expect(replaceRecoveryCodesWith(caller, recoveryCodes[0]!, client)).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    await expect(completeSignIn(await secondStep(email), { recoveryCode: recoveryCodes[0]! }, client, "api")).resolves.toBeDefined();
  });

  it("gives 10 new codes: the old ones die, the new ones work, and a notice is sent", async () => {
    const { email, caller, secret, recoveryCodes: old } = await twoFactorUser();
    advance(MINUTE); // past the enable notice's minute
    const { recoveryCodes } = await replaceRecoveryCodesWith(caller, await totpCode(secret), client);
    expect(recoveryCodes).toHaveLength(10);
    expect(recoveryCodes.filter((c) => old.includes(c))).toEqual([]);
    await expect(completeSignIn(await secondStep(email), { recoveryCode: old[0]! }, client, "api")).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    await expect(completeSignIn(await secondStep(email), { recoveryCode: recoveryCodes[0]! }, client, "api")).resolves.toMatchObject({ kind: "session" });
    expect((await mailsTo(email, "notice")).at(-1)!.subject).toBe("New recovery codes for your Auth account");
  });

  it("is TOTP_NOT_ON on code for an account without two-factor", async () => {
    const { user } = await verifiedUser();
    const { caller } = await appSession(user);
    await expect(replaceRecoveryCodesWith(caller, "123456", client)).rejects.toMatchObject(appError("TOTP_NOT_ON", "code"));
  });
});

describe("disableTwoFactor", () => {
  it("with an authenticator code turns it off: the login is one step again, the secret and codes are gone, a notice is sent", async () => {
    const { email, user, caller, secret } = await twoFactorUser();
    advance(MINUTE);
    await disableTwoFactor(caller, await totpCode(secret), client);
    expect(sessionOf(await loginWithPassword(email, PASSWORD, freshClient())).user.totpEnabledAt).toBeNull();
    const row = await db().user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row).toMatchObject({ totpSecret: null, totpEnabledAt: null });
    expect(await db().recoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect((await mailsTo(email, "notice")).at(-1)!.subject).toBe("Two-factor authentication is off for your Auth account");
  });

  it("with a recovery code turns it off", async () => {
    const { email, caller, recoveryCodes } = await twoFactorUser();
    await disableTwoFactor(caller, recoveryCodes[3]!, client);
    expect((await loginWithPassword(email, PASSWORD, freshClient())).kind).toBe("session");
  });

  it("refuses a wrong code with INVALID_CODE on code, and two-factor stays on", async () => {
    const { email, caller, secret } = await twoFactorUser();
    await expect(disableTwoFactor(caller, await wrongCode(secret), client)).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    await expect(disableTwoFactor(caller, "aaaaa-bbbbb", client)).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    expect((await loginWithPassword(email, PASSWORD, freshClient())).kind).toBe("second-step");
  });

  it("is TOTP_NOT_ON on code when it is off; set up again, a new secret is needed", async () => {
    const { email, caller, secret, tokens } = await twoFactorUser();
    await disableTwoFactor(caller, await totpCode(secret), client);
    const off = await again(tokens.accessToken);
    await expect(disableTwoFactor(off, "123456", client)).rejects.toMatchObject(appError("TOTP_NOT_ON", "code"));
    const { secret: fresh } = await setUpTotp(off, client);
    expect(fresh).not.toBe(secret);
    advanceSeconds(TOTP_STEP_SECONDS);
    await expect(enableTotp(off, await totpCode(secret), client)).rejects.toMatchObject(appError("INVALID_CODE", "code"));
    await enableTotp(off, await totpCode(fresh), client);
    expect((await loginWithPassword(email, PASSWORD, freshClient())).kind).toBe("second-step");
  });
});

describe("beginSession's guard", () => {
  it("refuses to start a session for a two-factor account without a second factor", async () => {
    const { user } = await twoFactorUser();
    await expect(startAppSession(database, user, client, "password")).rejects.toThrow(`a session for user ${user.id} needs a second factor`);
    await expect(startAppSession(database, user, client, { method: "password", secondFactor: "totp" })).resolves.toBeDefined();
  });
});
