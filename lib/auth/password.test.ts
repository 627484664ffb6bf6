import { describe, expect, it } from "vitest";
import {
  HOUR,
  PASSWORD,
  advance,
  advanceSeconds,
  appError,
  appSession,
  client,
  failure,
  freshClient,
  googleUser,
  lastMailTo,
  mailsTo,
  outcomes,
  resetTokenIn,
  retryAfter,
  setUpAuthTests,
  uniqueEmail,
  unverifiedUser,
  verifiedUser,
  sessionOf,
} from "./testing";

const db = setUpAuthTests();

const { database } = await import("@/lib/db");
const { changePassword, requestPasswordReset, resetPassword } = await import("./password");
const { authenticatePassword, loginWithPassword } = await import("./login");
const { confirmCode, confirmLink } = await import("./email-verification");
const { authenticate, refreshSession, resumeBrowserSession, startBrowserSession } = await import("./sessions");
const { findUserByEmail } = await import("@/lib/db/users");

const NEW_PASSWORD = "a brand new passphrase";

/** Requests a reset link for `email` and returns its token. */
async function resetLink(email: string): Promise<string> {
  await requestPasswordReset(email, freshClient());
  return resetTokenIn(await lastMailTo(email, "password_reset"));
}

const notices = (email: string) => mailsTo(email, "notice");

describe("requestPasswordReset", () => {
  it("mails a reset link to an existing account", async () => {
    const { email } = await verifiedUser();
    await expect(requestPasswordReset(email, client)).resolves.toBeUndefined();
    const mails = await mailsTo(email, "password_reset");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe("Reset your Auth password");
    expect(resetTokenIn(mails[0]!)).toMatch(/^[\w-]{43}$/);
  });

  it("answers the same for an unknown or disabled account, and sends nothing", async () => {
    const unknown = uniqueEmail("nobody");
    const { email: disabled } = await verifiedUser();
    await db().user.update({ where: { email: disabled }, data: { disabledAt: new Date() } });
    await expect(requestPasswordReset(unknown, client)).resolves.toBeUndefined();
    await expect(requestPasswordReset(disabled, client)).resolves.toBeUndefined();
    expect(await mailsTo(unknown)).toHaveLength(0);
    expect(await mailsTo(disabled, "password_reset")).toHaveLength(0);
  });

  it("offers an account without a password to set its first one", async () => {
    const { email } = await googleUser();
    await requestPasswordReset(email, client);
    const mail = await lastMailTo(email, "password_reset");
    expect(mail.subject).toBe("Set a password for your Auth account");
    await resetPassword(resetTokenIn(mail), NEW_PASSWORD, client);
    await expect(authenticatePassword(email, NEW_PASSWORD, client)).resolves.toBeDefined();
  });

  it("sends one link a minute per address, counted whether or not the account exists", async () => {
    const { email } = await verifiedUser();
    const unknown = uniqueEmail("nobody");
    for (const address of [email, unknown]) {
      await requestPasswordReset(address, freshClient());
      expect(await retryAfter(requestPasswordReset(address, freshClient()))).toBe(60);
    }
    expect(await mailsTo(email, "password_reset")).toHaveLength(1);
  });
});

