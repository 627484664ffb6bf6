import { generateKeyPair, SignJWT, type JSONWebKeySet } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { api, baseUrl } from "./client";
import {
  authHeader,
  codeIn,
  confirmTokenIn,
  execSql,
  jwtPayload,
  registeredVerifiedUser,
  resetTokenIn,
  setClockOffset,
  STRONG_PASSWORD,
  uniqueEmail,
  waitForMail,
} from "./helpers";

/** Access tokens on `GET /auth/me/`, refresh rotation with reuse detection, logout. */

const REFRESH_INVALID = { success: false, errors: { refresh: ["Token is invalid or expired"] } };
const TOKENS = { access_token: expect.any(String), refresh: expect.any(String) };

const refresh = (token: unknown, path = "/auth/token/refresh/") => api("POST", path, { json: { refresh: token } });
const logout = (token: unknown, path = "/auth/logout/") => api("POST", path, { json: { refresh: token } });
const me = (headers: Record<string, string>) => api("GET", "/auth/me/", { headers });

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

async function serverJwks(): Promise<JSONWebKeySet> {
  return (await (await fetch(`${baseUrl()}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
}

function expectUnauthorized(res: { status: number; body: Record<string, any>; headers: Headers }) {
  expect(res.status, JSON.stringify(res.body)).toBe(401);
  expect(res.body).toEqual({ success: false, errors: { errors: [expect.any(String)] } });
}

afterEach(() => setClockOffset(0));

describe("POST /auth/token/refresh/", () => {
  it("rotates: a new pair, the new refresh token differs and works", async () => {
    const { tokens } = await registeredVerifiedUser();
    const res = await refresh(tokens.refresh);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ success: true, errors: {}, tokens: TOKENS });
    expect(res.body.tokens.refresh).not.toBe(tokens.refresh);
    expect(res.body.tokens.access_token).not.toBe(tokens.access_token);
    expect((await me(authHeader(res.body.tokens.access_token))).status).toBe(200);
    expect((await refresh(res.body.tokens.refresh)).status).toBe(200);
  });

  it("answers without the trailing slash too", async () => {
    const { tokens } = await registeredVerifiedUser();
    expect((await refresh(tokens.refresh, "/auth/token/refresh")).status).toBe(200);
  });

  it("detects reuse after the reuse interval: the spent token is refused and its whole session ends", async () => {
    const { tokens } = await registeredVerifiedUser();
    const rotated = await refresh(tokens.refresh);
    expect(rotated.status).toBe(200);

    setClockOffset(11_000);
    const reused = await refresh(tokens.refresh);
    expect(reused.status).toBe(401);
    expect(reused.body).toEqual(REFRESH_INVALID);
    // The thief's or the client's fresh tokens die with the session, access token included.
    const successor = await refresh(rotated.body.tokens.refresh);
    expect(successor.status).toBe(401);
    expect(successor.body).toEqual(REFRESH_INVALID);
    expectUnauthorized(await me(authHeader(rotated.body.tokens.access_token)));
  });

  it("keeps the session when a token comes again within REFRESH_REUSE_INTERVAL_SECONDS (a retry, a second tab)", async () => {
    const { tokens } = await registeredVerifiedUser();
    const first = await refresh(tokens.refresh);
    setClockOffset(9_000);
    const again = await refresh(tokens.refresh);
    expect(again.status, again.text).toBe(200);
    expect(again.body.tokens.refresh).not.toBe(first.body.tokens.refresh);
    // Both pairs are live branches of the one session.
    expect((await me(authHeader(first.body.tokens.access_token))).status).toBe(200);
    expect((await refresh(first.body.tokens.refresh)).status).toBe(200);
    expect((await refresh(again.body.tokens.refresh)).status).toBe(200);
  });

  it("lets two tabs that refresh at once both stay signed in", async () => {
    const { tokens } = await registeredVerifiedUser();
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(tokens.refresh)));
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    const successors = await Promise.all(results.map((r) => refresh(r.body.tokens.refresh)));
    expect(successors.map((r) => r.status)).toEqual(Array(10).fill(200));
  });

  it("leaves the user's other sessions alone when one is ended by reuse", async () => {
    const user = await registeredVerifiedUser();
    const other = await api("POST", "/auth/login", { json: { email: user.email, password: user.password } });
    const rotated = await refresh(user.tokens.refresh);
    setClockOffset(11_000);
    await refresh(user.tokens.refresh);
    expect((await refresh(rotated.body.tokens.refresh)).status).toBe(401);
    expect((await refresh(other.body.tokens.refresh)).status).toBe(200);
  });

  it("ends the session SESSION_MAX_AGE_SECONDS (90 days) after its login, however often it is refreshed", async () => {
    const { tokens } = await registeredVerifiedUser();
    let current = tokens.refresh;
    for (const day of [29, 58, 87]) {
      setClockOffset(day * 24 * 3600_000);
      const res = await refresh(current);
      expect(res.status, `day ${day}`).toBe(200);
      current = res.body.tokens.refresh;
    }
    setClockOffset(90 * 24 * 3600_000 + 1000);
    expect((await refresh(current)).status).toBe(401);
  });

  it("allows 150 refreshes per 5 minutes from one address (clients behind one NAT), then 429", async () => {
    const ip = `10.200.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
    const from = () => api("POST", "/auth/token/refresh/", { json: { refresh: "A".repeat(43) }, headers: { "x-forwarded-for": ip } });
    const results = await Promise.all(Array.from({ length: 150 }, from));
    expect(results.filter((r) => r.status === 401).length).toBe(150);
    const limited = await from();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it.each([
    ["garbage", "garbage"],
    ["a well-shaped unknown token", "A".repeat(43)],
    ["an access token", null],
    ["a very long string", "x".repeat(10_000)],
  ])("refuses %s with 401", async (_label, token) => {
    const value = token ?? (await registeredVerifiedUser()).tokens.access_token;
    const res = await refresh(value);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(REFRESH_INVALID);
  });

  it("refuses a missing, blank or non-string refresh with a field error", async () => {
    const missing = await api("POST", "/auth/token/refresh/", { json: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ success: false, errors: { refresh: ["This field is required."] } });
    const blank = await refresh("");
    expect(blank.status).toBe(400);
    expect(blank.body).toEqual({ success: false, errors: { refresh: ["This field may not be blank."] } });
    for (const value of [123, ["x"], { a: 1 }, null]) {
      const res = await refresh(value);
      expect(res.status).toBe(400);
      expect(res.body.errors.refresh).toHaveLength(1);
    }
  });

  it("expires after 30 days", async () => {
    const { tokens } = await registeredVerifiedUser();
    setClockOffset(30 * 24 * 3600_000 + 1000);
    const res = await refresh(tokens.refresh);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(REFRESH_INVALID);
  });

  it("still works just before 30 days", async () => {
    const { tokens } = await registeredVerifiedUser();
    setClockOffset(30 * 24 * 3600_000 - 5000);
    expect((await refresh(tokens.refresh)).status).toBe(200);
  });
});

describe("access tokens end with their session", () => {
  const profile = (token: string, id: number) => api("GET", `/auth/${id}/`, { headers: authHeader(token) });
  const edit = (token: string, id: number) => api("PUT", `/auth/${id}/`, { headers: authHeader(token), json: { name: "Mallory" } });

  it("carry the session (sid) and audience (aud) claims", async () => {
    const { tokens } = await registeredVerifiedUser();
    const claims = jwtPayload(tokens.access_token);
    expect(claims.sid).toMatch(/^[0-9a-f-]{36}$/);
    expect(claims.aud).toBe(`${baseUrl()}/auth`);
  });

  it("stop reading and editing the profile after logout", async () => {
    const { tokens, userId } = await registeredVerifiedUser();
    expect((await profile(tokens.access_token, userId)).status).toBe(200);
    await logout(tokens.refresh);
    expectUnauthorized(await me(authHeader(tokens.access_token)));
    expectUnauthorized(await profile(tokens.access_token, userId));
    expectUnauthorized(await edit(tokens.access_token, userId));
  });

  it("stop after a password reset, every session of the account", async () => {
    const { email, tokens, userId } = await registeredVerifiedUser();
    const other = (await api("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } })).body.tokens;
    await api("POST", "/auth/generate-link", { json: { email, request_type: 3 } });
    const token = resetTokenIn(await waitForMail(email, 2));
    expect((await api("POST", "/auth/reset-password", { headers: authHeader(token!, "Token"), json: { password: "an entirely new passphrase" } })).status).toBe(200);
    for (const t of [tokens.access_token, other.access_token]) {
      expectUnauthorized(await me(authHeader(t)));
      expectUnauthorized(await edit(t, userId));
    }
  });

  it("stop for the other sessions after a password change; the changing session goes on", async () => {
    const { email, tokens } = await registeredVerifiedUser();
    const other = (await api("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } })).body.tokens;
    const changed = await api("POST", "/auth/password/change/", {
      headers: authHeader(tokens.access_token),
      json: { old_password: STRONG_PASSWORD, new_password: "an entirely new passphrase" },
    });
    expect(changed.status, changed.text).toBe(200);
    expect((await me(authHeader(tokens.access_token))).status).toBe(200);
    expectUnauthorized(await me(authHeader(other.access_token)));
    expect((await refresh(other.refresh)).status).toBe(401);
  });
});

describe("POST /auth/logout/", () => {
  it("revokes the session: refresh after logout is 401", async () => {
    const { tokens } = await registeredVerifiedUser();
    const res = await logout(tokens.refresh);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ success: true, errors: {} });
    const after = await refresh(tokens.refresh);
    expect(after.status).toBe(401);
    expect(after.body).toEqual(REFRESH_INVALID);
  });

  it("revokes the session from a rotated token's successor too", async () => {
    const { tokens } = await registeredVerifiedUser();
    const rotated = await refresh(tokens.refresh);
    expect((await logout(rotated.body.tokens.refresh)).status).toBe(200);
    expect((await refresh(rotated.body.tokens.refresh)).status).toBe(401);
  });

  it("is idempotent: twice, unknown or malformed tokens all answer 200", async () => {
    const { tokens } = await registeredVerifiedUser();
    expect((await logout(tokens.refresh)).status).toBe(200);
    expect((await logout(tokens.refresh)).body).toEqual({ success: true, errors: {} });
    expect((await logout("A".repeat(43))).status).toBe(200);
    expect((await logout("garbage")).status).toBe(200);
    expect((await logout(tokens.access_token)).status).toBe(200);
  });

  it("answers without the trailing slash too, and requires the field", async () => {
    const { tokens } = await registeredVerifiedUser();
    expect((await logout(tokens.refresh, "/auth/logout")).status).toBe(200);
    const missing = await api("POST", "/auth/logout/", { json: {} });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ success: false, errors: { refresh: ["This field is required."] } });
  });
});

describe("access tokens on GET /auth/me/", () => {
  it("accept both Token and Bearer, any case of the scheme", async () => {
    const { tokens, userId } = await registeredVerifiedUser();
    for (const authorization of [
      `Token ${tokens.access_token}`,
      `Bearer ${tokens.access_token}`,
      `bearer ${tokens.access_token}`,
      `TOKEN ${tokens.access_token}`,
    ]) {
      const res = await me({ authorization });
      expect(res.status, authorization.split(" ")[0]).toBe(200);
      expect(res.body.user.userid).toBe(userId);
    }
  });

  it("answers 401 without a token", async () => {
    const res = await me({});
    expectUnauthorized(res);
    expect(res.body.errors.errors).toEqual(["Authentication credentials were not provided."]);
  });

  it.each(["garbage", "a.b.c", "Bearer", "", "eyJhbGciOiJFZERTQSJ9.e30.", "x".repeat(8_000)])("answers 401 for the garbage token %#", async (t) => {
    expectUnauthorized(await me({ authorization: `Bearer ${t}` }));
  });

  it("refuses alg none", async () => {
    const { tokens } = await registeredVerifiedUser();
    const claims = jwtPayload(tokens.access_token);
    for (const alg of ["none", "None", "NONE"]) {
      const forged = `${b64url({ alg, typ: "JWT" })}.${b64url(claims)}.`;
      expectUnauthorized(await me(authHeader(forged)));
    }
  });

  it("refuses HS256 signed with the published public key as the secret", async () => {
    const { tokens } = await registeredVerifiedUser();
    const claims = jwtPayload(tokens.access_token);
    const jwks = await serverJwks();
    const key = jwks.keys[0]!;
    const secrets = [
      Buffer.from(key.x!, "base64url"),
      new TextEncoder().encode(key.x!),
      new TextEncoder().encode(JSON.stringify(key)),
    ];
    for (const secret of secrets) {
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT", kid: key.kid }).sign(secret);
      expectUnauthorized(await me(authHeader(forged)));
    }
  });

  it("refuses a token signed by another Ed25519 key, even with the server's kid", async () => {
    const { tokens } = await registeredVerifiedUser();
    const claims = jwtPayload(tokens.access_token);
    const { kid } = (await serverJwks()).keys[0]!;
    const { privateKey } = await generateKeyPair("EdDSA");
    const forged = await new SignJWT(claims).setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid }).sign(privateKey);
    expectUnauthorized(await me(authHeader(forged)));
  });

  it("refuses a token whose payload was changed after signing", async () => {
    const user = await registeredVerifiedUser();
    const other = await registeredVerifiedUser();
    const [header, , signature] = user.tokens.access_token.split(".");
    const claims = { ...jwtPayload(user.tokens.access_token), sub: String(other.userId), id: other.userId };
    expectUnauthorized(await me(authHeader(`${header}.${b64url(claims)}.${signature}`)));
  });

  it("expires after 15 minutes", async () => {
    const { tokens } = await registeredVerifiedUser();
    setClockOffset(14 * 60_000);
    expect((await me(authHeader(tokens.access_token))).status).toBe(200);
    setClockOffset(16 * 60_000);
    expectUnauthorized(await me(authHeader(tokens.access_token)));
  });

  it("refuses a refresh token in place of an access token", async () => {
    const { tokens } = await registeredVerifiedUser();
    expectUnauthorized(await me(authHeader(tokens.refresh)));
  });
});

