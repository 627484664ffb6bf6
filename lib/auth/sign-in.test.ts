import { describe, expect, it } from "vitest";
import { MINUTE, PASSWORD, TOTP_STEP_SECONDS, advance, advanceSeconds, appError, client, failure, freshClient, sessionOf, setUpAuthTests, totpCode, twoFactorUser, verifiedUser } from "./testing";

/** The one sign-in decision, as every door meets it. */

setUpAuthTests();

const { signIn, completeSignIn } = await import("./sign-in");
const { loginWithPassword } = await import("./login");
const { authenticate, endSession, resumeBrowserSession } = await import("./sessions");

describe("signIn", () => {
  it("opens an app session with tokens, or a browser session without, for an account without two-factor", async () => {
    const { user } = await verifiedUser();
    const app = await signIn(user, client, "password", "api");
    if (app.kind !== "session") throw new Error("expected a session");
    expect((await authenticate(app.tokens.accessToken)).sessionId).toBe(app.sessionId);
    const browser = await signIn(user, client, "password", "browser");
    if (browser.kind !== "session") throw new Error("expected a session");
    expect(browser.tokens).toBeUndefined();
    expect(await resumeBrowserSession(user.id, browser.sessionId)).toMatchObject({ sessionId: browser.sessionId });
  });

  it("asks every door for the second step of a two-factor account, unless the proof has one (a passkey that verified its user)", async () => {
    const { user } = await twoFactorUser();
    for (const door of ["api", "browser"] as const) {
      expect((await signIn(user, client, "password", door)).kind).toBe("second-step");
      expect((await signIn(user, client, "google", door)).kind).toBe("second-step");
      expect((await signIn(user, client, { method: "passkey" }, door)).kind).toBe("second-step");
      expect((await signIn(user, client, { method: "passkey", secondFactor: "user-verification" }, door)).kind).toBe("session");
    }
  });
});

describe("completeSignIn", () => {
  it("gives each door its session for the right code", async () => {
    const { email, secret } = await twoFactorUser();
    const first = await loginWithPassword(email, PASSWORD, freshClient());
    if (first.kind !== "second-step") throw new Error("expected a second step");
    const browser = await completeSignIn(first.mfaToken, { code: await totpCode(secret) }, freshClient(), "browser");
    expect(browser.tokens).toBeUndefined();
    expect(await resumeBrowserSession(browser.user.id, browser.sessionId)).not.toBeNull();
  });

  it("counts every door's second step in the client address's verify group: the 31st in 5 minutes waits, whichever door", async () => {
    const from = freshClient();
    for (let i = 0; i < 15; i++) expect(await failure(completeSignIn("x".repeat(43), { code: "123456" }, from, "browser"))).toMatchObject(appError("SIGN_IN_AGAIN"));
    for (let i = 0; i < 15; i++) expect(await failure(completeSignIn("x".repeat(43), { code: "123456" }, from, "api"))).toMatchObject(appError("SIGN_IN_AGAIN"));
    expect(await failure(completeSignIn("x".repeat(43), { code: "123456" }, from, "browser"))).toMatchObject({ code: "RATE_LIMITED" });
    expect(await failure(completeSignIn("x".repeat(43), { code: "123456" }, from, "api"))).toMatchObject({ code: "RATE_LIMITED" });
  });
});

describe("a browser already signed in as the account that signs in again", () => {
  it("keeps its session and renews its proof (an app's prompt=login), where another account's sign-in starts a session of its own", async () => {
    const { user } = await verifiedUser();
    const first = sessionOf(await signIn(user, client, "password", "browser"));
    const current = (await resumeBrowserSession(user.id, first.sessionId))!;
    advance(10 * MINUTE);
    const again = sessionOf(await signIn(user, client, { method: "passkey", secondFactor: "user-verification" }, "browser", current));
    expect(again.sessionId).toBe(first.sessionId);
    const renewed = (await resumeBrowserSession(user.id, first.sessionId))!;
    expect(renewed.proof.methods).toEqual(["passkey", "user-verification"]);
    expect(renewed.proof.provedAt.getTime()).toBeGreaterThan(current.proof.provedAt.getTime());

    const { user: other } = await verifiedUser("other");
    const theirs = sessionOf(await signIn(other, client, "password", "browser", renewed));
    expect(theirs.sessionId).not.toBe(first.sessionId);
  });

  it("renews it after the second step too, and starts a new one when that session ended meanwhile", async () => {
    const { email, secret, user } = await twoFactorUser();
    const start = await loginWithPassword(email, PASSWORD, freshClient());
    if (start.kind !== "second-step") throw new Error("expected a second step");
    const first = await completeSignIn(start.mfaToken, { code: await totpCode(secret) }, freshClient(), "browser");
    const current = (await resumeBrowserSession(user.id, first.sessionId))!;
    advanceSeconds(TOTP_STEP_SECONDS);
    const step = await signIn(user, client, "password", "browser", current);
    if (step.kind !== "second-step") throw new Error("expected a second step");
    const renewed = await completeSignIn(step.mfaToken, { code: await totpCode(secret) }, freshClient(), "browser", current);
    expect(renewed.sessionId).toBe(first.sessionId);

    await endSession(user.id, first.sessionId);
    const ended = sessionOf(await signIn(user, client, { method: "passkey", secondFactor: "user-verification" }, "browser", current));
    expect(ended.sessionId).not.toBe(first.sessionId);
  });
});
