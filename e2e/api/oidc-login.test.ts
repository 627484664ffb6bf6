import * as oidc from "openid-client";
import { beforeAll, describe, expect, it } from "vitest";
import { baseUrl } from "./client";
import { actionId, execSql, postFormAction, registeredVerifiedUser, serverClock, twoFactorUser } from "./helpers";
import { addClient, authorizationRequest, Browser, configFor, REDIRECT_URI } from "./oidc-support";

/**
 * The provider's login side (ADR 015, issue 22): its session is this service's browser session,
 * the ID token says how and when that session was last proven (auth_time, amr, acr), and an app's
 * prompt=none, prompt=login, max_age and login_hint go through this service's own login page and
 * its fresh-proof rule. openid-client is the relying party; the browser is fetch with a cookie jar.
 */

const SFA = "https://refeds.org/profile/sfa";
const MFA = "https://refeds.org/profile/mfa";
const clock = serverClock();

let firstParty: { client_id: string; client_secret?: string };
let thirdParty: { client_id: string; client_secret?: string };

beforeAll(async () => {
  firstParty = await addClient("--name", "Our Own App", "--redirect-uri", REDIRECT_URI, "--first-party");
  thirdParty = await addClient("--name", "Example Planner", "--redirect-uri", REDIRECT_URI);
}, 60_000);

const seconds = (at = Date.now()) => Math.floor(at / 1000);

/** Waits into the next whole second: `auth_time` counts seconds, so a proof and a request in one second cannot be told apart. */
const nextSecond = () => new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 50));

/** A browser signed in on /login. */
async function signedInBrowser(user: { email: string; password: string }) {
  const browser = new Browser();
  expect(await browser.signIn(user.email, user.password, "/profile")).toBe("/profile");
  return browser;
}

/** An authorization request (`prompt: ""` sends none) that ends at the app's redirect URI without any page: its tokens. */
async function silently(browser: Browser, config: oidc.Configuration, extra: Record<string, string> = {}) {
  const request = await authorizationRequest(config, { prompt: "none", scope: "openid email profile", ...extra });
  const url = new URL(request.url);
  for (const [name, value] of [...url.searchParams]) if (value === "") url.searchParams.delete(name);
  const back = await browser.follow(url.href);
  expect(back.url.startsWith(`${REDIRECT_URI}?`), `ended at ${back.url}`).toBe(true);
  return oidc.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
}

/** The login page's second step, as its form posts it. */
async function secondStep(browser: Browser, code: string, next: string): Promise<string | null> {
  const res = await postFormAction("/login/two-factor", "secondStepCodeAction", { code, next }, { cookie: browser.cookie("/login/two-factor"), "x-forwarded-for": browser.ip });
  browser.keep(res);
  return res.headers.get("x-action-redirect")?.split(";")[0] ?? null;
}

/** The header's Sign out button: a server action without fields. */
async function signOut(browser: Browser) {
  const out = await fetch(`${baseUrl()}/profile`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: baseUrl(), accept: "text/x-component", "next-action": actionId("signOutAction"), "content-type": "text/plain;charset=UTF-8", cookie: browser.cookie("/profile"), "x-forwarded-for": browser.ip },
    body: "[]",
  });
  browser.keep(out);
  expect(browser.cookie("/profile")).not.toContain("next-auth.session-token");
}

describe("discovery", () => {
  it("lists every claim and the acr values", async () => {
    const doc = (await (await fetch(`${baseUrl()}/.well-known/openid-configuration`)).json()) as Record<string, string[]>;
    expect(doc.claims_supported).toEqual(expect.arrayContaining(["sub", "email", "email_verified", "name", "birthdate", "auth_time", "amr", "acr"]));
    expect(doc.acr_values_supported).toEqual([SFA, MFA]);
  });
});

describe("the ID token's claims", () => {
  it("always carries auth_time (the sign-in's time), amr and acr; birthdate under profile when the account has one", async () => {
    const user = await registeredVerifiedUser();
    await execSql(`UPDATE "User" SET "dob" = $1 WHERE "id" = $2`, ["1990-01-12", user.userId]);
    const before = seconds();
    const browser = await signedInBrowser(user);
    const after = seconds();
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    const request = await authorizationRequest(config);
    const back = await browser.follow(request.url);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: String(user.userId), email: user.email, email_verified: true, birthdate: "1990-01-12", amr: ["pwd"], acr: SFA });
    expect(claims.auth_time).toBeGreaterThanOrEqual(before);
    expect(claims.auth_time).toBeLessThanOrEqual(after);

    // openid alone: still auth_time, amr and acr; nothing of the profile.
    const bare = await silently(browser, config, { scope: "openid" });
    expect(bare.claims()).toMatchObject({ auth_time: claims.auth_time, amr: ["pwd"], acr: SFA });
    expect(bare.claims()).not.toHaveProperty("birthdate");
    expect(bare.claims()).not.toHaveProperty("email");
  });

  it("leaves birthdate out for an account without one", async () => {
    const user = await registeredVerifiedUser();
    const browser = await signedInBrowser(user);
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    const request = await authorizationRequest(config);
    const back = await browser.follow(request.url);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    expect(tokens.claims()).not.toHaveProperty("birthdate");
    expect(await oidc.fetchUserInfo(config, tokens.access_token, String(user.userId))).not.toHaveProperty("birthdate");
  });
});

