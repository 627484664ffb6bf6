import { randomUUID } from "node:crypto";
import { generateKeyPair, importJWK, SignJWT, type JWTPayload } from "jose";
import { describe, expect, inject, it } from "vitest";
import { api } from "./client";
import { authHeader, codeIn, confirmTokenIn, resetTokenIn, STRONG_PASSWORD, uniqueEmail, waitForMail } from "./helpers";

/**
 * VASITUM's Google register and login against the real server. The server trusts a local OpenID
 * issuer (global-setup: oauth2-mock-server) and fetches its discovery document and keys over HTTP,
 * as it would Google's; tests sign id_tokens with that issuer's key, so every claim is theirs to set.
 */

const REGISTER = "/auth/register/google/";
const LOGIN = "/auth/login/google/";
const INVALID = ["The Token is invalid or has expired"];

const issuer = () => inject("googleIssuerUrl");
const [WEB, ANDROID, IOS] = inject("googleClientIds") as [string, string, string];
const signingKey = inject("googleSigningKey");

interface Identity {
  sub: string;
  email: string;
}
const newIdentity = (): Identity => ({ sub: randomUUID().replace(/-/g, ""), email: uniqueEmail("google") });

/** An id_token as Google issues it, for `identity`; `claims` overrides (undefined removes a claim). */
async function idToken(identity: Identity, claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const t = Math.floor(Date.now() / 1000);
  const all: Record<string, unknown> = {
    iss: issuer(),
    aud: WEB,
    azp: WEB,
    sub: identity.sub,
    email: identity.email,
    email_verified: true,
    name: "Google Person",
    iat: t,
    exp: t + 3600,
    ...claims,
  };
  const payload = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)) as JWTPayload;
  const key = await importJWK(signingKey, "RS256");
  return new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: signingKey.kid, typ: "JWT", ...header }).sign(key);
}

const me = (accessToken: string) => api("GET", "/auth/me/", { headers: { authorization: `Bearer ${accessToken}` } });

function expectTokens(res: { status: number; body: Record<string, any> }) {
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toEqual({
    success: true,
    errors: {},
    tokens: { access_token: expect.any(String), refresh: expect.any(String) },
  });
}

function expectFailure(res: { status: number; body: Record<string, any> }, messages: string[]) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body).toEqual({ success: false, errors: { auth_token: messages }, tokens: {} });
}

async function passwordAccount(email: string) {
  const res = await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } });
  expect(res.status, res.text).toBe(200);
  return res.body.tokens as { access_token: string; refresh: string };
}

describe("POST /auth/register/google/", () => {
  it("creates a verified account named from the token and answers with tokens", async () => {
    const identity = newIdentity();
    const res = await api("POST", REGISTER, { json: { auth_token: await idToken(identity, { email: identity.email.toUpperCase() }) } });
    expectTokens(res);
    const user = (await me(res.body.tokens.access_token)).body.user;
    expect(user).toMatchObject({ email: identity.email, name: "Google Person", is_verified: true });
  });

  it("accepts each configured audience (web, Android, iOS) and the path without a trailing slash", async () => {
    for (const aud of [WEB, ANDROID, IOS]) {
      const res = await api("POST", "/auth/register/google", { json: { auth_token: await idToken(newIdentity(), { aud, azp: aud }) } });
      expectTokens(res);
    }
  });

  it("refuses a Google identity that is already registered", async () => {
    const identity = newIdentity();
    expectTokens(await api("POST", REGISTER, { json: { auth_token: await idToken(identity) } }));
    const again = await api("POST", REGISTER, { json: { auth_token: await idToken(identity) } });
    expectFailure(again, [`${identity.email} is already register with us`]);
  });

  it("refuses an e-mail that a password account already has", async () => {
    const identity = newIdentity();
    await passwordAccount(identity.email);
    const res = await api("POST", REGISTER, { json: { auth_token: await idToken(identity) } });
    expectFailure(res, [`${identity.email} is already register with us`]);
  });

  it("refuses a bad token", async () => {
    const res = await api("POST", REGISTER, { json: { auth_token: await idToken(newIdentity(), { aud: "someone-else" }) } });
    expectFailure(res, INVALID);
  });

  it("requires auth_token", async () => {
    expectFailure(await api("POST", REGISTER, { json: {} }), ["This field is required."]);
    expectFailure(await api("POST", REGISTER, { json: { auth_token: "" } }), ["This field may not be blank."]);
  });
});

