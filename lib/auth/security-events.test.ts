import { describe, expect, it } from "vitest";
import {
  MINUTE,
  PASSWORD,
  advance,
  appError,
  appSession,
  client,
  emailChangeTokenIn,
  failure,
  freshClient,
  googleIdentity,
  lastMailTo,
  registeredPasskey,
  resetTokenIn,
  setUpAuthTests,
  totpCode,
  twoFactorUser,
  uniqueEmail,
  unverifiedUser,
  verifiedUser,
} from "./testing";
import type { Caller } from "./types";

/** One row of lib/auth/security-events.ts's table each: what a security event ends. */

const db = setUpAuthTests();

const { database } = await import("@/lib/db");
const { requestEmailChange, confirmEmailChange } = await import("./email-change");
const { requestPasswordReset, resetPassword, changePassword } = await import("./password");
const { loginWithPassword } = await import("./login");
const { completeSignIn } = await import("./sign-in");
const { setUpTotp, enableTotp } = await import("./two-factor");
const { accountForGoogleIdentity } = await import("./google");
const { signInWithPasskey, passkeyLoginOptions } = await import("./passkeys");
const { disableAccount } = await import("./admin");
const { authenticate, startAppSession } = await import("./sessions");
const { findUserByEmail, findUserById } = await import("@/lib/db/users");

const NEW_PASSWORD = "another long passphrase";

async function resetLinkFor(email: string): Promise<string> {
  await requestPasswordReset(email, freshClient());
  return resetTokenIn(await lastMailTo(email, "password_reset"));
}

async function pendingEmailChange(caller: Caller) {
  const newEmail = uniqueEmail("pending");
  await requestEmailChange(caller, { newEmail, password: caller.user.passwordHash ? PASSWORD : undefined }, freshClient());
  return { newEmail, token: emailChangeTokenIn(await lastMailTo(newEmail, "verification")) };
}

/** A second step begun with the password, not yet completed. */
async function secondStepOf(email: string, password = PASSWORD): Promise<string> {
  const signIn = await loginWithPassword(email, password, freshClient());
  if (signIn.kind !== "second-step") throw new Error("expected a second step");
  return signIn.mfaToken;
}

const stillWorks = (accessToken: string) => authenticate(accessToken).then(
  () => true,
  () => false,
);

describe("a password reset through the mailbox", () => {
  it("ends a pending e-mail change", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    const change = await pendingEmailChange(caller);
    advance(MINUTE);
    await resetPassword(await resetLinkFor(email), NEW_PASSWORD, freshClient());
    expect(await failure(confirmEmailChange(change.token, client))).toMatchObject(appError("EMAIL_CHANGE_INVALID", "token"));
    expect((await findUserById(database, user.id))!.email).toBe(email);
  });

  it("ends a second step begun with the old password", async () => {
    const { email, secret } = await twoFactorUser();
    const mfaToken = await secondStepOf(email);
    await resetPassword(await resetLinkFor(email), NEW_PASSWORD, freshClient());
    expect(await failure(completeSignIn(mfaToken, { code: await totpCode(secret) }, freshClient(), "api"))).toMatchObject(appError("SIGN_IN_AGAIN"));
  });
});

describe("a password change", () => {
  it("ends a pending e-mail change and second steps in progress; the changing session goes on", async () => {
    const { email, user, caller, tokens, secret } = await twoFactorUser();
    const change = await pendingEmailChange(caller);
    const mfaToken = await secondStepOf(email);
    advance(MINUTE);
    const fresh = await authenticate(tokens.accessToken);
    await changePassword(fresh, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, freshClient());
    expect(await failure(confirmEmailChange(change.token, client))).toMatchObject(appError("EMAIL_CHANGE_INVALID"));
    expect(await failure(completeSignIn(mfaToken, { code: await totpCode(secret) }, freshClient(), "api"))).toMatchObject(appError("SIGN_IN_AGAIN"));
    expect(await stillWorks(tokens.accessToken)).toBe(true);
    expect((await findUserById(database, user.id))!.email).toBe(email);
  });
});

/**
 * What a squatter could set up on an unverified account before this service refused it: a passkey,
 * an authenticator, a pending e-mail change. Made as the old code allowed (the account verified
 * while they are added, then unverified again, as its row would be).
 */
async function squattedAccount() {
  const { email, user } = await unverifiedUser("squatted");
  await db().user.update({ where: { id: user.id }, data: { verifiedAt: new Date() } });
  const { caller, tokens } = await appSession((await findUserById(database, user.id))!);
  const { passkey } = await registeredPasskey(caller);
  const change = await pendingEmailChange(caller);
  const { secret } = await setUpTotp(caller, client);
  await enableTotp(caller, await totpCode(secret), client);
  await db().user.update({ where: { id: user.id }, data: { verifiedAt: null } });
  advance(MINUTE);
  return { email, user, passkey, change, tokens };
}

