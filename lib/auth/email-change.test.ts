import { describe, expect, it } from "vitest";
import {
  APP_URL,
  DAY,
  MINUTE,
  PASSWORD,
  advance,
  appError,
  appSession,
  client,
  emailChangeTokenIn,
  failure,
  freshClient,
  googleUser,
  lastMailTo,
  mailsTo,
  resetTokenIn,
  retryAfter,
  setUpAuthTests,
  uniqueEmail,
  unverifiedUser,
  verifiedUser,
} from "./testing";
import type { Caller } from "./types";

setUpAuthTests();

const { database } = await import("@/lib/db");
const { confirmEmailChange, requestEmailChange } = await import("./email-change");
const { authenticatePassword, loginWithPassword } = await import("./login");
const { requestPasswordReset, resetPassword } = await import("./password");
const { createAccount } = await import("./signup");
const { authenticate, refreshSession, resumeBrowserSession, startBrowserSession } = await import("./sessions");
const { findUserByEmail, findUserById } = await import("@/lib/db/users");

/** Asks to move `caller` to a new address; returns it and the token of the link mailed there. */
async function changeLink(caller: Caller, newEmail = uniqueEmail("new"), password: string | undefined = PASSWORD) {
  await requestEmailChange(caller, { newEmail, password }, freshClient());
  return { newEmail, token: emailChangeTokenIn(await lastMailTo(newEmail, "verification")) };
}

async function signedIn() {
  const { email, user } = await verifiedUser("mover");
  return { email, user, ...(await appSession(user)) };
}

describe("requestEmailChange", () => {
  it("changes nothing yet: it mails a link to the new address and a notice to the old one", async () => {
    const { email, user, caller } = await signedIn();
    const newEmail = uniqueEmail("new");
    await requestEmailChange(caller, { newEmail, password: PASSWORD }, client);

    expect((await findUserById(database, user.id))!.email).toBe(email);
    expect(await findUserByEmail(database, newEmail)).toBeNull();
    await expect(authenticatePassword(email, PASSWORD, freshClient())).resolves.toMatchObject({ id: user.id });

    const link = await lastMailTo(newEmail, "verification");
    expect(link.subject).toBe("Confirm your new e-mail address for Auth");
    expect(link.text).toContain(`${APP_URL}/confirm-email?token=`);
    expect(emailChangeTokenIn(link)).toMatch(/^[\w-]{43}$/);
    const notices = await mailsTo(email, "notice");
    expect(notices.map((m) => m.subject)).toEqual(["Someone asked to change your Auth e-mail address"]);
    expect(notices[0]!.text).toContain(newEmail);
    expect(await mailsTo(email, "verification")).toHaveLength(1); // only the sign-up's
  });

  it("needs the password: a wrong one is PASSWORD_MISMATCH on password, none a validation error on password; nothing is sent", async () => {
    const { email, caller } = await signedIn();
    const newEmail = uniqueEmail("new");
    const wrong = await failure(requestEmailChange(caller, { newEmail, password: "not the password" }, client));
    expect(wrong).toMatchObject(appError("PASSWORD_MISMATCH", "password"));
    for (const password of [undefined, ""]) {
      const missing = await failure(requestEmailChange(caller, { newEmail, password }, client));
      expect(missing).toMatchObject({ code: "VALIDATION", issues: [{ field: "password", message: "This field is required." }] });
    }
    expect(await mailsTo(newEmail)).toHaveLength(0);
    expect(await mailsTo(email, "notice")).toHaveLength(0);
  });

  it("counts a wrong password as a failed login: after 10, that address waits", async () => {
    const { email, caller } = await signedIn();
    const from = freshClient();
    for (let i = 0; i < 10; i++) {
      await expect(requestEmailChange(caller, { newEmail: uniqueEmail("new"), password: `wrong ${i}` }, from)).rejects.toMatchObject({
        code: "PASSWORD_MISMATCH",
      });
    }
    expect(await retryAfter(requestEmailChange(caller, { newEmail: uniqueEmail("new"), password: PASSWORD }, from))).toBe(30);
    expect(await retryAfter(authenticatePassword(email, PASSWORD, from))).toBe(30);
  });

  it("refuses an address that has an account with EMAIL_TAKEN on newEmail, and the own address with EMAIL_UNCHANGED", async () => {
    const { email, caller } = await signedIn();
    const { email: taken } = await unverifiedUser("taken");
    const error = await failure(requestEmailChange(caller, { newEmail: taken, password: PASSWORD }, client));
    expect(error).toMatchObject(appError("EMAIL_TAKEN", "newEmail"));
    expect(error.message).toBe(`${taken} is already register with us`);
    await expect(requestEmailChange(caller, { newEmail: email, password: PASSWORD }, client)).rejects.toMatchObject(
      appError("EMAIL_UNCHANGED", "newEmail"),
    );
    expect(await mailsTo(taken, "verification")).toHaveLength(1); // only its sign-up's
  });

  it("needs no password for an account without one", async () => {
    const { user } = await googleUser();
    const { caller } = await appSession(user);
    const { newEmail, token } = await changeLink(caller, uniqueEmail("new"), undefined);
    expect((await confirmEmailChange(token, client)).email).toBe(newEmail);
  });
});