describe("POST /auth/login/google/", () => {
  it("signs in a Google-registered account", async () => {
    const identity = newIdentity();
    const registered = await api("POST", REGISTER, { json: { auth_token: await idToken(identity) } });
    expectTokens(registered);
    const res = await api("POST", "/auth/login/google", { json: { auth_token: await idToken(identity, { aud: IOS, azp: IOS }) } });
    expectTokens(res);
    const [a, b] = await Promise.all([me(registered.body.tokens.access_token), me(res.body.tokens.access_token)]);
    expect(b.body.user.userid).toBe(a.body.user.userid);
    expect(b.body.user.is_verified).toBe(true);
  });

  it("finds the account by Google subject, even after the Google address changed", async () => {
    const identity = newIdentity();
    const registered = await api("POST", REGISTER, { json: { auth_token: await idToken(identity) } });
    expectTokens(registered);
    const res = await api("POST", LOGIN, { json: { auth_token: await idToken(identity, { email: uniqueEmail("renamed") }) } });
    expectTokens(res);
    expect((await me(res.body.tokens.access_token)).body.user.email).toBe(identity.email);
  });

  it("refuses an address nobody registered", async () => {
    const identity = newIdentity();
    const res = await api("POST", LOGIN, { json: { auth_token: await idToken(identity) } });
    expectFailure(res, [`${identity.email} is not register with us. Kindly share the verified email.`]);
  });

  it("verifies an unverified password account it links, and removes everything its unproven owner set up", async () => {
    // Someone registers the victim's address with a password of their own and never verifies it.
    const identity = newIdentity();
    const attacker = await passwordAccount(identity.email);
    const verification = await waitForMail(identity.email);
    expect((await me(attacker.access_token)).body.user.is_verified).toBe(false);

    // The owner later signs in with Google.
    const res = await api("POST", LOGIN, { json: { auth_token: await idToken(identity) } });
    expectTokens(res);
    expect((await me(res.body.tokens.access_token)).body.user).toMatchObject({ email: identity.email, is_verified: true });

    // The password never proved the address: it is gone, and with it every way in it opened.
    const password = await api("POST", "/auth/login/", { json: { email: identity.email, password: STRONG_PASSWORD } });
    expect(password.status, password.text).toBe(400);
    expect(password.body.errors.email).toEqual(["E-mail doesn't exists"]);
    expect((await api("POST", "/auth/token/refresh/", { json: { refresh: attacker.refresh } })).status).toBe(401);
    expect((await me(attacker.access_token)).status).toBe(401);
    const code = await api("POST", "/auth/verify/otp/", { json: { email: identity.email, otp: codeIn(verification) } });
    expect(code.body.errors).toEqual({ otp: ["OTP has expired"] });
    const link = await api("POST", "/auth/confirm-user", { headers: authHeader(confirmTokenIn(verification)!, "Token") });
    expect(link.status).toBe(400);

    // The owner is told, and can set a password of their own through a reset link.
    const notice = await waitForMail(identity.email, 2);
    expect(notice.subject).toMatch(/confirmed through Google/);
    expect(notice.text).toMatch(/it was removed/);
    expect(notice.text).toMatch(/^When: \w+ \d{1,2}, \d{4} at \d{1,2}:\d{2}\s[AP]M \(UTC\)$/m);
    expect((await api("POST", "/auth/generate-link", { json: { email: identity.email, request_type: 3 } })).status).toBe(200);
    const setPassword = await waitForMail(identity.email, 3);
    expect(setPassword.subject).toMatch(/Set a password/);
    const reset = await api("POST", "/auth/reset-password", {
      headers: authHeader(resetTokenIn(setPassword)!, "Token"),
      json: { password: "the owner's own passphrase" },
    });
    expect(reset.status, reset.text).toBe(200);
    expect((await api("POST", "/auth/login/", { json: { email: identity.email, password: "the owner's own passphrase" } })).status).toBe(200);

    // Linked now: the Google identity is found directly from here on.
    expectTokens(await api("POST", LOGIN, { json: { auth_token: await idToken(identity) } }));
  });

  it("links a verified password account with the same e-mail (Google has verified the address), and says so", async () => {
    const identity = newIdentity();
    await passwordAccount(identity.email);
    const code = codeIn(await waitForMail(identity.email));
    expect((await api("POST", "/auth/verify/otp/", { json: { email: identity.email, otp: code } })).status).toBe(200);
    const first = await api("POST", LOGIN, { json: { auth_token: await idToken(identity) } });
    expectTokens(first);
    // The owner proved the address before: the password stays.
    expect((await api("POST", "/auth/login/", { json: { email: identity.email, password: STRONG_PASSWORD } })).status).toBe(200);
    const notice = await waitForMail(identity.email, 2);
    expect(notice.subject).toMatch(/Google sign-in was added/);
    expect(notice.text).toContain(identity.email);
    // A second Google sign-in keeps working and a Google register is refused.
    expectTokens(await api("POST", LOGIN, { json: { auth_token: await idToken(identity) } }));
    expectFailure(await api("POST", REGISTER, { json: { auth_token: await idToken(identity) } }), [
      `${identity.email} is already register with us`,
    ]);
  });

  it("refuses a second Google identity claiming an address that is linked to another one", async () => {
    const identity = newIdentity();
    expectTokens(await api("POST", REGISTER, { json: { auth_token: await idToken(identity) } }));
    const recycled = { sub: newIdentity().sub, email: identity.email };
    const res = await api("POST", LOGIN, { json: { auth_token: await idToken(recycled) } });
    expectFailure(res, [`${identity.email} is already register with us`]);
  });

  it("requires auth_token", async () => {
    expectFailure(await api("POST", LOGIN, { json: {} }), ["This field is required."]);
  });
});

