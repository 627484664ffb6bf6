import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, testSecrets, type AppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { api as apiOf, randomIp } from "./client";
import { authHeader, codeIn, confirmTokenIn, mailsTo, setClockOffset, STRONG_PASSWORD, uniqueEmail, waitForMail } from "./helpers";

/**
 * Two instances on one database, as behind a load balancer: every single-use thing stays single
 * use whichever instance a request reaches, limits count requests to both, and each queued mail is
 * sent once although both instances run a sender.
 */

let database: TestDatabase | undefined;
let a: AppServer | undefined;
let b: AppServer | undefined;

beforeAll(async () => {
  database = await createTestDatabase(inject("databaseKind"));
  // One public address for both, as behind a load balancer: tokens name it as their issuer.
  const env = { ...testSecrets(), APP_URL: "http://127.0.0.1", DATABASE_URL: database.url, SMTP_URL: inject("smtpUrl"), TRUST_PROXY: "true", LOG_LEVEL: "warn", AUTH_TEST_CLOCK_FILE: inject("clockFile") };
  [a, b] = await Promise.all([startAppServer(env), startAppServer(env)]);
}, 120_000);

afterAll(async () => {
  setClockOffset(0);
  await Promise.all([a?.stop(), b?.stop()]);
  await database?.drop();
});

const on = (server: AppServer) => (method: string, path: string, options: Parameters<typeof apiOf>[2] = {}) => apiOf(method, path, { ...options, baseUrl: server.url });
const alternate = (i: number) => on(i % 2 === 0 ? a! : b!);

async function registered() {
  const email = uniqueEmail("two");
  const res = await on(a!)("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } });
  expect(res.status, res.text).toBe(200);
  return { email, tokens: res.body.tokens as { access_token: string; refresh: string }, mail: await waitForMail(email) };
}

describe("two instances on one database", () => {
  it("verify with a code exactly once, 20 concurrent requests spread over both", async () => {
    const { email, mail } = await registered();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => alternate(i)("POST", "/auth/verify/otp/", { json: { email, otp: codeIn(mail) } })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it("confirm with a link exactly once, 20 concurrent requests spread over both", async () => {
    const { mail } = await registered();
    const token = confirmTokenIn(mail)!;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => alternate(i)("POST", "/auth/confirm-user", { headers: authHeader(token, "Token") })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
  });

  it("see a refresh token's reuse on one instance after its rotation on the other", async () => {
    const { tokens } = await registered();
    const rotated = await on(a!)("POST", "/auth/token/refresh/", { json: { refresh: tokens.refresh } });
    expect(rotated.status).toBe(200);
    setClockOffset(11_000);
    try {
      expect((await on(b!)("POST", "/auth/token/refresh/", { json: { refresh: tokens.refresh } })).status).toBe(401);
      // The session ended for both instances.
      expect((await on(a!)("POST", "/auth/token/refresh/", { json: { refresh: rotated.body.tokens.refresh } })).status).toBe(401);
    } finally {
      setClockOffset(0);
    }
  });

  it("end a session on both when it is ended on one", async () => {
    const { tokens } = await registered();
    expect((await on(b!)("GET", "/auth/me/", { headers: authHeader(tokens.access_token) })).status).toBe(200);
    expect((await on(a!)("POST", "/auth/logout/", { json: { refresh: tokens.refresh } })).status).toBe(200);
    expect((await on(b!)("GET", "/auth/me/", { headers: authHeader(tokens.access_token) })).status).toBe(401);
  });

  it("count a client's requests to both against one limit", async () => {
    const ip = randomIp();
    const attempt = (i: number) => alternate(i)("POST", "/auth/login/", { json: { email: uniqueEmail("nobody"), password: STRONG_PASSWORD }, headers: { "x-forwarded-for": ip } });
    const first = await Promise.all(Array.from({ length: 30 }, (_, i) => attempt(i)));
    expect(first.map((r) => r.status)).toEqual(Array(30).fill(400));
    expect((await attempt(0)).status).toBe(429);
    expect((await attempt(1)).status).toBe(429);
  });

  it("send each queued mail once, though both run a sender", async () => {
    const emails = Array.from({ length: 30 }, () => uniqueEmail("once"));
    await Promise.all(emails.map((email, i) => alternate(i)("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } })));
    await Promise.all(emails.map((email) => waitForMail(email)));
    // A moment for any second copy to arrive.
    await new Promise((r) => setTimeout(r, 1500));
    const counts = await Promise.all(emails.map(async (email) => (await mailsTo(email)).length));
    expect(counts).toEqual(Array(30).fill(1));
  });
});
