import * as oidc from "openid-client";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { baseUrl } from "./client";
import { registeredVerifiedUser, setClockOffset } from "./helpers";
import { addClient, authorizationRequest, Browser, configFor, REDIRECT_URI } from "./oidc-support";

/**
 * The OpenID provider's token life (ADR 015) as openid-client sees it: refresh rotation and its
 * reuse rule, a replayed or another client's code, revocation (RFC 7009), introspection
 * (RFC 7662), the client credentials grant, and RP-initiated logout ending this service's browser
 * session too.
 */

const POST_LOGOUT = "https://rp.example.test/signed-out";

type Registered = { client_id: string; client_secret?: string };
let user: Awaited<ReturnType<typeof registeredVerifiedUser>>;
let app: Registered;
let other: Registered;
let machine: Registered;

beforeAll(async () => {
  user = await registeredVerifiedUser();
  [app, other, machine] = await Promise.all([
    addClient("--name", "Token Life App", "--redirect-uri", REDIRECT_URI, "--post-logout-redirect-uri", POST_LOGOUT, "--first-party"),
    addClient("--name", "Another App", "--redirect-uri", REDIRECT_URI, "--first-party"),
    addClient("--name", "Nightly Job", "--redirect-uri", REDIRECT_URI, "--grant", "client_credentials"),
  ]);
}, 60_000);

afterEach(() => setClockOffset(0));

/** Signs a fresh browser in and runs the code flow for a (first-party) client: its callback URL and the request. */
async function codeFor(client: Registered, browser = new Browser()) {
  await browser.signIn(user.email, user.password, "/profile");
  const config = await configFor(client.client_id, client.client_secret);
  const request = await authorizationRequest(config);
  const back = await browser.follow(request.url);
  expect(back.url.startsWith(`${REDIRECT_URI}?`), back.url).toBe(true);
  return { config, request, callback: new URL(back.url), browser };
}

async function tokensFor(client: Registered, browser?: Browser) {
  const { config, request, callback } = await codeFor(client, browser);
  const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
  return { config, tokens };
}

/** RFC 7662 as the client that holds the token asks it. */
async function introspect(client: Registered, token: string) {
  const config = await configFor(client.client_id, client.client_secret);
  return oidc.tokenIntrospection(config, token);
}

describe("refresh tokens", () => {
  it("rotate; a rotated one works for REFRESH_REUSE_INTERVAL_SECONDS more, and its reuse after that ends the whole grant", async () => {
    const { config, tokens } = await tokensFor(app);
    const rotated = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(rotated.refresh_token).not.toBe(tokens.refresh_token);

    // A retry within the interval (a lost answer, a second tab) still works.
    const retried = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(retried.access_token).toBeTruthy();

    // After it, the spent token is refused, and every token of its grant ends with it.
    setClockOffset(11_000);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    setClockOffset(0);
    await expect(oidc.refreshTokenGrant(config, rotated.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    expect((await introspect(app, rotated.access_token)).active).toBe(false);
  });
});

describe("authorization codes", () => {
  it("are good once: a replayed code is refused and the tokens issued from it are revoked", async () => {
    const { config, request, callback } = await codeFor(app);
    const tokens = await oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    expect((await introspect(app, tokens.access_token)).active).toBe(true);

    await expect(
      oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }),
    ).rejects.toMatchObject({ error: "invalid_grant" });
    expect((await introspect(app, tokens.access_token)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("are good once even when redeemed several times at the same moment: one redemption gets tokens", async () => {
    const { config, request, callback } = await codeFor(app);
    const redemptions = await Promise.allSettled(
      Array.from({ length: 6 }, () =>
        oidc.authorizationCodeGrant(config, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }),
      ),
    );
    expect(redemptions.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const refused of redemptions.filter((r) => r.status === "rejected")) expect(refused.reason).toMatchObject({ error: "invalid_grant" });
  });

  it("belong to the client they were issued to: another client's code is refused", async () => {
    const { request, callback } = await codeFor(app);
    const otherConfig = await configFor(other.client_id, other.client_secret);
    await expect(
      oidc.authorizationCodeGrant(otherConfig, callback, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce }),
    ).rejects.toMatchObject({ error: "invalid_grant" });
  });
});

describe("revocation and introspection", () => {
  it("introspects a live access token for the client that holds it: who, for which client, which scopes", async () => {
    const { tokens } = await tokensFor(app);
    const answer = await introspect(app, tokens.access_token);
    expect(answer).toMatchObject({ active: true, sub: String(user.userId), client_id: app.client_id, iss: baseUrl() });
    expect(String(answer.scope).split(" ")).toEqual(expect.arrayContaining(["openid", "email"]));
  });

  it("tells another client nothing about a token it does not hold", async () => {
    const { tokens } = await tokensFor(app);
    expect(await introspect(other, tokens.access_token)).toEqual({ active: false });
  });

  it("refuses introspection without the client's secret", async () => {
    const { tokens } = await tokensFor(app);
    const res = await fetch(`${baseUrl()}/oauth/token/introspection`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${app.client_id}:wrong`).toString("base64")}` },
      body: new URLSearchParams({ token: tokens.access_token }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "invalid_client" });
  });

  it("answers only for tokens it issued: an unknown or malformed value is inactive, a JWT is unsupported_token_type", async () => {
    const { tokens } = await tokensFor(app);
    // Values that cannot be a JWT (not three or five dot-separated parts) and one that has the shape only.
    for (const value of ["x", tokens.access_token.slice(1), `${tokens.access_token}.`, "a.b.c", "a..b..c"]) {
      expect(await introspect(app, value), value).toEqual({ active: false });
    }
    const res = await fetch(`${baseUrl()}/oauth/token/introspection`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString("base64")}` },
      body: new URLSearchParams({ token: tokens.id_token! }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "unsupported_token_type" });
  });

  it("refuses userinfo for a value it did not issue: 401 with invalid_token in WWW-Authenticate", async () => {
    const { tokens } = await tokensFor(app);
    for (const value of ["x", tokens.access_token.slice(1), tokens.id_token!]) {
      const info = await fetch(`${baseUrl()}/oauth/me`, { headers: { authorization: `Bearer ${value}` } });
      expect(info.status, value).toBe(401);
      expect(info.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    }
  });

  it("revokes a refresh token: the grant's tokens stop working, userinfo included", async () => {
    const { config, tokens } = await tokensFor(app);
    await oidc.tokenRevocation(config, tokens.refresh_token!);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
    expect((await introspect(app, tokens.access_token)).active).toBe(false);
    const info = await fetch(`${baseUrl()}/oauth/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.status).toBe(401);
  });

  it("revokes an access token: its grant ends with it, the refresh token too (oidc-provider revokes the grant behind either)", async () => {
    const { config, tokens } = await tokensFor(app);
    await oidc.tokenRevocation(config, tokens.access_token, { token_type_hint: "access_token" });
    expect((await introspect(app, tokens.access_token)).active).toBe(false);
    await expect(oidc.refreshTokenGrant(config, tokens.refresh_token!)).rejects.toMatchObject({ error: "invalid_grant" });
  });
});

