import { connect, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startAppServer, testSecrets, type AppServer } from "../support/app-server";
import { createTestDatabase, type TestDatabase } from "../support/database";
import { api as apiOf } from "./client";
import { execSql, STRONG_PASSWORD, uniqueEmail, waitForMail } from "./helpers";

/**
 * Graceful shutdown (SIGTERM, as an orchestrator sends it): no new connections, in-flight
 * requests answered, and mail this instance had claimed but could not send handed back at once, so
 * another instance sends it without waiting for the claim to lapse (two minutes).
 */

let database: TestDatabase | undefined;
let blackHole: Server | undefined;
const held: Socket[] = [];

beforeAll(async () => {
  database = await createTestDatabase(inject("databaseKind"));
  // An SMTP relay that accepts connections and never says a word: every send hangs.
  blackHole = createServer((socket) => held.push(socket));
  await new Promise<void>((resolve) => blackHole!.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  for (const s of held) s.destroy();
  blackHole?.close();
  await database?.drop();
});

const blackHoleUrl = () => `smtp://127.0.0.1:${(blackHole!.address() as { port: number }).port}`;
const start = (smtpUrl: string) =>
  startAppServer({ ...testSecrets(), DATABASE_URL: database!.url, SMTP_URL: smtpUrl, TRUST_PROXY: "true", LOG_LEVEL: "warn" });

/** Sends the head and half the body of a login, so the request is in flight until `finish`. */
function halfSentLogin(url: string): Promise<{ finish: () => Promise<string> }> {
  const { port } = new URL(url);
  const body = JSON.stringify({ email: "nobody@example.test", password: STRONG_PASSWORD });
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => {
      socket.write(`POST /auth/login/ HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body.slice(0, 10));
      let answer = "";
      socket.on("data", (chunk) => (answer += chunk));
      resolve({
        finish: () =>
          new Promise((done) => {
            socket.on("close", () => done(answer));
            socket.write(body.slice(10));
          }),
      });
    });
    socket.on("error", reject);
  });
}

describe("SIGTERM", () => {
  it("answers the request in flight, refuses new connections, and hands back the mail it could not send", async () => {
    const first: AppServer = await start(blackHoleUrl());
    const email = uniqueEmail("handback");
    expect((await apiOf("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD }, baseUrl: first.url })).status).toBe(200);
    // The verification mail is claimed by this instance and stuck on the silent relay.
    await expect.poll(async () => (await execSql<{ lockedUntil: unknown }>(`SELECT "lockedUntil" FROM "OutboxEmail" WHERE "to" = $1`, [email], database!))[0]?.lockedUntil ?? null).not.toBeNull();

    const inFlight = await halfSentLogin(first.url);
    const stopped = first.stop("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    // No new connections once shutting down.
    await expect(fetch(`${first.url}/livez`)).rejects.toThrow();
    // The request that was under way still gets its answer.
    const answer = await inFlight.finish();
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toContain("E-mail doesn't exists");
    await stopped;

    const [row] = await execSql<{ status: string; lockedUntil: unknown; attempts: number }>(
      `SELECT "status", "lockedUntil", "attempts" FROM "OutboxEmail" WHERE "to" = $1`,
      [email],
      database!,
    );
    expect(row).toMatchObject({ status: "pending", lockedUntil: null, attempts: 0 });

    // Another instance sends it at once.
    const second = await start(inject("smtpUrl"));
    try {
      const started = Date.now();
      await waitForMail(email, 1, 10_000);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await second.stop();
    }
  }, 60_000);
});
