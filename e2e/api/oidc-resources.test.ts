import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import * as oidc from "openid-client";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, testSecrets, type AppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { baseUrl, randomIp } from "./client";
import { registeredVerifiedUser } from "./helpers";
import { addClient, authorizationRequest, Browser, configFor, REDIRECT_URI } from "./oidc-support";

/**
 * Resource indicators (RFC 8707) with JWT access tokens (RFC 9068), and dynamic client registration
 * (RFC 7591), ADR 015. The suite's server lists two resources in OAUTH_RESOURCES (global-setup) and
 * has OAUTH_DYNAMIC_REGISTRATION=true; a server of this file's own has neither, as a default
 * deployment. openid-client is the relying party where it fits; plain fetch where the request is
 * the point (no `openid`, the registration endpoint).
 */

const { api: API } = inject("oauthResources");
const UNLISTED = "https://unlisted.example.test/";

let user: Awaited<ReturnType<typeof registeredVerifiedUser>>;
let thirdParty: { client_id: string; client_secret?: string };
let publicWeb: { client_id: string };

beforeAll(async () => {
  user = await registeredVerifiedUser();
  thirdParty = await addClient("--name", "Resource Reader", "--redirect-uri", REDIRECT_URI, "--grant", "client_credentials");
  publicWeb = await addClient("--name", "Public Resource App", "--redirect-uri", REDIRECT_URI, "--public");
}, 60_000);

const jwks = () => createRemoteJWKSet(new URL(`${baseUrl()}/.well-known/jwks.json`));

/** Signs in (if not yet), answers consent with Allow when it is asked, and returns where the browser lands on the app's side. */
async function authorize(browser: Browser, url: string, expectConsent = true): Promise<URL> {
  let step = await browser.follow(url);
  if (new URL(step.url).pathname === "/login") {
    const next = new URL(step.url).searchParams.get("next")!;
    await browser.signIn(user.email, user.password, next);
    step = await browser.follow(next);
  }
  const at = new URL(step.url);
  if (at.pathname === "/oauth/consent") {
    expect(expectConsent).toBe(true);
    const allowed = await browser.consent(at.searchParams.get("interaction")!, "allow");
    return new URL((await browser.follow(allowed.headers.get("location")!)).url);
  }
  expect(expectConsent).toBe(false);
  return at;
}

/** A code + PKCE request by hand: the parameters are the test's point. */
async function rawAuthorization(clientId: string, params: Record<string, string>, redirectUri = REDIRECT_URI) {
  const verifier = oidc.randomPKCECodeVerifier();
  const url = new URL(`${baseUrl()}/oauth/auth`);
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    redirect_uri: redirectUri,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: oidc.randomState(),
    ...params,
  }).toString();
  return { url: url.href, verifier };
}