describe("confirmEmailChange", () => {
  it("makes the new address the account's, verified: the old one no longer logs in, the new one does", async () => {
    const { email, user, caller } = await signedIn();
    const { newEmail, token } = await changeLink(caller);
    const changed = await confirmEmailChange(token, client);
    expect(changed).toMatchObject({ id: user.id, email: newEmail, verifiedAt: expect.any(Date) });
    await expect(loginWithPassword(email, PASSWORD, freshClient())).rejects.toMatchObject(appError("EMAIL_UNKNOWN", "email"));
    await expect(loginWithPassword(newEmail, PASSWORD, freshClient())).resolves.toMatchObject({ kind: "session", user: { id: user.id } });
  });

  it("gives the verified account's new address a new verification time", async () => {
    const { caller } = await signedIn();
    const before = caller.user.verifiedAt!;
    advance(MINUTE);
    const { token } = await changeLink(caller);
    expect((await confirmEmailChange(token, client)).verifiedAt!.getTime()).toBeGreaterThan(before.getTime());
  });

  it("is refused to an unverified account: VERIFY_EMAIL_FIRST, and nothing is sent", async () => {
    const { email, user } = await unverifiedUser();
    const { caller } = await appSession(user);
    const newEmail = uniqueEmail("new");
    expect(await failure(requestEmailChange(caller, { newEmail, password: PASSWORD }, client))).toMatchObject(appError("VERIFY_EMAIL_FIRST"));
    expect(await mailsTo(newEmail)).toHaveLength(0);
    expect(await mailsTo(email, "notice")).toHaveLength(0);
  });

  it("tells the old address that the address changed", async () => {
    const { email, caller } = await signedIn();
    const { newEmail, token } = await changeLink(caller);
    advance(MINUTE); // past the minute of the request's notice (see the test below)
    await confirmEmailChange(token, client);
    const last = (await mailsTo(email, "notice")).at(-1)!;
    expect(last.subject).toBe("The e-mail address of your Auth account was changed");
    expect(last.text).toContain(newEmail);
  });

  it("tells the old address that the address changed, also when the link is opened within a minute", async () => {
    const { email, caller } = await signedIn();
    const { token } = await changeLink(caller);
    advance(20_000);
    await confirmEmailChange(token, client);
    expect((await mailsTo(email, "notice")).map((m) => m.subject)).toContain("The e-mail address of your Auth account was changed");
  });

  it("ends every other session, and keeps the one named", async () => {
    const { user, caller, tokens } = await signedIn();
    const browser = await startBrowserSession(database, user, freshClient(), "password");
    const kept = await startBrowserSession(database, user, freshClient(), "password");
    const { newEmail, token } = await changeLink(caller);
    await confirmEmailChange(token, client, kept);

    await expect(authenticate(tokens.accessToken)).rejects.toMatchObject({ code: "ACCESS_TOKEN_INVALID" });
    await expect(refreshSession(tokens.refreshToken, client)).rejects.toMatchObject({ code: "REFRESH_INVALID" });
    expect(await resumeBrowserSession(user.id, browser)).toBeNull();
    expect(await resumeBrowserSession(user.id, kept)).toMatchObject({ sessionId: kept, user: { email: newEmail } });
  });

  it("works once, and not after 24 hours: EMAIL_CHANGE_INVALID on token", async () => {
    const first = await signedIn();
    const { token } = await changeLink(first.caller);
    await confirmEmailChange(token, client);
    const again = await failure(confirmEmailChange(token, client));
    expect(again).toMatchObject(appError("EMAIL_CHANGE_INVALID", "token"));
    expect(again.message).toBe("E-mail change link is invalid or has expired");

    const second = await signedIn();
    const late = await changeLink(second.caller);
    advance(DAY);
    await expect(confirmEmailChange(late.token, client)).rejects.toMatchObject(appError("EMAIL_CHANGE_INVALID", "token"));
    expect((await findUserById(database, second.user.id))!.email).toBe(second.email);
    await expect(confirmEmailChange(null, client)).rejects.toMatchObject(appError("EMAIL_CHANGE_INVALID", "token"));
    await expect(confirmEmailChange("x".repeat(43), client)).rejects.toMatchObject(appError("EMAIL_CHANGE_INVALID", "token"));
  });

  it("is not a reset or verification link, nor they one of it", async () => {
    const { email, caller } = await signedIn();
    await requestPasswordReset(email, freshClient());
    const resetToken = resetTokenIn(await lastMailTo(email, "password_reset"));
    await expect(confirmEmailChange(resetToken, client)).rejects.toMatchObject(appError("EMAIL_CHANGE_INVALID", "token"));
    const { token } = await changeLink(caller);
    await expect(resetPassword(token, "an attacker's passphrase", client)).rejects.toMatchObject({ code: "RESET_TOKEN_INVALID" });
  });

  it("kills the reset links sent to the old address", async () => {
    const { email, caller } = await signedIn();
    await requestPasswordReset(email, freshClient());
    const resetToken = resetTokenIn(await lastMailTo(email, "password_reset"));
    const { newEmail, token } = await changeLink(caller);
    await confirmEmailChange(token, client);
    await expect(resetPassword(resetToken, "an attacker's passphrase", client)).rejects.toMatchObject(appError("RESET_TOKEN_INVALID", "token"));
    await expect(authenticatePassword(newEmail, PASSWORD, freshClient())).resolves.toBeDefined();
  });

  it("is EMAIL_TAKEN on token when the new address was registered meanwhile; the account keeps its address", async () => {
    const { email, user, caller } = await signedIn();
    const { newEmail, token } = await changeLink(caller);
    await createAccount({ email: newEmail, password: "someone else's passphrase", name: "Squatter" }, freshClient());
    const error = await failure(confirmEmailChange(token, client));
    expect(error).toMatchObject(appError("EMAIL_TAKEN", "token"));
    expect(error.message).toBe(`${newEmail} is already register with us`);
    expect((await findUserById(database, user.id))!.email).toBe(email);
    await expect(authenticatePassword(email, PASSWORD, freshClient())).resolves.toMatchObject({ id: user.id });
  });

  it("honours only the newest request: a second one voids the first link", async () => {
    const { user, caller } = await signedIn();
    const first = await changeLink(caller);
    const second = await changeLink(caller);
    await expect(confirmEmailChange(first.token, client)).rejects.toMatchObject(appError("EMAIL_CHANGE_INVALID", "token"));
    expect((await confirmEmailChange(second.token, client)).email).toBe(second.newEmail);
    expect(await findUserByEmail(database, first.newEmail)).toBeNull();
    expect((await findUserById(database, user.id))!.email).toBe(second.newEmail);
  });

  it("lets exactly one of concurrent confirmations of a link through", async () => {
    const { caller } = await signedIn();
    const { token } = await changeLink(caller);
    const settled = await Promise.allSettled(Array.from({ length: 5 }, () => confirmEmailChange(token, freshClient())));
    expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(1);
    expect(settled.flatMap((s) => (s.status === "rejected" ? [(s.reason as { code: string }).code] : []))).toEqual(Array(4).fill("EMAIL_CHANGE_INVALID"));
  });
});
