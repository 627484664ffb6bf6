import { describe, expect, it } from "vitest";
import {
  MINUTE,
  PASSWORD,
  advance,
  appError,
  appSession,
  client,
  failure,
  freshClient,
  googleIdentity,
  googleUser,
  mailsTo,
  registeredPasskey,
  retryAfter,
  setUpAuthTests,
  totpCode,
  twoFactorUser,
  uniqueEmail,
  verifiedUser,
} from "./testing";

const db = setUpAuthTests();

const { database } = await import("@/lib/db");
const { deleteAccount } = await import("./account-deletion");
const { accountForGoogleIdentity } = await import("./google");
const { authenticatePassword, loginWithPassword } = await import("./login");
const { requestPasswordReset, changePassword } = await import("./password");
const { requestEmailChange } = await import("./email-change");
const { completeSignIn } = await import("./sign-in");
const { createAccount } = await import("./signup");
const { passkeyLoginOptions, signInWithPasskey } = await import("./passkeys");
const { authenticate, refreshSession, resumeBrowserSession, startBrowserSession } = await import("./sessions");
const { findUserByEmail } = await import("@/lib/db/users");

/**
 * An account with something of every kind: two-factor and recovery codes, a passkey, a Google
 * link, an app and a browser session, open links (a reset, an e-mail change, a second step), mail,
 * limits (a failed login, a wrong code) and audit events. The clock is past the minute of its
 * notices, so the deletion's goes out.
 */
async function accountWithEverything() {
  const { email, user, caller, tokens, secret } = await twoFactorUser("leaving");
  const identity = googleIdentity(email);
  await accountForGoogleIdentity(identity, client, { createIfMissing: false });
  const { passkey } = await registeredPasskey(caller);
  const browser = await startBrowserSession(database, user, freshClient(), { method: "password", secondFactor: "totp" });
  await requestPasswordReset(email, freshClient());
  await requestEmailChange(caller, { newEmail: uniqueEmail("next"), password: PASSWORD }, freshClient());
  await expect(authenticatePassword(email, "not the password", freshClient())).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
  const signIn = await loginWithPassword(email, PASSWORD, freshClient());
  if (signIn.kind !== "second-step") throw new Error("expected a second step");
  await expect(completeSignIn(signIn.mfaToken, { code: "12345x" }, client, "api")).rejects.toMatchObject({ code: "INVALID_CODE" });
  advance(MINUTE);
  return { email, user, caller: await authenticate(tokens.accessToken), tokens, browser, passkey, identity, secret };
}

const rowsOf = async (userId: number) => ({
  user: await db().user.count({ where: { id: userId } }),
  sessions: await db().session.count({ where: { userId } }),
  verifications: await db().verification.count({ where: { userId } }),
  passkeys: await db().passkey.count({ where: { userId } }),
  recoveryCodes: await db().recoveryCode.count({ where: { userId } }),
  googleLinks: await db().account.count({ where: { userId } }),
});
const limitsOf = (email: string) => db().rateLimit.findMany({ where: { key: { contains: email } } });

