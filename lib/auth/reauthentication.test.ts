import { describe, expect, it } from "vitest";
import {
  MINUTE,
  PASSWORD,
  SoftPasskey,
  advance,
  appError,
  appSession,
  client,
  codeIn,
  failure,
  freshClient,
  googleUser,
  lastMailTo,
  registeredPasskey,
  setUpAuthTests,
  totpCode,
  twoFactorUser,
  uniqueEmail,
  unverifiedUser,
  verifiedUser,
} from "./testing";

setUpAuthTests();

const { database } = await import("@/lib/db");
const { reauthenticate, sendReauthenticationCode, reauthenticationNeeds } = await import("./reauthentication");
const { passkeyReauthenticationOptions, passkeyRegistrationOptions, addPasskey } = await import("./passkeys");
const { setUpTotp, enableTotp, replaceRecoveryCodesWith, disableTwoFactor } = await import("./two-factor");
const { requestEmailChange } = await import("./email-change");
const { deleteAccount } = await import("./account-deletion");
const { changePassword } = await import("./password");
const { authenticate, refreshSession } = await import("./sessions");
const { verifyAccessToken } = await import("@/lib/tokens/access");
const { findUserByEmail } = await import("@/lib/db/users");

/** Past REAUTH_MAX_AGE_SECONDS (600) since the session's sign-in. */
const STALE = 11 * MINUTE;

describe("the fresh-proof rule", () => {
  it("a sign-in is a fresh proof for 10 minutes; a refresh never renews it", async () => {
    const { user } = await verifiedUser();
    const { tokens } = await appSession(user);
    advance(9 * MINUTE);
    await setUpTotp(await authenticate(tokens.accessToken), client);
    advance(2 * MINUTE);
    const refreshed = await refreshSession(tokens.refreshToken, client);
    const caller = await authenticate(refreshed.accessToken);
    expect(await failure(setUpTotp(caller, client))).toMatchObject({ code: "REAUTHENTICATION_REQUIRED", message: "Confirm it's you first." });
  });

  it("a stolen access token alone (a sign-in 11 minutes old) adds no passkey, turns on no two-factor, moves no address, deletes nothing", async () => {
    const { email, user } = await verifiedUser();
    const stolen = (await appSession(user)).caller;
    const google = await googleUser();
    const googleStolen = (await appSession(google.user)).caller;
    advance(STALE);
    const refusals = [
      passkeyRegistrationOptions(stolen),
      addPasskey(stolen, new SoftPasskey().register({ challenge: "x", user: { id: "eA" } }), "thief", client),
      setUpTotp(stolen, client),
      enableTotp(stolen, "123456", client),
      requestEmailChange(googleStolen, { newEmail: uniqueEmail("thief") }, client),
      deleteAccount(googleStolen, { email: google.email }, client),
    ];
    // Every refusal is awaited at once: one that is refused before its turn is still handled.
    for (const error of await Promise.all(refusals.map((refused) => failure(refused)))) expect(error).toMatchObject(appError("REAUTHENTICATION_REQUIRED"));
    expect(await findUserByEmail(database, email)).toMatchObject({ totpEnabledAt: null });
    expect(await findUserByEmail(database, google.email)).not.toBeNull();
  });

  it("new recovery codes and turning two-factor off need it too", async () => {
    const { caller, secret, recoveryCodes } = await twoFactorUser();
    advance(STALE);
    expect(await failure(replaceRecoveryCodesWith(caller, await totpCode(secret), client))).toMatchObject(appError("REAUTHENTICATION_REQUIRED"));
    expect(await failure(disableTwoFactor(caller, recoveryCodes[0]!, client))).toMatchObject(appError("REAUTHENTICATION_REQUIRED"));
  });

  it("the password of a password change or a deletion is the proof itself", async () => {
    const { email, user } = await verifiedUser();
    const { caller, tokens } = await appSession(user);
    advance(STALE);
    await changePassword(caller, { currentPassword: PASSWORD, newPassword: "another long passphrase" }, client);
    await deleteAccount(await authenticate(tokens.accessToken), { password: "another long passphrase" }, client);
    expect(await findUserByEmail(database, email)).toBeNull();
  });

  it("an unverified account adds no passkey, sets up no two-factor and changes no address (VERIFY_EMAIL_FIRST)", async () => {
    const { user } = await unverifiedUser();
    const { caller } = await appSession(user);
    for (const refused of [passkeyRegistrationOptions(caller), setUpTotp(caller, client), requestEmailChange(caller, { newEmail: uniqueEmail(), password: PASSWORD }, client)]) {
      expect(await failure(refused)).toMatchObject(appError("VERIFY_EMAIL_FIRST"));
    }
  });
});

