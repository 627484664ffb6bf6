import { describe, expect, it } from "vitest";
import { api, baseUrl, randomIp } from "./client";
import { actionId, authHeader, execSql, mailsTo, postFormAction, registeredVerifiedUser, resetTokenIn } from "./helpers";

/**
 * The browser's own view of its session follows the server-side session: once that session has
 * ended elsewhere (another browser's "sign out everywhere", a new password, a reset link, a
 * disabled account), next-auth's GET /api/auth/session answers `{}` and deletes the cookie, and
 * the pages send the browser to the login page.
 */

const NEW_PASSWORD = "another long passphrase";


const sessionCookieOf = (res: Response) => res.headers.getSetCookie().find((c) => c.startsWith("next-auth.session-token="));

/** Signs in on a new browser through the login page's action, as React's client posts it; returns its cookie. */
async function browserSignIn(email: string, password: string): Promise<string> {
  const res = await postFormAction("/login", "loginAction", { email, password, next: "/profile" });
  const cookie = sessionCookieOf(res);
  if (!cookie) throw new Error(`the login action set no session cookie: ${res.status} ${(await res.text()).slice(0, 300)}`);
  return cookie.split(";")[0]!;
}

/** next-auth's own session endpoint, as the browser holding `cookie` asks it. */
async function sessionEndpoint(cookie: string) {
  const res = await fetch(`${baseUrl()}/api/auth/session`, { headers: { cookie, "x-forwarded-for": randomIp() } });
  return { status: res.status, body: (await res.json()) as Record<string, any>, setCookie: sessionCookieOf(res) };
}

async function expectSignedOut(cookie: string) {
  const session = await sessionEndpoint(cookie);
  expect(session.status).toBe(200);
  expect(session.body).toEqual({});
  // The stale cookie is deleted (next-auth writes it empty, already expired).
  expect(session.setCookie).toMatch(/^next-auth\.session-token=;.*Max-Age=0/i);
  const profile = await fetch(`${baseUrl()}/profile`, { redirect: "manual", headers: { cookie, accept: "text/html" } });
  expect([303, 307]).toContain(profile.status);
  expect(profile.headers.get("location")).toMatch(/\/login\?next=%2Fprofile$/);
  const home = await fetch(`${baseUrl()}/`, { redirect: "manual", headers: { cookie, accept: "text/html" } });
  expect(home.headers.get("location")).toMatch(/\/login$/);
}

/** The token of the reset link mailed to `email` (other mail, such as a sign-in notice, may come first). */
async function resetLinkTo(email: string): Promise<string> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const token = (await mailsTo(email)).map(resetTokenIn).find((t) => t !== null);
    if (token) return token;
    if (Date.now() > deadline) throw new Error(`no reset link reached ${email}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signedInBrowser() {
  const user = await registeredVerifiedUser();
  const cookie = await browserSignIn(user.email, user.password);
  expect((await sessionEndpoint(cookie)).body.user).toMatchObject({ email: user.email });
  return { ...user, cookie };
}

describe("GET /api/auth/session", () => {
  it("shows the signed-in user's id, e-mail and name, nothing about the session, and renews the cookie", async () => {
    const { cookie, email, userId } = await signedInBrowser();
    const session = await sessionEndpoint(cookie);
    expect(session.body).toEqual({ user: { id: userId, email, name: expect.any(String) }, expires: expect.any(String) });
    expect(session.setCookie).toMatch(/^next-auth\.session-token=[^;]+;/);
  });

  it("answers `{}` once another browser signed out everywhere, and deletes the cookie; pages send it to the login page", async () => {
    const { cookie, email, password } = await signedInBrowser();
    const other = await browserSignIn(email, password);
    const res = await fetch(`${baseUrl()}/profile`, {
      method: "POST",
      redirect: "manual",
      headers: { origin: baseUrl(), accept: "text/x-component", "next-action": actionId("signOutAllAction"), "content-type": "text/plain;charset=UTF-8", cookie: other, "x-forwarded-for": randomIp() },
      body: "[]",
    });
    expect(res.headers.get("x-action-redirect")).toMatch(/^\/login\?signedout=all/);
    await expectSignedOut(cookie);
  });

  it("answers `{}` once the password was changed from an app", async () => {
    const { cookie, password, tokens } = await signedInBrowser();
    const change = await api("POST", "/auth/password/change/", { headers: authHeader(tokens.access_token), json: { old_password: password, new_password: NEW_PASSWORD } });
    expect(change.status, change.text).toBe(200);
    await expectSignedOut(cookie);
  });

  it("answers `{}` once the password was reset through the e-mailed link", async () => {
    const { cookie, email } = await signedInBrowser();
    expect((await api("POST", "/auth/generate-link", { json: { email, request_type: 3 } })).status).toBe(200);
    const token = await resetLinkTo(email);
    const reset = await api("POST", "/auth/reset-password", { headers: authHeader(token, "Token"), json: { password: NEW_PASSWORD } });
    expect(reset.status, reset.text).toBe(200);
    await expectSignedOut(cookie);
  });

  it("answers `{}` once the account is disabled", async () => {
    const { cookie, email } = await signedInBrowser();
    await execSql(`UPDATE "User" SET "disabledAt" = $1 WHERE "email" = $2`, [new Date().toISOString(), email]);
    await expectSignedOut(cookie);
  });
});