describe("deleteAccount with a password", () => {
  it("refuses a wrong password with PASSWORD_MISMATCH on password, and none with a validation error on password; nothing goes", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    await expect(deleteAccount(caller, { password: "not the password" }, client)).rejects.toMatchObject(appError("PASSWORD_MISMATCH", "password"));
    for (const input of [{}, { password: "" }, { email }]) {
      await expect(deleteAccount(caller, input, client)).rejects.toMatchObject({
        code: "VALIDATION",
        issues: [{ field: "password", message: "This field is required." }],
      });
    }
    expect(await findUserByEmail(database, email)).not.toBeNull();
    await expect(authenticate((await appSession(user)).tokens.accessToken)).resolves.toBeDefined();
  });

  it("counts a wrong password as a failed login: after 10, that address waits", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    const from = freshClient();
    for (let i = 0; i < 10; i++) {
      await expect(deleteAccount(caller, { password: `wrong ${i}` }, from)).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
    }
    expect(await retryAfter(deleteAccount(caller, { password: PASSWORD }, from))).toBe(30);
    expect(await retryAfter(authenticatePassword(email, PASSWORD, from))).toBe(30);
    expect(await findUserByEmail(database, email)).not.toBeNull();
  });

  it("ends every session: app tokens and browser sessions are refused", async () => {
    const { email, user, caller, tokens, browser, passkey, identity } = await accountWithEverything();
    await deleteAccount(caller, { password: PASSWORD }, client);
    await expect(authenticate(tokens.accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
    await expect(refreshSession(tokens.refreshToken, client)).rejects.toMatchObject(appError("REFRESH_INVALID", "refreshToken"));
    expect(await resumeBrowserSession(user.id, browser)).toBeNull();
    // Nor does anything sign in to it any more.
    await expect(loginWithPassword(email, PASSWORD, freshClient())).rejects.toMatchObject(appError("EMAIL_UNKNOWN", "email"));
    await expect(signInWithPasskey(passkey.signIn(await passkeyLoginOptions(client)), client)).rejects.toMatchObject(appError("PASSKEY_INVALID", "response"));
    await expect(accountForGoogleIdentity(identity, client, { createIfMissing: false })).rejects.toMatchObject(appError("GOOGLE_NOT_REGISTERED", "email"));
  });

  it("removes the user row, its sessions, links, passkeys, recovery codes and Google links", async () => {
    const { user, caller } = await accountWithEverything();
    const sessionIds = (await db().session.findMany({ where: { userId: user.id } })).map((s) => s.id);
    expect(await rowsOf(user.id)).toEqual({ user: 1, sessions: 2, verifications: 4, passkeys: 1, recoveryCodes: 10, googleLinks: 1 });
    await deleteAccount(caller, { password: PASSWORD }, client);
    expect(await rowsOf(user.id)).toEqual({ user: 0, sessions: 0, verifications: 0, passkeys: 0, recoveryCodes: 0, googleLinks: 0 });
    expect(await db().refreshToken.count({ where: { sessionId: { in: sessionIds } } })).toBe(0);
  });

  it("keeps its audit events without user, address or browser, and records the deletion as bare", async () => {
    const { user, caller } = await accountWithEverything();
    const before = await db().auditEvent.findMany({ where: { userId: user.id } });
    expect(before.length).toBeGreaterThan(5);
    await deleteAccount(caller, { password: PASSWORD }, client);
    const after = await db().auditEvent.findMany({ where: { id: { in: before.map((e) => e.id) } } });
    expect(after.map((e) => e.type)).toEqual(before.map((e) => e.type));
    for (const event of after) expect(event).toMatchObject({ userId: null, ip: null, userAgent: null });
    const deletion = await db().auditEvent.findFirstOrThrow({ where: { type: "account_deleted" }, orderBy: { id: "desc" } });
    expect(deletion).toMatchObject({ userId: null, ip: null, userAgent: null });
    expect(JSON.parse(deletion.detail!)).toEqual({ user_id: user.id });
  });

  it("removes the limits and the mail kept for its address, and queues a notice to it", async () => {
    const { email, caller } = await accountWithEverything();
    expect((await limitsOf(email)).map((l) => l.key.split(":")[0]).sort()).toEqual(
      expect.arrayContaining(["known-address", "login-failures", "login-streak", "mail", "wrong-code"]),
    );
    expect((await mailsTo(email)).map((m) => m.kind)).toEqual(expect.arrayContaining(["verification", "notice", "password_reset"]));
    await deleteAccount(caller, { password: PASSWORD }, client);
    expect(await limitsOf(email)).toEqual([]);
    // Only security notices on their way stay (they tell the owner what happened); the last is this one.
    const mails = await mailsTo(email);
    expect(mails.every((m) => m.kind === "notice" && m.status === "pending")).toBe(true);
    expect(mails.at(-1)!.subject).toBe("Your Auth account was deleted");
    expect(mails.at(-1)!.text).toContain("This address can sign up again.");
  });

  it("lets the address register again, as a new account", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    await deleteAccount(caller, { password: PASSWORD }, client);
    const { user: again } = await createAccount({ email, password: "a new owner's passphrase", name: "Again" }, freshClient());
    expect(again.id).not.toBe(user.id);
    expect(again.verifiedAt).toBeNull();
    expect(await mailsTo(email, "verification")).toHaveLength(1);
    await expect(authenticatePassword(email, PASSWORD, freshClient())).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
  });

  it("queues the deletion notice also within a minute of another notice, which still goes out", async () => {
    const { email, user } = await verifiedUser();
    const { caller, tokens } = await appSession(user);
    const newPassword = "a brand new passphrase";
    await changePassword(caller, { currentPassword: PASSWORD, newPassword }, client);
    advance(10_000);
    await deleteAccount(await authenticate(tokens.accessToken), { password: newPassword }, client);
    // The password notice was still on its way: it stays (and is erased once sent); the last one waits its minute.
    const notices = await mailsTo(email, "notice");
    expect(notices.map((m) => m.subject)).toEqual(["Your Auth password was changed", "Your Auth account was deleted"]);
    expect(notices[1]!.nextAttemptAt.getTime()).toBeGreaterThan(Date.now());
  });

  it("of two concurrent deletions, one deletes and the other fails as an AppError, not a database error", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    const settled = await Promise.allSettled([deleteAccount(caller, { password: PASSWORD }, client), deleteAccount(caller, { password: PASSWORD }, client)]);
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(1);
    const rejected = settled.find((s) => s.status === "rejected") as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ name: "AppError" });
    expect(await mailsTo(email, "notice")).toHaveLength(1);
  });
});