describe("reauthenticate", () => {
  it("with the password renews the session's proof: sensitive changes work again, and new access tokens carry auth_time and amr", async () => {
    const { user } = await verifiedUser();
    const { caller } = await appSession(user);
    advance(STALE);
    const renewed = await reauthenticate(caller, { password: PASSWORD }, freshClient());
    expect(renewed.proof).toEqual({ methods: ["password"], provedAt: new Date() });
    const { tokens } = await appSession(user);
    const claims = await verifyAccessToken(tokens.accessToken);
    expect(claims).toMatchObject({ amr: ["pwd"], auth_time: Math.floor(Date.now() / 1000) });
    await setUpTotp(renewed, client);
  });

  it("refuses a wrong password on the password field, counted as a failed login", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    const from = freshClient();
    for (let i = 0; i < 10; i++) expect(await failure(reauthenticate(caller, { password: "wrong guess" }, from))).toMatchObject(appError("PASSWORD_MISMATCH", "password"));
    // The eleventh try from that address waits, as a login's would.
    expect(await failure(reauthenticate(caller, { password: PASSWORD }, from))).toMatchObject({ code: "RATE_LIMITED" });
    expect(await findUserByEmail(database, email)).not.toBeNull();
  });

  it("on a two-factor account asks for the password and a code together, and accepts a recovery code", async () => {
    const { caller, secret, recoveryCodes } = await twoFactorUser();
    advance(STALE);
    expect(await failure(reauthenticate(caller, { password: PASSWORD }, freshClient()))).toMatchObject(appError("VALIDATION", "code"));
    expect(await failure(reauthenticate(caller, { code: await totpCode(secret) }, freshClient()))).toMatchObject(appError("VALIDATION", "password"));
    expect(await failure(reauthenticate(caller, { password: PASSWORD, code: "000000" }, freshClient()))).toMatchObject(appError("INVALID_CODE", "code"));
    const renewed = await reauthenticate(caller, { password: PASSWORD, code: recoveryCodes[0]! }, freshClient());
    expect(renewed.proof.methods).toEqual(["password", "recovery-code"]);
    await replaceRecoveryCodesWith(renewed, await totpCode(secret), client);
  });

  it("a two-factor account's session with only a password proof is not fresh", async () => {
    const { user, secret } = await twoFactorUser();
    const { startAppSession } = await import("./sessions");
    // A session one factor opened (before two-factor was on, say) that then proves only the password.
    const { tokens } = await startAppSession(database, user, client, { method: "password", secondFactor: "totp" });
    const caller = await authenticate(tokens.accessToken);
    const { recordProof } = await import("@/lib/db/sessions");
    await recordProof(database, caller.sessionId, "password");
    expect(await failure(disableTwoFactor(await authenticate(tokens.accessToken), await totpCode(secret), client))).toMatchObject(appError("REAUTHENTICATION_REQUIRED"));
  });

  it("for an account without a password: a 6-digit code by e-mail, used once", async () => {
    const { email, user } = await googleUser();
    const { caller } = await appSession(user);
    advance(STALE);
    expect(await reauthenticationNeeds(user, [])).toEqual({ firstFactor: "emailed-code", secondFactor: false, hasPasskeys: false });
    expect(await failure(reauthenticate(caller, {}, freshClient()))).toMatchObject(appError("VALIDATION", "otp"));
    await sendReauthenticationCode(caller, freshClient());
    const mail = await lastMailTo(email, "verification");
    expect(mail.subject).toBe("Your Auth confirmation code");
    const otp = codeIn(mail);
    expect(otp).toMatch(/^\d{6}$/);
    const wrong = otp === "000000" ? "000001" : "000000";
    expect(await failure(reauthenticate(caller, { otp: wrong }, freshClient()))).toMatchObject(appError("INVALID_CODE", "otp"));
    const renewed = await reauthenticate(caller, { otp }, freshClient());
    expect(renewed.proof.methods).toEqual(["code"]);
    expect(await failure(reauthenticate(caller, { otp }, freshClient()))).toMatchObject(appError("CODE_EXPIRED", "otp"));
    await requestEmailChange(renewed, { newEmail: uniqueEmail("moved") }, client);
  });

  it("a password account asks for no e-mailed code", async () => {
    const { user } = await verifiedUser();
    const { caller } = await appSession(user);
    expect(await failure(sendReauthenticationCode(caller, client))).toMatchObject(appError("VALIDATION", "password"));
  });

  it("with one of the caller's passkeys (user verification: both factors, even with two-factor on)", async () => {
    const { caller } = await twoFactorUser();
    const { passkey } = await registeredPasskey(caller);
    advance(STALE);
    const options = await passkeyReauthenticationOptions(caller);
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([passkey.id]);
    const renewed = await reauthenticate(caller, { passkeyResponse: passkey.signIn(options) }, freshClient());
    expect(renewed.proof.methods).toEqual(["passkey", "user-verification"]);
    // The challenge is used up.
    expect(await failure(reauthenticate(caller, { passkeyResponse: passkey.signIn(options) }, freshClient()))).toMatchObject(appError("PASSKEY_INVALID", "response"));
  });

  it("refuses another account's passkey", async () => {
    const owner = await verifiedUser("owner");
    const ownerCaller = (await appSession(owner.user)).caller;
    const { passkey } = await registeredPasskey(ownerCaller);
    const other = await verifiedUser("other");
    const otherCaller = (await appSession(other.user)).caller;
    await registeredPasskey(otherCaller);
    const options = await passkeyReauthenticationOptions(otherCaller);
    expect(await failure(reauthenticate(otherCaller, { passkeyResponse: passkey.signIn(options) }, freshClient()))).toMatchObject(appError("PASSKEY_INVALID", "response"));
  });

  it("an account without passkeys gets no options (NO_PASSKEY)", async () => {
    const { user } = await verifiedUser();
    const { caller } = await appSession(user);
    expect(await failure(passkeyReauthenticationOptions(caller))).toMatchObject(appError("NO_PASSKEY", "response"));
  });
});