describe("secrets at rest", () => {
  const TABLES = ["User", "Account", "Verification", "Session", "RefreshToken", "RateLimit", "OutboxEmail", "AuditEvent"];

  /** Every row of every table as text. */
  async function dump(): Promise<string> {
    const parts: string[] = [];
    for (const table of TABLES) parts.push(JSON.stringify(await execSql(`SELECT * FROM "${table}"`)));
    return parts.join("\n");
  }

  async function waitUntilSent(to: string) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const rows = await execSql<{ status: string }>(`SELECT "status" FROM "OutboxEmail" WHERE "to" = $1`, [to]);
      if (rows.length && rows.every((r) => r.status === "sent")) return;
      if (Date.now() > deadline) throw new Error(`mail to ${to} not marked sent`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("keeps passwords, refresh tokens, link tokens and codes only as hashes (and no mail body once sent)", async () => {
    const email = uniqueEmail("at-rest");
    const reg = await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } });
    const mail = await waitForMail(email);
    const refreshed = await refresh(reg.body.tokens.refresh);
    await api("POST", "/auth/generate-link", { json: { email, request_type: 3 } });
    const resetToken = resetTokenIn(await waitForMail(email, 2))!;
    await waitUntilSent(email);

    const text = await dump();
    for (const secret of [STRONG_PASSWORD, reg.body.tokens.refresh, refreshed.body.tokens.refresh, confirmTokenIn(mail)!, resetToken]) {
      expect(text.includes(secret), `${secret.slice(0, 8)}… is stored in clear`).toBe(false);
    }
    const outbox = await execSql<{ text: string; html: string }>(`SELECT "text", "html" FROM "OutboxEmail" WHERE "to" = $1`, [email]);
    expect(outbox).toHaveLength(2);
    for (const row of outbox) expect(row).toEqual({ text: "", html: "" });
    const code = codeIn(mail)!;
    const verifications = await execSql(`SELECT * FROM "Verification" WHERE "userId" = (SELECT "id" FROM "User" WHERE "email" = $1)`, [email]);
    for (const row of verifications) for (const value of Object.values(row)) expect(value).not.toBe(code);
  });
});
