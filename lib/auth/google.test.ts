import { describe, expect, it } from "vitest";
import {
  GOOGLE_ISSUER,
  PASSWORD,
  appError,
  appSession,
  client,
  failure,
  freshClient,
  googleIdentity,
  googleUser,
  lastMailTo,
  mailsTo,
  resetTokenIn,
  setUpAuthTests,
  uniqueEmail,
  unverifiedUser,
  verifiedUser,
  sessionOf,
} from "./testing";

const db = setUpAuthTests();

const { database } = await import("@/lib/db");
const { accountForGoogleIdentity } = await import("./google");
const { authenticatePassword, loginWithPassword } = await import("./login");
const { confirmCode, confirmLink } = await import("./email-verification");
const { requestPasswordReset, resetPassword } = await import("./password");
const { authenticate, refreshSession, resumeBrowserSession, startBrowserSession } = await import("./sessions");
const { findUserByEmail } = await import("@/lib/db/users");

const signIn = { createIfMissing: false };
const signInOrUp = { createIfMissing: true };
const register = { createIfMissing: true, requireNew: true };
const linksOf = (userId: number) => db().account.findMany({ where: { userId } });

describe("an unknown Google identity", () => {
  it("with createIfMissing gets a new verified account without a password, linked by issuer and subject", async () => {
    const identity = googleIdentity(uniqueEmail("new"));
    const user = await accountForGoogleIdentity(identity, client, signInOrUp);
    expect(user).toMatchObject({ email: identity.email, name: "Google User", passwordHash: null, roleName: "user", verifiedAt: expect.any(Date) });
    expect(await linksOf(user.id)).toEqual([
      expect.objectContaining({ provider: "google", issuer: GOOGLE_ISSUER, subject: identity.subject, email: identity.email }),
    ]);
    expect(await mailsTo(identity.email)).toHaveLength(0);
  });

  it("without createIfMissing is GOOGLE_NOT_REGISTERED on email, and nothing is created", async () => {
    const identity = googleIdentity(uniqueEmail("new"));
    const error = await failure(accountForGoogleIdentity(identity, client, signIn));
    expect(error).toMatchObject(appError("GOOGLE_NOT_REGISTERED", "email"));
    expect(error.message).toBe(`${identity.email} is not register with us. Kindly share the verified email.`);
    expect(await findUserByEmail(database, identity.email)).toBeNull();
  });

  it("signing in concurrently gets one account", async () => {
    const identity = googleIdentity(uniqueEmail("new"));
    const users = await Promise.all(Array.from({ length: 5 }, () => accountForGoogleIdentity(identity, freshClient(), signInOrUp)));
    expect(new Set(users.map((u) => u.id)).size).toBe(1);
    expect(await db().account.count({ where: { subject: identity.subject } })).toBe(1);
  });
});

describe("a linked Google identity", () => {
  it("signs in to its account, even after its e-mail changed", async () => {
    const { identity, user } = await googleUser();
    expect((await accountForGoogleIdentity(identity, client, signIn)).id).toBe(user.id);
    const renamed = { ...identity, email: uniqueEmail("renamed") };
    expect((await accountForGoogleIdentity(renamed, client, signIn)).id).toBe(user.id);
    expect(await findUserByEmail(database, renamed.email)).toBeNull();
  });

  it("is refused by a register (requireNew) with EMAIL_TAKEN on email", async () => {
    const { identity } = await googleUser();
    const error = await failure(accountForGoogleIdentity(identity, client, register));
    expect(error).toMatchObject(appError("EMAIL_TAKEN", "email"));
    expect(error.message).toBe(`${identity.email} is already register with us`);
  });

  it("of a disabled account gets ACCOUNT_DISABLED", async () => {
    const { email, identity } = await googleUser();
    await db().user.update({ where: { email }, data: { disabledAt: new Date() } });
    await expect(accountForGoogleIdentity(identity, client, signIn)).rejects.toMatchObject({ code: "ACCOUNT_DISABLED" });
  });
});