describe("the client credentials grant", () => {
  it("gives a client registered with it an access token of its own, with no user and no refresh token", async () => {
    const config = await configFor(machine.client_id, machine.client_secret);
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.access_token).toBeTruthy();
    expect(tokens.refresh_token).toBeUndefined();
    expect(tokens.id_token).toBeUndefined();
    const answer = await introspect(machine, tokens.access_token);
    expect(answer).toMatchObject({ active: true, client_id: machine.client_id });
    expect(answer.sub).toBeUndefined();
  });

  it("is refused to a client registered without it", async () => {
    const config = await configFor(app.client_id, app.client_secret);
    // The library's answer (RFC 6749 would say unauthorized_client).
    await expect(oidc.clientCredentialsGrant(config)).rejects.toMatchObject({ error: "invalid_request", error_description: "requested grant type is not allowed for this client" });
  });
});

describe("RP-initiated logout", () => {
  it("asks on this service's page, then ends the provider's session and the browser's, and returns to the app", async () => {
    const { config, tokens, browser } = await (async () => {
      const browser = new Browser();
      return { ...(await tokensFor(app, browser)), browser };
    })();
    const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: POST_LOGOUT, state: "bye" });

    const question = await browser.follow(end.href);
    const page = new URL(question.url);
    expect(page.pathname).toBe("/oauth/logout");
    const html = await question.res!.text();
    expect(html).toContain("Token Life App");
    expect(html).toContain('action="/oauth/session/end/confirm"');
    const xsrf = page.searchParams.get("xsrf")!;

    // Another site cannot sign the person out: the provider's CSRF value is bound to its session cookie.
    const forged = await fetch(`${baseUrl()}/oauth/session/end/confirm`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ xsrf, logout: "yes" }),
    });
    expect(forged.status).toBe(400);

    const confirm = await fetch(`${baseUrl()}/oauth/session/end/confirm`, {
      method: "POST",
      redirect: "manual",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: browser.cookie("/oauth/session/end/confirm"), "x-forwarded-for": browser.ip },
      body: new URLSearchParams({ xsrf, logout: "yes" }),
    });
    expect(confirm.status).toBe(303);
    const cookieBefore = browser.cookie("/profile");
    browser.keep(confirm);
    const back = new URL(confirm.headers.get("location")!);
    expect(`${back.origin}${back.pathname}`).toBe(POST_LOGOUT);
    expect(back.searchParams.get("state")).toBe("bye");

    // This service's browser session ended too: the profile asks to sign in, even with the old cookie.
    expect((await browser.get("/profile")).headers.get("location")).toMatch(/^\/login/);
    const copied = await fetch(`${baseUrl()}/profile`, { redirect: "manual", headers: { cookie: cookieBefore } });
    expect(copied.status).toBe(307);
    // And prompt=none gets login_required.
    const silent = await authorizationRequest(config, { prompt: "none" });
    const answer = await browser.follow(silent.url);
    expect(new URL(answer.url).searchParams.get("error")).toBe("login_required");
  });
});
