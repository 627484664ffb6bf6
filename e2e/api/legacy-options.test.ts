import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, testSecrets, type AppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { api as apiOf } from "./client";
import { codeIn, execSql, STRONG_PASSWORD, uniqueEmail, waitForMail } from "./helpers";

/**
 * The legacy switches of the contract, on a second server of their own: AUTH_EXPOSE_OTP (the
 * documented `otp` in responses), AUTH_CLIENT_TOKENS (VASITUM's `Authorization: Token <client token>`
 * required and checked), AUTH_GENERIC_ERRORS (one answer for every failed login) and strict refresh
 * rotation (REFRESH_REUSE_INTERVAL_SECONDS=0). Its database
 * being its own, the last test breaks it to see how an unexpected failure is answered.
 */

const CLIENT_TOKENS = ["client-one", "client-two"];
const CLIENT = { authorization: `Token ${CLIENT_TOKENS[1]}` };

let server: AppServer | undefined;
let database: TestDatabase | undefined;
// This server's own clock (lib/clock.ts), so moving it does not disturb the suite's server.
const clockFile = path.join(mkdtempSync(path.join(tmpdir(), "auth-legacy-clock-")), "offset");
const setClock = (ms: number) => writeFileSync(clockFile, String(ms));

const api = (method: string, path: string, options: Parameters<typeof apiOf>[2] = {}) =>
  apiOf(method, path, { ...options, baseUrl: server!.url });

beforeAll(async () => {
  database = await createTestDatabase(inject("databaseKind"));
  server = await startAppServer({
    ...testSecrets(),
    DATABASE_URL: database.url,
    SMTP_URL: inject("smtpUrl"),
    MAIL_FROM: "legacy@example.test",
    TRUST_PROXY: "true",
    LOG_LEVEL: "warn",
    AUTH_EXPOSE_OTP: "true",
    AUTH_CLIENT_TOKENS: CLIENT_TOKENS.join(","),
    AUTH_GENERIC_ERRORS: "true",
    REFRESH_REUSE_INTERVAL_SECONDS: "0",
    AUTH_TEST_CLOCK_FILE: clockFile,
  });
});

afterEach(() => setClock(0));

afterAll(async () => {
  await server?.stop();
  await database?.drop();
});

describe("AUTH_CLIENT_TOKENS", () => {
  it.each([
    ["/auth/register/", { email: "someone@example.test", password: STRONG_PASSWORD }, { tokens: {} }],
    ["/auth/register/google/", { auth_token: "x" }, { tokens: {} }],
    ["/auth/login/google/", { auth_token: "x" }, { tokens: {} }],
    ["/auth/resend/otp/", { email: "someone@example.test" }, { otp: 0 }],
  ])("%s requires one of the client tokens (401 without, or with another)", async (path, body, extra) => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: "Token not-a-client" }, { authorization: "Token" }];
    for (const headers of attempts) {
      const res = await api("POST", path, { json: body, headers });
      expect(res.status, res.text).toBe(401);
      expect(res.body).toEqual({ success: false, errors: { errors: [expect.any(String)] }, ...extra });
    }
  });

  it("accepts either configured token, as Token or Bearer", async () => {
    for (const authorization of [`Token ${CLIENT_TOKENS[0]}`, `Bearer ${CLIENT_TOKENS[1]}`]) {
      const res = await api("POST", "/auth/register/", { json: { email: uniqueEmail("client"), password: STRONG_PASSWORD }, headers: { authorization } });
      expect(res.status, res.text).toBe(200);
    }
  });

  it("is not asked for on the Django service's endpoints and the merged login", async () => {
    const email = uniqueEmail("django");
    const signup = await api("POST", "/auth/", { json: { name: "D", dob: "1990-01-01", email, password: STRONG_PASSWORD, mobile: "123456" } });
    expect(signup.status, signup.text).toBe(201);
    expect((await api("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } })).status).toBe(200);
    expect((await api("POST", "/auth/generate-link", { json: { email, request_type: 3 } })).status).toBe(200);
  });
});

describe("AUTH_EXPOSE_OTP", () => {
  it("puts the e-mailed code in register, login and resend answers as a number", async () => {
    const email = uniqueEmail("expose");
    const reg = await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD }, headers: CLIENT });
    expect(reg.status, reg.text).toBe(200);
    expect(reg.body).toEqual({ success: true, errors: {}, tokens: { access_token: expect.any(String), refresh: expect.any(String) }, otp: expect.any(Number) });
    expect(reg.body.otp).toBe(Number(codeIn(await waitForMail(email))));

    // Within 60 s of the register mail no new code is sent: the login answers, and the code stays.
    const login = await api("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.is_verified).toBe(false);

    // The exposed code verifies, also as the number it was shown as.
    const verified = await api("POST", "/auth/verify/otp/", { json: { email, otp: reg.body.otp } });
    expect(verified.status, verified.text).toBe(200);
  });

  it("puts the new code in the resend answer and in a later login's", async () => {
    const email = uniqueEmail("expose-resend");
    expect((await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD }, headers: CLIENT })).status).toBe(200);
    await waitForMail(email);
    setClock(61_000);
    const resent = await api("POST", "/auth/resend/otp/", { json: { email }, headers: CLIENT });
    expect(resent.status, resent.text).toBe(200);
    expect(resent.body).toEqual({ success: true, errors: {}, otp: expect.any(Number) });
    expect(resent.body.otp).toBe(Number(codeIn(await waitForMail(email, 2))));

    setClock(122_000);
    const login = await api("POST", "/auth/login", { json: { email, password: STRONG_PASSWORD } });
    expect(login.body.otp).toBe(Number(codeIn(await waitForMail(email, 3))));
  });

  it("answers a refused resend with otp: 0", async () => {
    const res = await api("POST", "/auth/resend/otp/", { json: { email: uniqueEmail("nobody") }, headers: CLIENT });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, otp: 0, errors: { email: ["Enter a valid email address."] } });
  });
});