describe("concurrent Google requests", () => {
  it("registers an identity once when registers race", async () => {
    const token = await idToken(newIdentity());
    const results = await Promise.all(Array.from({ length: 5 }, () => api("POST", REGISTER, { json: { auth_token: token } })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 400, 400, 400, 400]);
  });

  it("links an identity once when sign-ins race, and every one of them succeeds", async () => {
    const identity = newIdentity();
    await passwordAccount(identity.email);
    const token = await idToken(identity);
    const results = await Promise.all(Array.from({ length: 5 }, () => api("POST", LOGIN, { json: { auth_token: token } })));
    results.forEach(expectTokens);
    const ids = await Promise.all(results.map(async (r) => (await me(r.body.tokens.access_token)).body.user.userid));
    expect(new Set(ids).size).toBe(1);
  });
});

describe("bad Google tokens answer 400 on auth_token", () => {
  const t = () => Math.floor(Date.now() / 1000);
  const cases: Array<[string, () => Promise<string>]> = [
    ["expired", () => idToken(newIdentity(), { iat: t() - 7200, exp: t() - 3600 })],
    ["not valid yet", () => idToken(newIdentity(), { nbf: t() + 600 })],
    ["another client's audience", () => idToken(newIdentity(), { aud: "someone-else", azp: "someone-else" })],
    ["another issuer", () => idToken(newIdentity(), { iss: "https://accounts.google.com" })],
    ["an unverified Google e-mail", () => idToken(newIdentity(), { email_verified: false })],
    ["no e-mail", () => idToken(newIdentity(), { email: undefined })],
    ["no subject", () => idToken(newIdentity(), { sub: undefined })],
    [
      "a key the issuer does not publish",
      async () => {
        const { privateKey } = await generateKeyPair("RS256");
        const now = t();
        return new SignJWT({ iss: issuer(), aud: WEB, sub: "1", email: uniqueEmail(), email_verified: true, iat: now, exp: now + 3600 })
          .setProtectedHeader({ alg: "RS256", kid: "not-published" })
          .sign(privateKey);
      },
    ],
    [
      "a tampered payload",
      async () => {
        const [header, , signature] = (await idToken(newIdentity())).split(".");
        const forged = Buffer.from(JSON.stringify({ iss: issuer(), aud: WEB, sub: "1", email: uniqueEmail(), email_verified: true, iat: t(), exp: t() + 3600 })).toString("base64url");
        return `${header}.${forged}.${signature}`;
      },
    ],
    [
      'alg "none"',
      async () => {
        const [, payload] = (await idToken(newIdentity())).split(".");
        return `${Buffer.from(JSON.stringify({ alg: "none", kid: signingKey.kid })).toString("base64url")}.${payload}.`;
      },
    ],
    ["not a JWT at all", async () => "definitely-not-a-jwt"],
  ];

  for (const [what, token] of cases) {
    it(`${what}`, async () => {
      expectFailure(await api("POST", LOGIN, { json: { auth_token: await token() } }), INVALID);
    });
  }
});