describe("a Google identity whose e-mail has a verified password account", () => {
  it("is linked to it; the password and the sessions stay, and a notice says Google sign-in was added", async () => {
    const { email, user } = await verifiedUser();
    const session = await appSession(user);
    const identity = googleIdentity(email);
    expect((await accountForGoogleIdentity(identity, client, signIn)).id).toBe(user.id);

    expect(await linksOf(user.id)).toEqual([expect.objectContaining({ subject: identity.subject })]);
    await expect(authenticatePassword(email, PASSWORD, freshClient())).resolves.toBeDefined();
    await expect(authenticate(session.tokens.accessToken)).resolves.toMatchObject({ sessionId: session.sessionId });
    const notices = await mailsTo(email, "notice");
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toBe("Google sign-in was added to your Auth account");
    expect(notices[0]!.text).toContain(`with the Google account ${email}.`);
    // And later it signs in by its link.
    expect((await accountForGoogleIdentity(identity, client, signIn)).id).toBe(user.id);
    expect(await mailsTo(email, "notice")).toHaveLength(1);
  });

  it("of another subject is EMAIL_TAKEN once the account has a Google identity (a recycled address)", async () => {
    const { email, user } = await verifiedUser();
    await accountForGoogleIdentity(googleIdentity(email, "first-subject"), client, signIn);
    await expect(accountForGoogleIdentity(googleIdentity(email, "second-subject"), client, signInOrUp)).rejects.toMatchObject(
      appError("EMAIL_TAKEN", "email"),
    );
    expect((await linksOf(user.id)).map((a) => a.subject)).toEqual(["first-subject"]);
  });

  it("is refused by a register (requireNew) with EMAIL_TAKEN, and nothing is linked", async () => {
    const { email, user } = await verifiedUser();
    await expect(accountForGoogleIdentity(googleIdentity(email), client, register)).rejects.toMatchObject(appError("EMAIL_TAKEN", "email"));
    expect(await linksOf(user.id)).toEqual([]);
  });

  it("of a disabled account gets ACCOUNT_DISABLED, and nothing is linked", async () => {
    const { email, user } = await verifiedUser();
    await db().user.update({ where: { email }, data: { disabledAt: new Date() } });
    await expect(accountForGoogleIdentity(googleIdentity(email), client, signInOrUp)).rejects.toMatchObject({ code: "ACCOUNT_DISABLED" });
    expect(await linksOf(user.id)).toEqual([]);
  });
});

describe("account pre-hijacking: a Google identity whose e-mail has an unverified password account", () => {
  /** Someone registered the victim's address with a password of their own, signed in and asked for a reset link. */
  async function preHijacked() {
    const planted = await unverifiedUser("victim", "the attacker's passphrase");
    const app = sessionOf(await loginWithPassword(planted.email, planted.password, freshClient()));
    const browser = await startBrowserSession(database, planted.user, freshClient(), "password");
    await requestPasswordReset(planted.email, freshClient());
    const resetToken = resetTokenIn(await lastMailTo(planted.email, "password_reset"));
    return { ...planted, app, browser, resetToken };
  }

  it("verifies the account, links the identity and removes the password", async () => {
    const { email, password, user } = await preHijacked();
    const identity = googleIdentity(email);
    const signedIn = await accountForGoogleIdentity(identity, client, signIn);
    expect(signedIn).toMatchObject({ id: user.id, passwordHash: null, verifiedAt: expect.any(Date) });
    expect(await linksOf(user.id)).toEqual([expect.objectContaining({ subject: identity.subject })]);
    await expect(loginWithPassword(email, password, freshClient())).rejects.toMatchObject(appError("EMAIL_UNKNOWN", "email"));
  });

  it("voids its open code, verification link and reset link", async () => {
    const { email, code, linkToken, resetToken } = await preHijacked();
    await accountForGoogleIdentity(googleIdentity(email), client, signIn);
    await expect(confirmCode(email, code, freshClient())).rejects.toMatchObject({ code: "OTP_EXPIRED" });
    await expect(confirmLink(linkToken, freshClient())).rejects.toMatchObject({ code: "CONFIRMATION_INVALID" });
    await expect(resetPassword(resetToken, "a passphrase of my own", freshClient())).rejects.toMatchObject({ code: "RESET_TOKEN_INVALID" });
    expect((await findUserByEmail(database, email))!.passwordHash).toBeNull();
  });

  it("ends every session it had", async () => {
    const { email, user, app, browser } = await preHijacked();
    await accountForGoogleIdentity(googleIdentity(email), client, signIn);
    await expect(refreshSession(app.tokens.refreshToken, client)).rejects.toMatchObject({ code: "REFRESH_INVALID" });
    await expect(authenticate(app.tokens.accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
    expect(await resumeBrowserSession(user.id, browser)).toBeNull();
  });

  it("sends a notice that the password was removed", async () => {
    const { email } = await preHijacked();
    await accountForGoogleIdentity(googleIdentity(email), client, signIn);
    const notices = await mailsTo(email, "notice");
    expect(notices).toHaveLength(1);
    expect(notices[0]!.subject).toBe("Your Auth account is now confirmed through Google");
    expect(notices[0]!.text).toContain("it was removed and every other session was ended");
  });

  it("is left alone by a register (requireNew): EMAIL_TAKEN, the password still works", async () => {
    const { email, password, user } = await preHijacked();
    await expect(accountForGoogleIdentity(googleIdentity(email), client, register)).rejects.toMatchObject(appError("EMAIL_TAKEN", "email"));
    expect(await linksOf(user.id)).toEqual([]);
    expect((await findUserByEmail(database, email))!.verifiedAt).toBeNull();
    await expect(authenticatePassword(email, password, freshClient())).resolves.toBeDefined();
  });
});