describe("deleteAccount without a password", () => {
  it("needs the account's own address: another or none is EMAIL_NOT_YOURS on email", async () => {
    const { email, user } = await googleUser();
    const { caller } = await appSession(user);
    for (const input of [{ email: uniqueEmail("other") }, {}, { email: email.toUpperCase() }, { password: PASSWORD }]) {
      const error = await failure(deleteAccount(caller, input, client));
      expect(error).toMatchObject(appError("EMAIL_NOT_YOURS", "email"));
    }
    expect(await findUserByEmail(database, email)).not.toBeNull();
  });

  it("needs a fresh proof (10 minutes): REAUTHENTICATION_REQUIRED after, however recently refreshed", async () => {
    const { email, user } = await googleUser();
    const { caller, tokens } = await appSession(user);
    advance(10 * MINUTE + 1000);
    const next = await refreshSession(tokens.refreshToken, client);
    const error = await failure(deleteAccount(await authenticate(next.accessToken), { email }, client));
    expect(error).toMatchObject({ code: "REAUTHENTICATION_REQUIRED" });
    expect(error.message).toBe("Confirm it's you first.");
    await expect(deleteAccount(caller, { email }, client)).rejects.toMatchObject({ code: "REAUTHENTICATION_REQUIRED" });
    expect(await findUserByEmail(database, email)).not.toBeNull();

    const fresh = await appSession(user);
    advance(9 * MINUTE);
    await deleteAccount(fresh.caller, { email }, client);
    expect(await findUserByEmail(database, email)).toBeNull();
    expect((await mailsTo(email)).map((m) => m.subject)).toEqual(["Your Auth account was deleted"]);
  });

  it("erases a two-factor account without a password the same way", async () => {
    const { email, user } = await googleUser();
    const { caller, tokens } = await appSession(user);
    const { setUpTotp, enableTotp } = await import("./two-factor");
    const { secret } = await setUpTotp(caller, client);
    await enableTotp(caller, await totpCode(secret), client);
    await deleteAccount(await authenticate(tokens.accessToken), { email }, client);
    expect(await rowsOf(user.id)).toMatchObject({ user: 0, recoveryCodes: 0, googleLinks: 0 });
  });
});
