import * as oidc from "openid-client";
import { beforeAll, describe, expect, it } from "vitest";
import { api, baseUrl } from "./client";
import { actionId, authHeader, execSql, postFormAction, registeredVerifiedUser } from "./helpers";
import { addClient, authorizationRequest, Browser, configFor, REDIRECT_URI, removeClient } from "./oidc-support";

/**
 * The provider's grants as this service keeps them (ADR 015), seen by openid-client: consent is
 * remembered per app and scopes across sessions (prompt=consent asks again); Connected apps'
 * Revoke ends an app's tokens at once; a session that ends in this service (a revoke in the
 * sessions list, a password change) ends the grants made under it, while a plain sign-out leaves
 * an offline_access grant working.
 */

type User = Awaited<ReturnType<typeof registeredVerifiedUser>>;
type Config = Awaited<ReturnType<typeof configFor>>;

let app: { client_id: string; client_secret?: string };
let config: Config;

beforeAll(async () => {
  app = await addClient("--name", "Grants Reader", "--redirect-uri", REDIRECT_URI);
  config = await configFor(app.client_id, app.client_secret);
}, 60_000);

/** An authorization request for `scope`, with `prompt` only when given. */
async function request(scope: string, prompt?: string, to: Config = config) {
  const built = await authorizationRequest(to, { scope });
  const url = new URL(built.url);
  if (prompt) url.searchParams.set("prompt", prompt);
  else url.searchParams.delete("prompt");
  return { ...built, url: url.href };
}

/** Where the browser ends up for an authorization request: the consent page (its interaction's uid) or the app, with a code. */
async function authorize(browser: Browser, req: { url: string }): Promise<{ consent: string } | { callback: string }> {
  const landed = await browser.follow(req.url);
  const url = new URL(landed.url);
  if (url.pathname === "/oauth/consent") return { consent: url.searchParams.get("interaction")! };
  expect(landed.url.startsWith(`${REDIRECT_URI}?`), `landed on ${landed.url}`).toBe(true);
  return { callback: landed.url };
}

async function allow(browser: Browser, uid: string): Promise<string> {
  const allowed = await browser.consent(uid, "allow");
  expect(allowed.status).toBe(303);
  const back = await browser.follow(allowed.headers.get("location")!);
  expect(back.url.startsWith(`${REDIRECT_URI}?`), `landed on ${back.url}`).toBe(true);
  return back.url;
}

async function tokensFor(req: Awaited<ReturnType<typeof request>>, callback: string, to: Config = config) {
  return oidc.authorizationCodeGrant(to, new URL(callback), { pkceCodeVerifier: req.verifier, expectedState: req.state, expectedNonce: req.nonce });
}

/**
 * Has a browser (a new one, signed in, unless given one that is) allow the app `scope`, with
 * prompt=consent, so offline_access counts; the tokens.
 */
async function allowedTokens(user: User, scope = "openid email offline_access", { browser = undefined as Browser | undefined, to = config } = {}) {
  if (!browser) {
    browser = new Browser();
    await browser.signIn(user.email, user.password, "/profile");
  }
  const req = await request(scope, "consent", to);
  const asked = await authorize(browser, req);
  if (!("consent" in asked)) throw new Error("the consent page was expected");
  const tokens = await tokensFor(req, await allow(browser, asked.consent), to);
  return { browser, tokens };
}

const active = async (token: string) => (await oidc.tokenIntrospection(config, token)).active;

async function expectRefreshRefused(refreshToken: string) {
  await expect(oidc.refreshTokenGrant(config, refreshToken)).rejects.toMatchObject({ error: "invalid_grant" });
}

/** A server action without a form (sign out), as React's client posts it from a page. */
async function postButtonAction(browser: Browser, name: string): Promise<Response> {
  const res = await fetch(`${baseUrl()}/profile`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: baseUrl(), accept: "text/x-component", "next-action": actionId(name), "content-type": "text/plain;charset=UTF-8", cookie: browser.cookie("/profile"), "x-forwarded-for": browser.ip },
    body: "[]",
  });
  browser.keep(res);
  return res;
}

async function profileHtml(browser: Browser): Promise<string> {
  const res = await browser.get("/profile");
  expect(res.status).toBe(200);
  return res.text();
}