describe("prompt=none", () => {
  it("answers a signed-out browser with login_required at the app's redirect URI", async () => {
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    const request = await authorizationRequest(config, { prompt: "none" });
    const back = await new Browser().follow(request.url);
    const answer = new URL(back.url);
    expect(`${answer.origin}${answer.pathname}`).toBe(REDIRECT_URI);
    expect(answer.searchParams.get("error")).toBe("login_required");
    expect(answer.searchParams.get("state")).toBe(request.state);
    expect(answer.searchParams.get("iss")).toBe(baseUrl());
  });

  it("takes a browser signed in on /login as signed in, even on its first request (it is the consent that is missing, not the login)", async () => {
    const user = await registeredVerifiedUser();
    const browser = await signedInBrowser(user);
    const config = await configFor(thirdParty.client_id, thirdParty.client_secret);
    const request = await authorizationRequest(config, { prompt: "none" });
    const back = await browser.follow(request.url);
    expect(new URL(back.url).searchParams.get("error")).toBe("consent_required");
  });

  it("gives a first-party app a code with prompt=none on its very first request (it is never asked for consent)", async () => {
    const user = await registeredVerifiedUser();
    const browser = await signedInBrowser(user);
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    const tokens = await silently(browser, config);
    expect(tokens.claims()).toMatchObject({ sub: String(user.userId), email: user.email });
  });

  it("gives a signed-in browser a code without any page, and an ID token that follows the browser session's latest proof", async () => {
    const user = await registeredVerifiedUser();
    const browser = await signedInBrowser(user);
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    // The first request grants the first-party app what it asks (no page either).
    const first = await silently(browser, config, { prompt: "" });
    await nextSecond();
    // Signing in again on this browser renews its session's proof: the next ID token says so.
    const before = seconds();
    expect(await browser.signIn(user.email, user.password, "/profile")).toBe("/profile");
    const again = await silently(browser, config);
    expect(again.claims()!.auth_time).toBeGreaterThanOrEqual(before);
    expect(again.claims()!.auth_time).toBeGreaterThan(first.claims()!.auth_time!);
    expect(again.claims()).toMatchObject({ sub: String(user.userId), amr: ["pwd"], acr: SFA });
  });

  it("stops working once the browser signs out here", async () => {
    const user = await registeredVerifiedUser();
    const browser = await signedInBrowser(user);
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    await silently(browser, config, { prompt: "" });
    await signOut(browser);
    const request = await authorizationRequest(config, { prompt: "none" });
    const back = await browser.follow(request.url);
    expect(new URL(back.url).searchParams.get("error")).toBe("login_required");
  });
});

describe("the fresh-proof rule: max_age and prompt=login", () => {
  it("asks a browser whose proof is older than max_age to sign in again on /login, then gives an auth_time after the request", async () => {
    const user = await registeredVerifiedUser();
    const browser = await signedInBrowser(user);
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    await silently(browser, config, { prompt: "" });
    // A max_age the proof still meets: no page.
    await silently(browser, config, { prompt: "", max_age: "3600" });

    await new Promise((resolve) => setTimeout(resolve, 2100));
    const requestedAt = seconds();
    const request = await authorizationRequest(config, { max_age: "1" });
    const url = new URL(request.url);
    url.searchParams.delete("prompt");
    const toLogin = await browser.follow(url.href);
    const login = new URL(toLogin.url);
    expect(login.pathname).toBe("/login");
    expect(login.searchParams.get("prompt")).toBe("login");
    expect(login.searchParams.get("email")).toBe(user.email);
    const interaction = login.searchParams.get("next")!;
    expect(interaction).toMatch(/^\/oauth\/interaction\/[A-Za-z0-9_-]+$/);
    // The login page shows its form to the signed-in visitor, with the address filled in.
    const page = await toLogin.res!.text();
    expect(page).toContain("sign in again to continue");
    expect(page).toContain(`value="${user.email}"`);

    expect(await browser.signIn(user.email, user.password, interaction)).toBe(interaction);
    const back = await browser.follow(interaction);
    expect(back.url.startsWith(`${REDIRECT_URI}?`), `ended at ${back.url}`).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce, maxAge: 1 });
    expect(tokens.claims()!.auth_time).toBeGreaterThanOrEqual(requestedAt);
  });

  it("asks a signed-in browser to sign in again for prompt=login, however fresh its proof, and not twice", async () => {
    const user = await registeredVerifiedUser();
    const browser = await signedInBrowser(user);
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    await silently(browser, config, { prompt: "" });
    await nextSecond();

    const requestedAt = seconds();
    const request = await authorizationRequest(config, { prompt: "login" });
    const toLogin = await browser.follow(request.url);
    const login = new URL(toLogin.url);
    expect(login.pathname).toBe("/login");
    expect(login.searchParams.get("prompt")).toBe("login");
    const interaction = login.searchParams.get("next")!;
    // Coming back without signing in again gets the same page.
    expect(new URL((await browser.follow(interaction)).url).pathname).toBe("/login");

    expect(await browser.signIn(user.email, user.password, interaction)).toBe(interaction);
    const back = await browser.follow(interaction);
    expect(back.url.startsWith(`${REDIRECT_URI}?`), `ended at ${back.url}`).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    expect(tokens.claims()!.auth_time).toBeGreaterThanOrEqual(requestedAt);

    // Signed in again on the same browser session: the browser keeps one session, not two.
    const sessions = await execSql<{ n: number | string }>(`SELECT COUNT(*) AS n FROM "Session" WHERE "userId" = $1 AND "kind" = 'browser' AND "revokedAt" IS NULL`, [user.userId]);
    expect(Number(sessions[0]!.n)).toBe(1);
  });
});