describe("resetPassword", () => {
  it("sets the new password and consumes the link", async () => {
    const { email } = await verifiedUser();
    const token = await resetLink(email);
    await resetPassword(token, NEW_PASSWORD, client);
    await expect(authenticatePassword(email, PASSWORD, freshClient())).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
    await expect(authenticatePassword(email, NEW_PASSWORD, freshClient())).resolves.toBeDefined();
    const again = await failure(resetPassword(token, "yet another passphrase", client));
    expect(again).toMatchObject(appError("RESET_TOKEN_INVALID", "token"));
    expect(again.message).toBe("Password reset link is invalid or has expired");
    await expect(authenticatePassword(email, NEW_PASSWORD, freshClient())).resolves.toBeDefined();
  });

  it("lets exactly one of concurrent uses of a link win", async () => {
    const { email } = await verifiedUser();
    const token = await resetLink(email);
    const passwords = Array.from({ length: 5 }, (_, i) => `concurrent passphrase ${i}`);
    const result = await outcomes(passwords.map((p) => resetPassword(token, p, freshClient())));
    expect(result).toEqual({ fulfilled: 1, codes: Array(4).fill("RESET_TOKEN_INVALID") });
    const matching = await Promise.all(passwords.map((p) => authenticatePassword(email, p, freshClient()).then(() => p, () => null)));
    expect(matching.filter(Boolean)).toHaveLength(1);
  });

  it("ends every session of the account", async () => {
    const { email, user } = await verifiedUser();
    const first = sessionOf(await loginWithPassword(email, PASSWORD, freshClient()));
    const second = sessionOf(await loginWithPassword(email, PASSWORD, freshClient()));
    const browser = await startBrowserSession(database, user, freshClient(), "password");
    await resetPassword(await resetLink(email), NEW_PASSWORD, client);

    for (const { tokens } of [first, second]) {
      await expect(refreshSession(tokens.refreshToken, client)).rejects.toMatchObject({ code: "REFRESH_INVALID" });
      await expect(authenticate(tokens.accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
    }
    expect(await resumeBrowserSession(user.id, browser)).toBeNull();
  });

  it("queues a notice that the password was reset", async () => {
    const { email } = await verifiedUser();
    await resetPassword(await resetLink(email), NEW_PASSWORD, client);
    const mails = await notices(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe("Your Auth password was reset");
    expect(mails[0]!.text).toContain("was reset with a link sent to this address");
  });

  it("verifies an unverified account (the link reached its mailbox) and voids its open code and link", async () => {
    const { email, code, linkToken } = await unverifiedUser();
    await resetPassword(await resetLink(email), NEW_PASSWORD, client);
    expect((await findUserByEmail(database, email))!.verifiedAt).toEqual(expect.any(Date));
    await expect(confirmCode(email, code, freshClient())).rejects.toMatchObject({ code: "OTP_EXPIRED" });
    await expect(confirmLink(linkToken, freshClient())).rejects.toMatchObject({ code: "CONFIRMATION_INVALID" });
  });

  it("refuses a weak password on password and keeps the link usable", async () => {
    const { email } = await verifiedUser();
    const token = await resetLink(email);
    await expect(resetPassword(token, "x7k!q", client)).rejects.toMatchObject({ code: "VALIDATION", issues: [{ field: "password" }] });
    await expect(resetPassword(token, NEW_PASSWORD, client)).resolves.toBeUndefined();
  });

  it("refuses a link after an hour, a link replaced by a newer one, and no link", async () => {
    const { email } = await verifiedUser();
    const old = await resetLink(email);
    advanceSeconds(61);
    const expiring = await resetLink(email);
    await expect(resetPassword(old, NEW_PASSWORD, client)).rejects.toMatchObject(appError("RESET_TOKEN_INVALID", "token"));
    advance(HOUR);
    await expect(resetPassword(expiring, NEW_PASSWORD, client)).rejects.toMatchObject(appError("RESET_TOKEN_INVALID", "token"));
    await expect(resetPassword(null, NEW_PASSWORD, client)).rejects.toMatchObject(appError("RESET_TOKEN_INVALID", "token"));
    await expect(authenticatePassword(email, PASSWORD, client)).resolves.toBeDefined();
  });

  it("still sends the reset notice after an expired link was tried a moment before", async () => {
    const { email } = await verifiedUser();
    const expired = await resetLink(email);
    advance(HOUR + 1000);
    await expect(resetPassword(expired, NEW_PASSWORD, client)).rejects.toMatchObject({ code: "RESET_TOKEN_INVALID" });
    await resetPassword(await resetLink(email), NEW_PASSWORD, client);
    expect(await notices(email)).toHaveLength(1);
  });
});

describe("changePassword", () => {
  it("needs the current password: a wrong one is PASSWORD_MISMATCH on currentPassword and changes nothing", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    const error = await failure(changePassword(caller, { currentPassword: "not it", newPassword: NEW_PASSWORD }, client));
    expect(error).toMatchObject(appError("PASSWORD_MISMATCH", "currentPassword"));
    await expect(authenticatePassword(email, PASSWORD, freshClient())).resolves.toBeDefined();
    expect(await notices(email)).toHaveLength(0);
  });

  it("counts a wrong current password as a failed login: after 10, that address waits", async () => {
    const { email, user } = await verifiedUser();
    const from = freshClient();
    const { caller } = await appSession(user, from);
    for (let i = 0; i < 10; i++) {
      await expect(changePassword(caller, { currentPassword: `wrong ${i}`, newPassword: NEW_PASSWORD }, from)).rejects.toMatchObject({
        code: "PASSWORD_MISMATCH",
      });
    }
    expect(await retryAfter(changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, from))).toBe(30);
    expect(await retryAfter(authenticatePassword(email, PASSWORD, from))).toBe(30);
    await expect(authenticatePassword(email, PASSWORD, freshClient())).resolves.toBeDefined();
  });

  it("refuses an account without a password with NO_PASSWORD_YET, which keeps having none", async () => {
    const { email, user } = await googleUser();
    const { caller } = await appSession(user);
    await expect(changePassword(caller, { currentPassword: "", newPassword: NEW_PASSWORD }, client)).rejects.toMatchObject(
      appError("NO_PASSWORD_YET", "currentPassword"),
    );
    await expect(changePassword(caller, { currentPassword: NEW_PASSWORD, newPassword: NEW_PASSWORD }, client)).rejects.toMatchObject({
      code: "NO_PASSWORD_YET",
    });
    expect((await findUserByEmail(database, email))!.passwordHash).toBeNull();
  });

  it("refuses a weak new password on newPassword", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    await expect(changePassword(caller, { currentPassword: PASSWORD, newPassword: "password1" }, client)).rejects.toMatchObject({
      code: "VALIDATION",
      issues: [{ field: "newPassword", message: "This password is too common." }],
    });
    await expect(authenticatePassword(email, PASSWORD, freshClient())).resolves.toBeDefined();
  });

  it("sets the new password, ends every other session and keeps the caller's", async () => {
    const { email, user } = await verifiedUser();
    const mine = await appSession(user);
    const other = await appSession(user, freshClient());
    const browser = await startBrowserSession(database, user, freshClient(), "password");
    await changePassword(mine.caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, client);

    await expect(authenticate(other.tokens.accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
    await expect(refreshSession(other.tokens.refreshToken, client)).rejects.toMatchObject({ code: "REFRESH_INVALID" });
    expect(await resumeBrowserSession(user.id, browser)).toBeNull();
    await expect(authenticate(mine.tokens.accessToken)).resolves.toMatchObject({ sessionId: mine.sessionId });
    await expect(refreshSession(mine.tokens.refreshToken, client)).resolves.toBeDefined();

    await expect(authenticatePassword(email, PASSWORD, freshClient())).rejects.toMatchObject({ code: "PASSWORD_MISMATCH" });
    await expect(authenticatePassword(email, NEW_PASSWORD, freshClient())).resolves.toBeDefined();
  });

  it("voids reset links sent before it", async () => {
    const { email, user } = await verifiedUser();
    const token = await resetLink(email);
    const { caller } = await appSession(user);
    await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, client);
    await expect(resetPassword(token, "an attacker's passphrase", client)).rejects.toMatchObject(appError("RESET_TOKEN_INVALID", "token"));
    await expect(authenticatePassword(email, NEW_PASSWORD, freshClient())).resolves.toBeDefined();
  });

  it("queues a notice that the password was changed, with the time (UTC) and the client", async () => {
    const { email, user } = await verifiedUser();
    const { caller } = await appSession(user);
    const at = new Date();
    await changePassword(caller, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, client);
    const mails = await notices(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe("Your Auth password was changed");
    const inUtc = new Intl.DateTimeFormat("en", { dateStyle: "long", timeStyle: "short", timeZone: "UTC" }).format(at);
    expect(mails[0]!.text).toContain(`When: ${inUtc} (UTC)`);
    expect(mails[0]!.text).toContain(`From: App, IP address ${client.ip}`);
  });
});