describe("remembered consent", () => {
  it("is not asked again for no more than was allowed, in a new session, after signing out and in; more is asked", async () => {
    const user = await registeredVerifiedUser();
    const browser = new Browser();
    await browser.signIn(user.email, user.password, "/profile");
    const first = await request("openid email");
    const asked = await authorize(browser, first);
    expect(asked).toHaveProperty("consent");
    const firstTokens = await tokensFor(first, await allow(browser, (asked as { consent: string }).consent));
    expect(firstTokens.claims()?.sub).toBe(String(user.userId));

    // Signed out and in again in the same browser (the provider's cookies kept): not asked.
    await postButtonAction(browser, "signOutAction");
    await browser.signIn(user.email, user.password, "/profile");
    const again = await request("openid email");
    const remembered = await authorize(browser, again);
    expect(remembered).toHaveProperty("callback");
    expect((await tokensFor(again, (remembered as { callback: string }).callback)).claims()?.sub).toBe(String(user.userId));

    // Another browser, a new session: not asked for a part of it either, and prompt=none gets a code.
    const other = new Browser();
    await other.signIn(user.email, user.password, "/profile");
    expect(await authorize(other, await request("openid"))).toHaveProperty("callback");
    expect(await authorize(other, await request("openid email", "none"))).toHaveProperty("callback");

    // More than was allowed is asked; once allowed, that is remembered too.
    const more = await authorize(other, await request("openid email profile"));
    expect(more).toHaveProperty("consent");
    await allow(other, (more as { consent: string }).consent);
    const third = new Browser();
    await third.signIn(user.email, user.password, "/profile");
    const all = await request("openid profile email");
    const notAsked = await authorize(third, all);
    expect(notAsked).toHaveProperty("callback");
    const info = await oidc.fetchUserInfo(config, (await tokensFor(all, (notAsked as { callback: string }).callback)).access_token, String(user.userId));
    expect(info).toMatchObject({ email: user.email });
    expect(info).toHaveProperty("name");
  });

  it("is asked again with prompt=consent, and prompt=none without it is consent_required", async () => {
    const user = await registeredVerifiedUser();
    const { browser } = await allowedTokens(user, "openid email");
    expect(await authorize(browser, await request("openid email", "consent"))).toHaveProperty("consent");

    const stranger = await registeredVerifiedUser();
    const theirs = new Browser();
    await theirs.signIn(stranger.email, stranger.password, "/profile");
    // Asked (and not answered) once, so the provider knows the browser's sign-in.
    expect(await authorize(theirs, await request("openid"))).toHaveProperty("consent");
    const refused = await authorize(theirs, await request("openid", "none"));
    expect(new URL((refused as { callback: string }).callback).searchParams.get("error")).toBe("consent_required");
  });
});

describe("Connected apps", () => {
  it("lists the app the person allowed; Revoke ends its refresh and access tokens at once and forgets the consent", async () => {
    const user = await registeredVerifiedUser();
    const { browser, tokens } = await allowedTokens(user);
    expect(await profileHtml(browser)).toContain("Grants Reader");
    expect(await active(tokens.access_token)).toBe(true);

    const revoked = await postFormAction("/profile", "revokeAppAction", { clientId: app.client_id }, { cookie: browser.cookie("/profile"), "x-forwarded-for": browser.ip });
    expect(revoked.status).toBe(200);
    expect(await active(tokens.access_token)).toBe(false);
    expect(await active(tokens.refresh_token!)).toBe(false);
    await expectRefreshRefused(tokens.refresh_token!);
    await expect(oidc.fetchUserInfo(config, tokens.access_token, String(user.userId))).rejects.toBeDefined();
    expect(await profileHtml(browser)).not.toContain("Grants Reader");
    // Forgotten: the next request is asked again.
    expect(await authorize(browser, await request("openid email"))).toHaveProperty("consent");
    const audit = await execSql<{ type: string }>(`SELECT "type" FROM "AuditEvent" WHERE "userId" = $1 AND "type" LIKE 'oauth_consent_%' ORDER BY "id"`, [user.userId]);
    expect(audit.map((a) => a.type)).toEqual(["oauth_consent_given", "oauth_consent_revoked"]);
  });

  it("forgets an app the service removed: gone from Connected apps, with its consents, grants and tokens", async () => {
    const user = await registeredVerifiedUser();
    const leaving = await addClient("--name", "Leaving App", "--redirect-uri", REDIRECT_URI);
    const leavingConfig = await configFor(leaving.client_id, leaving.client_secret);
    const { browser } = await allowedTokens(user, "openid email offline_access", { to: leavingConfig });
    expect(await profileHtml(browser)).toContain("Leaving App");

    await removeClient(leaving.client_id);
    expect(await profileHtml(browser)).not.toContain("Leaving App");
    const [consents] = await execSql<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "OAuthConsent" WHERE "clientId" = $1`, [leaving.client_id]);
    const [rows] = await execSql<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "OAuthModel" WHERE "clientId" = $1`, [leaving.client_id]);
    expect([Number(consents!.n), Number(rows!.n)]).toEqual([0, 0]);
  });

  it("revokes only the signed-in person's own app: another account's grant of the same app keeps working", async () => {
    const user = await registeredVerifiedUser();
    const other = await registeredVerifiedUser();
    const { tokens } = await allowedTokens(other);
    const { browser } = await allowedTokens(user);
    await postFormAction("/profile", "revokeAppAction", { clientId: app.client_id }, { cookie: browser.cookie("/profile"), "x-forwarded-for": browser.ip });
    expect(await active(tokens.access_token)).toBe(true);
    expect((await oidc.refreshTokenGrant(config, tokens.refresh_token!)).access_token).toBeTruthy();
  });
});

