import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, testSecrets, type AppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { freePort } from "../support/ports";
import { api as apiOf } from "./client";

/**
 * How a production server starts, and refuses to: a configuration that would fail every request
 * (a signing key it cannot read) or put secrets on the wire in clear text (an http:// APP_URL that
 * is not this host) stops it at start with a message, instead of a server that looks healthy.
 */

const root = path.resolve(import.meta.dirname, "../..");

/** Starts `node server.mjs` expecting it to exit; its exit code and everything it printed. */
async function startExpectingExit(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      NEXT_TELEMETRY_DISABLED: "1",
      DATA_DIR: mkdtempSync(path.join(tmpdir(), "auth-posture-")),
      SMTP_URL: inject("smtpUrl"),
      ...testSecrets(),
      APP_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: `file:${path.join(mkdtempSync(path.join(tmpdir(), "auth-posture-db-")), "auth.db")}`,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  return { code, output };
}

describe("a production server refuses to start", () => {
  it("with a signing key it cannot read, naming the problem (not later, with a 500 on every login)", async () => {
    const { code, output } = await startExpectingExit({ JWT_PRIVATE_KEY: "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----" });
    expect(code).toBe(1);
    expect(output).toMatch(/JWT_PRIVATE_KEY is not a readable private key/);
    expect(output).not.toMatch(/not a key/);
  });

  it("with an RSA key (only Ed25519 and P-256 sign access tokens)", async () => {
    const { generateKeyPairSync } = await import("node:crypto");
    const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const { code, output } = await startExpectingExit({ JWT_PRIVATE_KEY: rsa });
    expect(code).toBe(1);
    expect(output).toMatch(/must be an Ed25519 or P-256 key/);
  });

  it("with an http:// APP_URL whose host is not this machine", async () => {
    const { code, output } = await startExpectingExit({ APP_URL: "http://auth.example.test" });
    expect(code).toBe(1);
    expect(output).toMatch(/APP_URL must be an https:\/\/ URL in production/);
  });
});

const METRICS_TOKEN = "a-scraper-token-of-some-length";

describe("a production server behind https", () => {
  let server: AppServer | undefined;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    database = await createTestDatabase(inject("databaseKind"));
    server = await startAppServer({
      ...testSecrets(),
      DATABASE_URL: database.url,
      SMTP_URL: inject("smtpUrl"),
      APP_URL: "https://auth.example.test",
      LOG_LEVEL: "warn",
      METRICS_TOKEN: METRICS_TOKEN,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await database?.drop();
  });

  it("tells browsers to use nothing but https (HSTS), on API answers and pages alike", async () => {
    for (const p of ["/healthz", "/auth/me/", "/login"]) {
      const res = await fetch(`${server!.url}${p}`, { redirect: "manual" });
      expect(res.headers.get("strict-transport-security"), p).toBe("max-age=31536000; includeSubDomains");
    }
  });

  it("serves Prometheus metrics only to the holder of METRICS_TOKEN", async () => {
    const url = `${server!.url}/metrics`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: { authorization: "Bearer not-the-token-at-all!" } })).status).toBe(401);
    await apiOf("POST", "/auth/login/", { json: { email: "nobody@example.test", password: "a wrong password" }, baseUrl: server!.url });
    // An encoded path goes through Next.js's route; one registry counts both ways in.
    await apiOf("GET", "/auth/passkeys/a%2Db/", { baseUrl: server!.url });
    const res = await fetch(url, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    for (const name of [
      "auth_http_requests_total",
      "auth_http_request_duration_seconds_bucket",
      "auth_logins_total",
      "auth_rate_limited_total",
      "auth_mail_outbox_pending",
      "auth_mail_outbox_oldest_pending_age_seconds",
      "auth_mail_send_failures_total",
      "auth_password_hash_queue_length",
      "process_resident_memory_bytes",
    ]) {
      expect(text, name).toContain(name);
    }
    expect(text).toMatch(/auth_http_requests_total\{endpoint="\/auth\/login",method="POST",status="400"\} 1/);
    expect(text).toMatch(/auth_logins_total\{outcome="unknown_email"\} 1/);
    expect(text).toMatch(/auth_http_requests_total\{endpoint="\/auth\/passkeys\/\{id\}\/",method="GET",status="405"\} 1/);
  });

  it("has no dev mailbox", async () => {
    const res = await apiOf("GET", "/dev/mailbox.json", { baseUrl: server!.url });
    expect(res.status).toBe(404);
    expect((await fetch(`${server!.url}/dev/mailbox`)).status).toBe(404);
  });
});

describe("a production server on http://127.0.0.1 (the suite's own)", () => {
  it("has no /metrics without METRICS_TOKEN", async () => {
    expect((await fetch(`${inject("baseUrl")}/metrics`)).status).toBe(404);
  });

  it("sends no HSTS: it is not behind https", async () => {
    const res = await fetch(`${inject("baseUrl")}/healthz`);
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });
});
