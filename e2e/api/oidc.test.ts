import { decodeProtectedHeader } from "jose";
import * as oidc from "openid-client";
import { beforeAll, describe, expect, it } from "vitest";
import { baseUrl } from "./client";
import { registeredVerifiedUser } from "./helpers";
import { addClient, authorizationRequest, Browser, configFor, REDIRECT_URI } from "./oidc-support";

/**
 * The OpenID provider (ADR 015) as a real relying party sees it: panva's openid-client drives
 * discovery, the authorization code flow with PKCE, the token endpoint, the ID token's checks,
 * userinfo and refresh. The browser's part (this service's login page, the consent page) is plain
 * fetch with a cookie jar, as the other HTTP tests drive the pages (oidc-support.ts).
 */

let user: Awaited<ReturnType<typeof registeredVerifiedUser>>;
let thirdParty: { client_id: string; client_secret?: string };
let firstParty: { client_id: string; client_secret?: string };

beforeAll(async () => {
  user = await registeredVerifiedUser();
  thirdParty = await addClient("--name", "Example Reader", "--redirect-uri", REDIRECT_URI);
  firstParty = await addClient("--name", "Our Own App", "--redirect-uri", REDIRECT_URI, "--first-party");
}, 60_000);

describe("discovery", () => {
  it("names APP_URL as the issuer, the endpoints under /oauth/, the code flow with S256 only, and the service's JWKS", async () => {
    const res = await fetch(`${baseUrl()}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, any>;
    expect(doc.issuer).toBe(baseUrl());
    expect(doc.authorization_endpoint).toBe(`${baseUrl()}/oauth/auth`);
    expect(doc.token_endpoint).toBe(`${baseUrl()}/oauth/token`);
    expect(doc.userinfo_endpoint).toBe(`${baseUrl()}/oauth/me`);
    expect(doc.jwks_uri).toBe(`${baseUrl()}/.well-known/jwks.json`);
    expect(doc.response_types_supported).toEqual(["code"]);
    expect(doc.code_challenge_methods_supported).toEqual(["S256"]);
    expect(doc.grant_types_supported).not.toContain("implicit");
    expect(doc.grant_types_supported).not.toContain("password");
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(["openid", "profile", "email", "offline_access"]));
    expect(doc.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(["client_secret_basic", "client_secret_post", "none"]));
    expect(doc.id_token_signing_alg_values_supported).toContain("RS256");

    const rfc8414 = await fetch(`${baseUrl()}/.well-known/oauth-authorization-server`);
    expect(rfc8414.status).toBe(200);
    expect(await rfc8414.json()).toEqual(doc);

    const jwks = (await (await fetch(doc.jwks_uri)).json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys.map((k) => k.alg)).toContain("RS256");
  });

  it("leaves /auth to the legacy API and other /oauth/ paths to the pages", async () => {
    expect((await fetch(`${baseUrl()}/auth/me/`)).status).toBe(401);
    expect((await fetch(`${baseUrl()}/oauth/nothing-here`, { redirect: "manual" })).status).toBe(404);
  });
});

describe("the authorization code flow with PKCE", () => {
  it("signs a signed-out browser in on /login, asks for consent, and gives openid-client a verified ID token, userinfo and refresh", async () => {
    const config = await configFor(thirdParty.client_id, thirdParty.client_secret);
    const request = await authorizationRequest(config);
    const browser = new Browser();

    // Signed out: the provider's interaction sends the browser to this service's login page.
    const first = await browser.follow(request.url);
    expect(first.res?.status).toBe(200);
    const loginUrl = new URL(first.url);
    expect(loginUrl.pathname).toBe("/login");
    const interaction = loginUrl.searchParams.get("next")!;
    expect(interaction).toMatch(/^\/oauth\/interaction\/[A-Za-z0-9_-]+$/);

    // The login page's own action signs in and goes back to the interaction.
    expect(await browser.signIn(user.email, user.password, interaction)).toBe(interaction);

    // Then the consent page names the client and what it asks for.
    const toConsent = await browser.follow(interaction);
    const consentUrl = new URL(toConsent.url);
    expect(consentUrl.pathname).toBe("/oauth/consent");
    const page = await toConsent.res!.text();
    expect(page).toContain("Example Reader");
    expect(page).toContain("Allow");
    expect(page).toContain("Deny");
    const uid = consentUrl.searchParams.get("interaction")!;
    expect(page).toContain(`action="/oauth/interaction/${uid}"`);

    // Another site's post gets nowhere: no interaction cookie travels with it, and its Origin is not this site's.
    expect((await new Browser().consent(uid, "allow")).status).toBe(400);
    expect((await browser.consent(uid, "allow", "https://evil.example")).status).toBe(403);

    const allowed = await browser.consent(uid, "allow");
    expect(allowed.status).toBe(303);
    const back = await browser.follow(allowed.headers.get("location")!);
    expect(back.url.startsWith(`${REDIRECT_URI}?`)).toBe(true);
    expect(new URL(back.url).searchParams.get("iss")).toBe(baseUrl());

    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), {
      pkceCodeVerifier: request.verifier,
      expectedState: request.state,
      expectedNonce: request.nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: baseUrl(), aud: thirdParty.client_id, sub: String(user.userId), nonce: request.nonce });
    expect(decodeProtectedHeader(tokens.id_token!).alg).toBe("RS256");
    expect(tokens.refresh_token).toBeTruthy();

    const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
    expect(info).toMatchObject({ sub: String(user.userId), email: user.email, email_verified: true });
    expect(info).toHaveProperty("name");

    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(refreshed.access_token).toBeTruthy();
    expect(refreshed.refresh_token).toBeTruthy();
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe(String(user.userId));
  });

  it("does not ask a signed-in browser again, and skips consent for a first-party client", async () => {
    const browser = new Browser();
    await browser.signIn(user.email, user.password, "/profile");
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    const request = await authorizationRequest(config);
    const back = await browser.follow(request.url);
    expect(back.url.startsWith(`${REDIRECT_URI}?`)).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    expect(tokens.claims()?.sub).toBe(String(user.userId));
  });

  it("answers Deny with access_denied at the app's redirect URI", async () => {
    const browser = new Browser();
    await browser.signIn(user.email, user.password, "/profile");
    const config = await configFor(thirdParty.client_id, thirdParty.client_secret);
    const request = await authorizationRequest(config);
    const toConsent = await browser.follow(request.url);
    const uid = new URL(toConsent.url).searchParams.get("interaction")!;
    const denied = await browser.consent(uid, "deny");
    const back = await browser.follow(denied.headers.get("location")!);
    expect(new URL(back.url).searchParams.get("error")).toBe("access_denied");
  });

  it("refuses a code with the wrong PKCE verifier", async () => {
    const browser = new Browser();
    await browser.signIn(user.email, user.password, "/profile");
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    const request = await authorizationRequest(config);
    const back = await browser.follow(request.url);
    await expect(
      oidc.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: oidc.randomPKCECodeVerifier(), expectedState: request.state, expectedNonce: request.nonce }),
    ).rejects.toMatchObject({ error: "invalid_grant" });
  });

  it("refuses a redirect URI that is not registered, and a request without PKCE or with plain PKCE", async () => {
    const config = await configFor(thirdParty.client_id, thirdParty.client_secret);
    const wrong = await authorizationRequest(config, { redirect_uri: "https://rp.example.test/elsewhere" });
    const res = await fetch(wrong.url, { redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
    expect(await res.json()).toMatchObject({ error: "invalid_redirect_uri" });

    const noPkce = new URL((await authorizationRequest(config)).url);
    noPkce.searchParams.delete("code_challenge");
    noPkce.searchParams.delete("code_challenge_method");
    const refused = await fetch(noPkce, { redirect: "manual" });
    expect(refused.status).toBe(303);
    expect(new URL(refused.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");

    const plain = new URL((await authorizationRequest(config)).url);
    plain.searchParams.set("code_challenge", oidc.randomPKCECodeVerifier());
    plain.searchParams.set("code_challenge_method", "plain");
    const refusedPlain = await fetch(plain, { redirect: "manual" });
    expect(refusedPlain.status).toBe(303);
    expect(new URL(refusedPlain.headers.get("location")!).searchParams.get("error")).toBe("invalid_request");
  });

  it("has no password grant", async () => {
    const res = await fetch(`${baseUrl()}/oauth/token`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", authorization: `Basic ${Buffer.from(`${thirdParty.client_id}:${thirdParty.client_secret}`).toString("base64")}` },
      body: new URLSearchParams({ grant_type: "password", username: user.email, password: user.password }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "unsupported_grant_type" });
  });
});