describe("AUTH_GENERIC_ERRORS", () => {
  it("answers an unknown e-mail and a wrong password identically", async () => {
    const email = uniqueEmail("generic");
    expect((await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD }, headers: CLIENT })).status).toBe(200);
    const wrong = await api("POST", "/auth/login", { json: { email, password: "not the password" } });
    const unknown = await api("POST", "/auth/login", { json: { email: uniqueEmail("nobody"), password: "not the password" } });
    expect(wrong.status).toBe(400);
    expect(unknown.status).toBe(400);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.body).toMatchObject({
      success: false,
      is_verified: false,
      tokens: {},
      errors: { description: "Invaild Email / Password. Try again" },
    });
  });
});

describe("AUTH_GENERIC_ERRORS and the failed-login wait", () => {
  it("makes an unknown address and a real account wait identically after 10 failures", async () => {
    const real = uniqueEmail("generic");
    expect((await api("POST", "/auth/register/", { json: { email: real, password: STRONG_PASSWORD }, headers: CLIENT })).status).toBe(200);
    const bodies: unknown[] = [];
    for (const email of [real, uniqueEmail("nobody")]) {
      const from = { "x-forwarded-for": `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}` };
      for (let i = 0; i < 10; i++) expect((await api("POST", "/auth/login", { json: { email, password: `wrong ${i}` }, headers: from })).status).toBe(400);
      const limited = await api("POST", "/auth/login", { json: { email, password: "wrong again" }, headers: from });
      expect(limited.status).toBe(429);
      bodies.push(limited.body);
    }
    expect(bodies[0]).toEqual(bodies[1]);
  });
});

describe("REFRESH_REUSE_INTERVAL_SECONDS=0", () => {
  async function session() {
    const email = uniqueEmail("strict");
    const res = await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD }, headers: CLIENT });
    return res.body.tokens as { access_token: string; refresh: string };
  }
  const refresh = (token: string) => api("POST", "/auth/token/refresh/", { json: { refresh: token } });

  it("treats any second use of a refresh token as reuse and ends the session", async () => {
    const tokens = await session();
    const rotated = await refresh(tokens.refresh);
    expect(rotated.status).toBe(200);
    expect((await refresh(tokens.refresh)).status).toBe(401);
    expect((await refresh(rotated.body.tokens.refresh)).status).toBe(401);
  });

  it("lets at most one of 10 concurrent refreshes with one token win, and then ends the session", async () => {
    const tokens = await session();
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(tokens.refresh)));
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 401)).toBe(true);
    for (const r of results.filter((r) => r.status === 200)) expect((await refresh(r.body.tokens.refresh)).status).toBe(401);
  });
});

describe("an unexpected failure", () => {
  it("answers 500 in the envelope with a request id the log carries, and no internals", async () => {
    await execSql(`ALTER TABLE "RateLimit" RENAME TO "RateLimitGone"`, [], { url: database!.url, kind: inject("databaseKind") });
    const res = await api("POST", "/auth/register/", { json: { email: uniqueEmail("broken"), password: STRONG_PASSWORD }, headers: CLIENT });
    expect(res.status, res.text).toBe(500);
    expect(res.body).toEqual({ success: false, errors: { errors: ["Internal server error"] }, tokens: {} });
    expect(res.text).not.toMatch(/prisma|sql|RateLimit|stack|\bat\b/i);
    const requestId = res.headers.get("x-request-id");
    expect(requestId).toBeTruthy();

    const deadline = Date.now() + 5000;
    let line: string | undefined;
    while (!line && Date.now() < deadline) {
      line = readFileSync(server!.logFile, "utf8").split("\n").find((l) => l.includes(requestId!) && l.includes('"level":"error"'));
      if (!line) await new Promise((r) => setTimeout(r, 50));
    }
    expect(line, "an error line with the request id").toBeDefined();
    expect(JSON.parse(line!)).toMatchObject({ level: "error", requestId, path: "/auth/register/" });
  });
});