describe("grants end with the session they were made under", () => {
  it("a revoke in the sessions list ends the grants made under that session", async () => {
    const user = await registeredVerifiedUser();
    const { tokens } = await allowedTokens(user);
    const [made] = await execSql<{ id: string }>(`SELECT "id" FROM "Session" WHERE "userId" = $1 AND "kind" = 'browser' AND "revokedAt" IS NULL`, [user.userId]);

    const elsewhere = new Browser();
    await elsewhere.signIn(user.email, user.password, "/profile");
    const res = await postFormAction("/profile", "revokeSessionAction", { sessionId: made!.id }, { cookie: elsewhere.cookie("/profile"), "x-forwarded-for": elsewhere.ip });
    expect(res.status).toBe(200);
    expect(await active(tokens.access_token)).toBe(false);
    expect(await active(tokens.refresh_token!)).toBe(false);
    await expectRefreshRefused(tokens.refresh_token!);
  });

  it("a password change ends the grants of the sessions it ends", async () => {
    const user = await registeredVerifiedUser();
    const { tokens } = await allowedTokens(user);
    // Changed from an app: every other session ends, the browser's that made the grant included.
    const change = await api("POST", "/auth/password/change/", { headers: authHeader(user.tokens.access_token), json: { old_password: user.password, new_password: "another long passphrase 42" } });
    expect(change.status, change.text).toBe(200);
    expect(await active(tokens.access_token)).toBe(false);
    await expectRefreshRefused(tokens.refresh_token!);
  });

  it("a plain sign-out ends the browser session but leaves an offline_access refresh token working", async () => {
    const user = await registeredVerifiedUser();
    const { browser, tokens } = await allowedTokens(user);
    // Another app, allowed in the same session without offline_access.
    const onlineApp = await addClient("--name", "Online Reader", "--redirect-uri", REDIRECT_URI);
    const onlineConfig = await configFor(onlineApp.client_id, onlineApp.client_secret);
    const online = await allowedTokens(user, "openid email", { browser, to: onlineConfig });
    expect((await oidc.tokenIntrospection(onlineConfig, online.tokens.access_token)).active).toBe(true);
    const signedOut = await postButtonAction(browser, "signOutAction");
    expect(signedOut.headers.get("x-action-redirect")).toMatch(/^\/login/);

    // The browser is signed out: prompt=none answers login_required.
    const none = await browser.follow((await request("openid", "none")).url);
    expect(new URL(none.url).searchParams.get("error")).toBe("login_required");
    // The offline grant goes on: its refresh token works and rotates; the grant without offline_access ended.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
    expect(await active(refreshed.access_token)).toBe(true);
    expect((await oidc.tokenIntrospection(onlineConfig, online.tokens.access_token)).active).toBe(false);
  });

  it("a disabled account's offline grant gets no more tokens, even when disabled behind the service's back (an import)", async () => {
    const user = await registeredVerifiedUser();
    const { tokens } = await allowedTokens(user);
    // No session ends this way: only the provider's account lookup stands between the grant and new tokens.
    await execSql(`UPDATE "User" SET "disabledAt" = $1 WHERE "id" = $2`, [new Date().toISOString(), user.userId]);
    await expectRefreshRefused(tokens.refresh_token!);
  });
});
