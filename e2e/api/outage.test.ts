import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../../scripts/postgres-cluster.mjs";
import { startAppServer, testSecrets, type AppServer } from "../support/app-server";
import { api as apiOf } from "./client";
import { STRONG_PASSWORD, uniqueEmail } from "./helpers";

/**
 * A database outage, on a PostgreSQL cluster of this test's own: stopped (connections refused),
 * then frozen (connections accepted, never answered). Every endpoint and page must answer within
 * 2 s — 503 with Retry-After and the envelope where it needs the database — and the service must
 * recover by itself once the database is back. The figures are printed for the reliability notes.
 */

const SERVICE_UNAVAILABLE = { errors: ["Service temporarily unavailable"] };
let pg: ThrowawayPostgres | undefined;
let server: AppServer | undefined;
let tokens: { access_token: string; refresh: string };
const email = uniqueEmail("outage");

const api = (method: string, path: string, options: Parameters<typeof apiOf>[2] = {}) => apiOf(method, path, { ...options, baseUrl: server!.url });

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** Every endpoint that needs the database, with what its failures carry besides the envelope. */
const NEEDS_DATABASE: Array<[string, string, Record<string, unknown>, Record<string, unknown>]> = [
  ["POST", "/auth/login/", { email: "someone@example.test", password: STRONG_PASSWORD }, { is_verified: false, tokens: {} }],
  ["POST", "/auth/", { name: "A", dob: "1990-01-12", email: "new@example.test", password: STRONG_PASSWORD, mobile: "76765757" }, {}],
  ["POST", "/auth/register/", { email: "new2@example.test", password: STRONG_PASSWORD }, { tokens: {} }],
  ["POST", "/auth/verify/otp/", { email: "x@example.test", otp: "1234" }, {}],
  ["POST", "/auth/resend/otp/", { email: "x@example.test" }, { otp: 0 }],
  ["POST", "/auth/generate-link", { email: "x@example.test", request_type: 3 }, {}],
  ["POST", "/auth/token/refresh/", { refresh: "A".repeat(43) }, {}],
  ["POST", "/auth/logout/", { refresh: "A".repeat(43) }, {}],
];

async function expectOutageAnswers(label: string): Promise<number> {
  let slowest = 0;
  for (const [method, path, json, failure] of NEEDS_DATABASE) {
    const { ms, value: res } = await timed(() => api(method, path, { json }));
    slowest = Math.max(slowest, ms);
    expect(ms, `${label} ${path}`).toBeLessThan(2000);
    expect(res.status, `${label} ${path}: ${res.text}`).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(res.body).toEqual({ success: false, errors: SERVICE_UNAVAILABLE, ...failure });
  }
  // The session check of an access token needs the database too.
  const me = await timed(() => api("GET", "/auth/me/", { headers: { authorization: `Bearer ${tokens.access_token}` } }));
  expect(me.ms).toBeLessThan(2000);
  expect(me.value.status).toBe(503);
  for (const probe of ["/healthz", "/readyz"]) {
    const { ms, value } = await timed(() => api("GET", probe));
    expect(ms, probe).toBeLessThan(2000);
    expect(value.status, probe).toBe(503);
    expect(value.body.success).toBe(false);
  }
  expect((await api("GET", "/livez")).status).toBe(200);
  // Pages: never a 500, and a page that needs the database says 503.
  for (const page of ["/login", "/signup", "/verify", "/forgot-password", "/profile", "/confirm?token=x", "/reset-password?token=x"]) {
    const { ms, value } = await timed(() => fetch(`${server!.url}${page}`, { redirect: "manual" }));
    slowest = Math.max(slowest, ms);
    expect(ms, `${label} ${page}`).toBeLessThan(2000);
    expect([200, 303, 307, 503], `${label} ${page}: ${value.status}`).toContain(value.status);
  }
  return slowest;
}

async function timeToRecover(): Promise<number> {
  const started = performance.now();
  for (;;) {
    const res = await api("GET", "/healthz").catch(() => null);
    if (res?.status === 200) return performance.now() - started;
    if (performance.now() - started > 30_000) throw new Error("the service did not recover within 30 s");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(inject("databaseKind") !== "postgres")("a PostgreSQL outage", () => {
  beforeAll(async () => {
    pg = await startThrowawayPostgres();
    server = await startAppServer({ ...testSecrets(), DATABASE_URL: pg.url, SMTP_URL: inject("smtpUrl"), TRUST_PROXY: "true", LOG_LEVEL: "warn" });
    const res = await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } });
    expect(res.status, res.text).toBe(200);
    tokens = res.body.tokens;
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
    pg?.stop();
  });

  it("is answered within 2 s with 503 while the server is stopped, and heals by itself when it is back", async () => {
    pg!.halt();
    const slowest = await expectOutageAnswers("stopped");
    pg!.start();
    const recovery = await timeToRecover();
    expect((await api("POST", "/auth/login/", { json: { email, password: STRONG_PASSWORD } })).status).toBe(200);
    console.log(`outage (stopped): slowest answer ${Math.round(slowest)} ms; healthy again ${Math.round(recovery)} ms after the restart`);
  }, 60_000);

  it("is answered within 2 s with 503 while the server accepts connections but never answers", async () => {
    pg!.freeze();
    let slowest = 0;
    try {
      slowest = await expectOutageAnswers("frozen");
    } finally {
      pg!.thaw();
    }
    const recovery = await timeToRecover();
    expect((await api("POST", "/auth/login/", { json: { email, password: STRONG_PASSWORD } })).status).toBe(200);
    expect((await api("GET", "/auth/me/", { headers: { authorization: `Bearer ${tokens.access_token}` } })).status).toBe(200);
    console.log(`outage (frozen): slowest answer ${Math.round(slowest)} ms; healthy again ${Math.round(recovery)} ms after it thawed`);
  }, 90_000);
});
