import { spawn } from "node:child_process";
import { pbkdf2Sync, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, testSecrets, type AppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { api as apiOf, randomIp } from "./client";
import { STRONG_PASSWORD, uniqueEmail } from "./helpers";

/**
 * Several processes on one embedded database file: two servers (a second `npm start` by mistake)
 * and an import running while they serve. SQLite lets one writer in at a time; transactions take
 * the write lock when they begin and wait for it, so nobody sees SQLITE_BUSY as a 500.
 */

let database: TestDatabase | undefined;
let servers: AppServer[] = [];
const secrets = testSecrets();

beforeAll(async () => {
  if (inject("databaseKind") !== "sqlite") return;
  database = await createTestDatabase("sqlite");
  const env = { ...secrets, DATABASE_URL: database.url, SMTP_URL: inject("smtpUrl"), TRUST_PROXY: "true", LOG_LEVEL: "warn" };
  servers = [await startAppServer(env), await startAppServer(env)];
}, 120_000);

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  await database?.drop();
});

/** A mixed write load on one server: registrations, then logins and refreshes of those accounts. */
async function load(server: AppServer, accounts: number): Promise<number[]> {
  const statuses: number[] = [];
  const api = (method: string, p: string, json: unknown) => apiOf(method, p, { json, baseUrl: server.url, headers: { "x-forwarded-for": randomIp() } });
  await Promise.all(
    Array.from({ length: accounts }, async () => {
      const email = uniqueEmail("sqlite-proc");
      const reg = await api("POST", "/auth/register/", { email, password: STRONG_PASSWORD });
      statuses.push(reg.status);
      const login = await api("POST", "/auth/login/", { email, password: STRONG_PASSWORD });
      statuses.push(login.status);
      if (login.status === 200) statuses.push((await api("POST", "/auth/token/refresh/", { refresh: login.body.tokens.refresh })).status);
      statuses.push((await api("POST", "/auth/login/", { email, password: "wrong password" })).status);
    }),
  );
  return statuses;
}

function runImport(file: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ["node_modules/tsx/dist/cli.mjs", "scripts/users-import.ts", file], {
    cwd: path.resolve(import.meta.dirname, "../.."),
    env: { ...process.env, ...secrets, DATABASE_URL: database!.url, NODE_ENV: "production", SMTP_URL: inject("smtpUrl"), LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (c) => (output += c));
  child.stderr.on("data", (c) => (output += c));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

describe.skipIf(inject("databaseKind") !== "sqlite")("two servers and an import on one SQLite file", () => {
  it("answer a concurrent write load on both, with an import running, and never a 5xx", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "auth-import-"));
    const file = path.join(dir, "users.json");
    const hash = (pw: string) => {
      const salt = randomBytes(8).toString("hex");
      return `pbkdf2_sha256$1000$${salt}$${pbkdf2Sync(pw, salt, 1000, 32, "sha256").toString("base64")}`;
    };
    writeFileSync(file, JSON.stringify(Array.from({ length: 150 }, (_, i) => ({ email: `imported-${i}-${randomBytes(3).toString("hex")}@example.test`, password: hash("imported pw"), is_verified: true }))));

    const [a, b, imported] = await Promise.all([load(servers[0]!, 25), load(servers[1]!, 25), runImport(file)]);
    const all = [...a, ...b];
    expect(all.filter((s) => s >= 500), `statuses: ${JSON.stringify(all)}`).toEqual([]);
    expect(all.filter((s) => s === 200).length).toBeGreaterThanOrEqual(100);
    expect(imported.code, imported.output).toBe(0);
    expect(imported.output).toMatch(/150 created/);
  }, 120_000);
});