describe("a request the signed-in account cannot answer", () => {
  it("gets login_required for an id_token_hint of another account (OpenID Connect Core 3.1.2.1); one of the account signing in is fine", async () => {
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    const someone = await registeredVerifiedUser();
    const theirs = await silently(await signedInBrowser(someone), config, { prompt: "" });
    const hinted = async (browser: Browser) => {
      const request = await authorizationRequest(config, { id_token_hint: theirs.id_token! });
      const url = new URL(request.url);
      url.searchParams.delete("prompt");
      return browser.follow(url.href);
    };

    const browser = await signedInBrowser(await registeredVerifiedUser());
    await silently(browser, config, { prompt: "" });
    const back = await hinted(browser);
    expect(back.url.startsWith(`${REDIRECT_URI}?`), `ended at ${back.url}`).toBe(true);
    expect(new URL(back.url).searchParams.get("error")).toBe("login_required");

    // Signed out, the person signs in as the hinted account on /login: a code.
    const signedOut = new Browser();
    const toLogin = await hinted(signedOut);
    const interaction = new URL(toLogin.url).searchParams.get("next")!;
    expect(await signedOut.signIn(someone.email, someone.password, interaction)).toBe(interaction);
    const code = await signedOut.follow(interaction);
    expect(new URL(code.url).searchParams.get("code")).toBeTruthy();
  });
});

describe("another account on the same browser", () => {
  it("signs out, and the next person's sign-in on /login gives the app that person, without the provider's own sign-out page", async () => {
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    const [first, second] = [await registeredVerifiedUser(), await registeredVerifiedUser()];
    const browser = await signedInBrowser(first);
    await silently(browser, config, { prompt: "" });
    await signOut(browser);

    const request = await authorizationRequest(config);
    const interaction = new URL((await browser.follow(request.url)).url).searchParams.get("next")!;
    expect(await browser.signIn(second.email, second.password, interaction)).toBe(interaction);
    const back = await browser.follow(interaction);
    expect(back.url.startsWith(`${REDIRECT_URI}?`), `ended at ${back.url}`).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    expect(tokens.claims()!.sub).toBe(String(second.userId));
  });
});

describe("login_hint", () => {
  it("fills the Email field of the login page", async () => {
    const config = await configFor(firstParty.client_id, firstParty.client_secret);
    const request = await authorizationRequest(config, { login_hint: "grace@example.com" });
    const toLogin = await new Browser().follow(request.url);
    const login = new URL(toLogin.url);
    expect(login.pathname).toBe("/login");
    expect(login.searchParams.get("email")).toBe("grace@example.com");
    expect(login.searchParams.has("prompt")).toBe(false);
    expect(await toLogin.res!.text()).toContain('value="grace@example.com"');
  });
});

describe("a two-factor account inside the flow", () => {
  it("goes from the password to /login/two-factor and back to the interaction, then consent, and its ID token says otp and mfa", async () => {
    const user = await twoFactorUser(clock);
    const config = await configFor(thirdParty.client_id, thirdParty.client_secret);
    const request = await authorizationRequest(config);
    const browser = new Browser();
    const interaction = new URL((await browser.follow(request.url)).url).searchParams.get("next")!;
    expect(interaction).toMatch(/^\/oauth\/interaction\/[A-Za-z0-9_-]+$/);

    const toSecondStep = await browser.signIn(user.email, user.password, interaction);
    expect(toSecondStep).toBe(`/login/two-factor?next=${encodeURIComponent(interaction)}`);
    expect(await secondStep(browser, await clock.totp(user.secret), interaction)).toBe(interaction);

    const toConsent = await browser.follow(interaction);
    expect(new URL(toConsent.url).pathname).toBe("/oauth/consent");
    const uid = new URL(toConsent.url).searchParams.get("interaction")!;
    const allowed = await browser.consent(uid, "allow");
    const back = await browser.follow(allowed.headers.get("location")!);
    expect(back.url.startsWith(`${REDIRECT_URI}?`), `ended at ${back.url}`).toBe(true);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(back.url), { pkceCodeVerifier: request.verifier, expectedState: request.state, expectedNonce: request.nonce });
    expect(tokens.claims()).toMatchObject({ sub: String(user.userId), amr: ["pwd", "otp", "mfa"], acr: MFA });
    expect(typeof tokens.claims()!.auth_time).toBe("number");
  });
});