async function tokenRequest(body: Record<string, string>, basic?: { id: string; secret: string }) {
  const res = await fetch(`${baseUrl()}/oauth/token`, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(basic ? { authorization: `Basic ${Buffer.from(`${basic.id}:${basic.secret}`).toString("base64")}` } : {}),
    },
    body: new URLSearchParams(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("resource indicators and JWT access tokens", () => {
  it("gives a listed resource a JWT access token (RFC 9068) whose aud is the resource, verified on the service's JWKS; the legacy API refuses it", async () => {
    const config = await configFor(thirdParty.client_id, thirdParty.client_secret);
    const request = await authorizationRequest(config, { resource: API, scope: "openid email offline_access read:things" });
    const back = await authorize(new Browser(), request.url);
    const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    expect(tokens.id_token).toBeTruthy();

    const header = decodeProtectedHeader(tokens.access_token);
    expect(header).toMatchObject({ typ: "at+jwt", alg: "RS256" });
    const { payload } = await jwtVerify(tokens.access_token, jwks(), { issuer: baseUrl(), audience: API, typ: "at+jwt", algorithms: ["RS256"] });
    expect(payload).toMatchObject({ sub: String(user.userId), client_id: thirdParty.client_id, scope: "read:things" });
    expect(payload.exp! - payload.iat!).toBe(900);

    // A token for another resource is not this service's own access token.
    const me = await fetch(`${baseUrl()}/auth/me/`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(me.status).toBe(401);

    // The same grant refreshes into a token for the same resource.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    expect(decodeJwt(refreshed.access_token)).toMatchObject({ aud: API, sub: String(user.userId) });
  });

  it("refuses a resource that is not listed: invalid_target, at the authorization and at the token endpoint", async () => {
    const config = await configFor(thirdParty.client_id, thirdParty.client_secret);
    const unlisted = await authorizationRequest(config, { resource: UNLISTED });
    const res = await fetch(unlisted.url, { redirect: "manual" });
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get("location")!);
    expect(location.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(location.searchParams.get("error")).toBe("invalid_target");

    // A code for the listed resource cannot be redeemed for another one.
    const request = await authorizationRequest(config, { resource: API, scope: "openid read:things" });
    const back = await authorize(new Browser(), request.url);
    const exchanged = await tokenRequest(
      { grant_type: "authorization_code", code: back.searchParams.get("code")!, redirect_uri: REDIRECT_URI, code_verifier: request.verifier, resource: UNLISTED },
      { id: thirdParty.client_id, secret: thirdParty.client_secret! },
    );
    expect(exchanged.status).toBe(400);
    expect(exchanged.body.error).toBe("invalid_target");

    const credentials = await tokenRequest({ grant_type: "client_credentials", resource: UNLISTED }, { id: thirdParty.client_id, secret: thirdParty.client_secret! });
    expect(credentials.body.error).toBe("invalid_target");
  });

  it("answers a plain OAuth 2.1 request (no openid) with an access token for its resource and no ID token, after asking the person", async () => {
    const browser = new Browser();
    const request = await rawAuthorization(publicWeb.client_id, { resource: API, scope: "read:things" });
    const back = await authorize(browser, request.url);
    const tokens = await tokenRequest({ grant_type: "authorization_code", client_id: publicWeb.client_id, code: back.searchParams.get("code")!, redirect_uri: REDIRECT_URI, code_verifier: request.verifier, resource: API });
    expect(tokens.status).toBe(200);
    expect(tokens.body).not.toHaveProperty("id_token");
    expect(tokens.body.refresh_token).toBeUndefined();
    const { payload } = await jwtVerify(tokens.body.access_token, jwks(), { issuer: baseUrl(), audience: API, typ: "at+jwt" });
    expect(payload).toMatchObject({ sub: String(user.userId), client_id: publicWeb.client_id, scope: "read:things" });

    // Consent was remembered for those scopes: the next request passes without the page.
    const again = await rawAuthorization(publicWeb.client_id, { resource: API, scope: "read:things" });
    expect((await authorize(browser, again.url, false)).searchParams.get("code")).toBeTruthy();
  });

  it("refuses a request that asks for nothing: a resource without any scope is access_denied (oidc-provider grants no empty authorization)", async () => {
    const browser = new Browser();
    await browser.signIn(user.email, user.password, "/profile");
    const request = await rawAuthorization(publicWeb.client_id, { resource: API });
    const back = new URL((await browser.follow(request.url)).url);
    expect(back.href.startsWith(REDIRECT_URI)).toBe(true);
    expect(back.searchParams.get("error")).toBe("access_denied");
    expect(back.searchParams.get("code")).toBeNull();
  });

  it("keeps the opaque userinfo token when no resource is named", async () => {
    const config = await configFor(thirdParty.client_id, thirdParty.client_secret);
    const request = await authorizationRequest(config, { scope: "openid email" });
    const back = await authorize(new Browser(), request.url);
    const tokens = await oidc.authorizationCodeGrant(config, back, { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    expect(tokens.access_token.split(".")).toHaveLength(1);
    expect(await oidc.fetchUserInfo(config, tokens.access_token, tokens.claims()!.sub)).toMatchObject({ email: user.email });
  });

  it("gives client credentials a token for the resource, for the client itself and without scopes", async () => {
    const res = await tokenRequest({ grant_type: "client_credentials", resource: API, scope: "read:things" }, { id: thirdParty.client_id, secret: thirdParty.client_secret! });
    expect(res.status).toBe(200);
    const { payload } = await jwtVerify(res.body.access_token, jwks(), { issuer: baseUrl(), audience: API, typ: "at+jwt" });
    expect(payload).toMatchObject({ sub: thirdParty.client_id, client_id: thirdParty.client_id });
    expect(payload).not.toHaveProperty("scope");
  });
});

/** POST /oauth/reg from an address of its own (registrations are counted per address). */
async function register(metadata: Record<string, unknown>, ip = randomIp()) {
  const res = await fetch(`${baseUrl()}/oauth/reg`, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": ip }, body: JSON.stringify(metadata) });
  return { status: res.status, headers: res.headers, body: (await res.json().catch(() => ({}))) as Record<string, any> };
}

const loopback = (port: number, host = "127.0.0.1") => `http://${host}:${port}/callback`;
const publicClient = (redirectUris: string[], extra: Record<string, unknown> = {}) => ({ client_name: "Registered App", redirect_uris: redirectUris, token_endpoint_auth_method: "none", ...extra });

/** What the authorization endpoint says of a redirect URI: refused (400 invalid_redirect_uri) or on its way (303 to the interaction). */
async function redirectAccepted(clientId: string, redirectUri: string): Promise<boolean> {
  const { url } = await rawAuthorization(clientId, { scope: "openid" }, redirectUri);
  const res = await fetch(url, { redirect: "manual" });
  if (res.status === 400) {
    expect(((await res.json()) as { error: string }).error).toBe("invalid_redirect_uri");
    return false;
  }
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toMatch(/^\/oauth\/interaction\//);
  return true;
}

describe("dynamic client registration (OAUTH_DYNAMIC_REGISTRATION=true)", () => {
  it("is in discovery, registers a public client with loopback or https redirect URIs, and never a first-party one", async () => {
    const doc = (await (await fetch(`${baseUrl()}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.registration_endpoint).toBe(`${baseUrl()}/oauth/reg`);

    const made = await register(publicClient([loopback(8123), "http://localhost/callback", "http://[::1]:8123/callback", "https://app.example.test/cb"], { scope: "openid offline_access mcp:tools" }));
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ token_endpoint_auth_method: "none", first_party: false, scope: "openid offline_access" });
    expect(made.body.client_id).toBeTruthy();
    expect(made.body).not.toHaveProperty("client_secret");
    expect(made.body).not.toHaveProperty("registration_access_token");
  });

  it("refuses confidential clients, other grants, other redirect URIs, first-party, and metadata that would make the server fetch", async () => {
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ client_name: "No method", redirect_uris: [loopback(8123)] }, "invalid_client_metadata"],
      [publicClient([loopback(8123)], { token_endpoint_auth_method: "client_secret_basic" }), "invalid_client_metadata"],
      [publicClient([loopback(8123)], { grant_types: ["authorization_code", "client_credentials"] }), "invalid_client_metadata"],
      [publicClient(["http://app.example.test/callback"]), "invalid_redirect_uri"],
      [publicClient(["com.example.app:/callback"], { application_type: "native" }), "invalid_redirect_uri"],
      [publicClient([loopback(8123)], { first_party: true }), "invalid_client_metadata"],
      [publicClient([loopback(8123)], { jwks_uri: "https://attacker.example.test/jwks" }), "invalid_client_metadata"],
      [publicClient([loopback(8123)], { sector_identifier_uri: "https://attacker.example.test/sector" }), "invalid_client_metadata"],
      [publicClient(Array.from({ length: 11 }, (_, i) => loopback(9000 + i))), "invalid_client_metadata"],
    ];
    for (const [metadata, error] of refusals) {
      const res = await register(metadata);
      expect({ metadata, status: res.status, error: res.body.error }).toEqual({ metadata, status: 400, error });
    }
  });

  it("asks for consent for a registered client", async () => {
    const made = await register(publicClient([REDIRECT_URI]));
    const request = await rawAuthorization(made.body.client_id, { scope: "openid" });
    expect((await authorize(new Browser(), request.url, true)).searchParams.get("code")).toBeTruthy();
  });

  it("counts registrations per address: the 31st in five minutes is refused with 429", async () => {
    const ip = randomIp();
    for (let i = 0; i < 30; i++) expect((await register(publicClient([loopback(8123)]), ip)).status).toBe(201);
    const refused = await register(publicClient([loopback(8123)]), ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(refused.body.error).toBe("temporarily_unavailable");
    expect((await register(publicClient([loopback(8123)]))).status).toBe(201);
  }, 60_000);
});

describe("redirect URIs on loopback: any port only for public native clients (RFC 8252)", () => {
  it("lets a public native client use any port of its loopback redirect URI", async () => {
    const native = await addClient("--name", "Desktop App", "--redirect-uri", loopback(4000), "--public");
    expect(await redirectAccepted(native.client_id, loopback(4000))).toBe(true);
    expect(await redirectAccepted(native.client_id, loopback(51234))).toBe(true);
    expect(await redirectAccepted(native.client_id, "http://127.0.0.1:51234/elsewhere")).toBe(false);

    const registered = await register(publicClient([loopback(4000)], { application_type: "native" }));
    expect(registered.status).toBe(201);
    expect(await redirectAccepted(registered.body.client_id, loopback(51234))).toBe(true);
  });

  it("matches exactly, port included, for every other client", async () => {
    const confidential = await addClient("--name", "Local Web App", "--redirect-uri", loopback(4000));
    expect(await redirectAccepted(confidential.client_id, loopback(4000))).toBe(true);
    expect(await redirectAccepted(confidential.client_id, loopback(4001))).toBe(false);

    const registeredWeb = await register(publicClient([loopback(4000)]));
    expect(registeredWeb.body.application_type).toBe("web");
    expect(await redirectAccepted(registeredWeb.body.client_id, loopback(4000))).toBe(true);
    expect(await redirectAccepted(registeredWeb.body.client_id, loopback(4001))).toBe(false);
  });
});

describe("without OAUTH_DYNAMIC_REGISTRATION (a server of its own, the defaults)", () => {
  let server: AppServer | undefined;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(inject("databaseKind"));
    server = await startAppServer({ ...testSecrets(), DATABASE_URL: database.url, SMTP_URL: inject("smtpUrl"), MAIL_FROM: "defaults@example.test", LOG_LEVEL: "warn" });
  });

  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("has no registration endpoint", async () => {
    const doc = (await (await fetch(`${server!.url}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(doc.issuer).toBe(server!.url);
    expect(doc).not.toHaveProperty("registration_endpoint");
    const res = await fetch(`${server!.url}/oauth/reg`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(publicClient([loopback(8123)])) });
    expect(res.status).toBe(404);
  });
});