describe("the address proven for the first time", () => {
  it("by a Google sign-in: the squatter's password, passkey, authenticator, pending change and sessions all end", async () => {
    const { email, user, passkey, change, tokens } = await squattedAccount();
    await accountForGoogleIdentity(googleIdentity(email), freshClient(), { createIfMissing: false });

    const after = (await findUserById(database, user.id))!;
    expect(after).toMatchObject({ passwordHash: null, totpEnabledAt: null, verifiedAt: expect.any(Date) });
    expect(await db().passkey.count({ where: { userId: user.id } })).toBe(0);
    expect(await db().recoveryCode.count({ where: { userId: user.id } })).toBe(0);
    expect(await stillWorks(tokens.accessToken)).toBe(false);
    expect(await failure(confirmEmailChange(change.token, client))).toMatchObject(appError("EMAIL_CHANGE_INVALID"));
    const options = await passkeyLoginOptions(freshClient());
    expect(await failure(signInWithPasskey(passkey.signIn(options), freshClient()))).toMatchObject(appError("PASSKEY_INVALID"));
    expect((await findUserByEmail(database, email))!.id).toBe(user.id);
  });

  it("by a reset link: the same, but for the password the reset sets", async () => {
    const { email, user, passkey, change, tokens } = await squattedAccount();
    await resetPassword(await resetLinkFor(email), NEW_PASSWORD, freshClient());

    expect(await findUserById(database, user.id)).toMatchObject({ totpEnabledAt: null, verifiedAt: expect.any(Date) });
    expect(await db().passkey.count({ where: { userId: user.id } })).toBe(0);
    expect(await stillWorks(tokens.accessToken)).toBe(false);
    expect(await failure(confirmEmailChange(change.token, client))).toMatchObject(appError("EMAIL_CHANGE_INVALID"));
    const options = await passkeyLoginOptions(freshClient());
    expect(await failure(signInWithPasskey(passkey.signIn(options), freshClient()))).toMatchObject(appError("PASSKEY_INVALID"));
    // The owner's own login asks for no squatter's code.
    expect((await loginWithPassword(email, NEW_PASSWORD, freshClient())).kind).toBe("session");
  });
});

describe("two-factor turned on", () => {
  it("ends the other sessions that one factor opened; the enabling session has now met both", async () => {
    const { user } = await verifiedUser();
    const enabling = await appSession(user);
    const other = await appSession(user, freshClient());
    const { secret } = await setUpTotp(enabling.caller, client);
    await enableTotp(enabling.caller, await totpCode(secret), client);
    expect(await stillWorks(other.tokens.accessToken)).toBe(false);
    const still = await authenticate(enabling.tokens.accessToken);
    expect(still.proof.methods).toEqual(["password", "totp"]);
  });

  it("keeps the other sessions that met two factors (a passkey with user verification)", async () => {
    const { user } = await verifiedUser();
    const enabling = await appSession(user);
    const { tokens } = await startAppSession(database, user, freshClient(), { method: "passkey", secondFactor: "user-verification" });
    const { secret } = await setUpTotp(enabling.caller, client);
    await enableTotp(enabling.caller, await totpCode(secret), client);
    expect(await stillWorks(tokens.accessToken)).toBe(true);
  });
});

describe("an e-mail change confirmed", () => {
  it("ends the other sessions and the links sent to the old address", async () => {
    const { email, user } = await verifiedUser();
    const { caller, tokens } = await appSession(user);
    const other = await appSession(user, freshClient());
    const { token } = await pendingEmailChange(caller);
    advance(MINUTE);
    const reset = await resetLinkFor(email);
    await confirmEmailChange(token, client, caller.sessionId);
    expect(await stillWorks(other.tokens.accessToken)).toBe(false);
    expect(await stillWorks(tokens.accessToken)).toBe(true);
    expect(await failure(resetPassword(reset, NEW_PASSWORD, freshClient()))).toMatchObject(appError("RESET_TOKEN_INVALID"));
  });
});

describe("an account disabled", () => {
  it("ends every session, link and second step", async () => {
    const { email, user, tokens, secret } = await twoFactorUser();
    const mfaToken = await secondStepOf(email);
    const reset = await resetLinkFor(email);
    expect(await disableAccount(user, client)).toBe(true);
    expect(await disableAccount(user, client)).toBe(false);
    expect(await stillWorks(tokens.accessToken)).toBe(false);
    expect(await failure(completeSignIn(mfaToken, { code: await totpCode(secret) }, freshClient(), "api"))).toMatchObject(appError("SIGN_IN_AGAIN"));
    expect(await failure(resetPassword(reset, NEW_PASSWORD, freshClient()))).toMatchObject(appError("RESET_TOKEN_INVALID"));
    const audit = await db().auditEvent.findFirst({ where: { userId: user.id, type: "account_disabled" } });
    expect(audit).not.toBeNull();
  });
});
