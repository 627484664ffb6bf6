import { describe, expect, inject, it } from "vitest";
import { startAppServer, testSecrets } from "../support/app-server";
import { createTestDatabase } from "../support/database";
import { randomIp } from "./client";
import { STRONG_PASSWORD, uniqueEmail } from "./helpers";

// No acknowledged write is lost when the process dies without warning: a stream of
// registrations, SIGKILL mid-stream, restart, every 200 still there (on SQLite, whose file the
// process itself writes, and on PostgreSQL).
describe("SIGKILL during a stream of writes", () => {
  it("keeps every registration the server acknowledged", async () => {
    const database = await createTestDatabase(inject("databaseKind"));
    const env = { ...testSecrets(), DATABASE_URL: database.url, SMTP_URL: "smtp://127.0.0.1:9", TRUST_PROXY: "true", LOG_LEVEL: "warn" };
    let server = await startAppServer(env);
    const acknowledged: string[] = [];
    let stop = false;

    const register = async (email: string) => {
      try {
        const res = await fetch(`${server.url}/auth/register/`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": randomIp() },
          body: JSON.stringify({ email, password: STRONG_PASSWORD }),
        });
        if (res.status === 200) acknowledged.push(email);
      } catch {
        // The connection died with the server: not acknowledged, so not counted.
      }
    };
    const writer = async () => {
      while (!stop) await register(uniqueEmail("durable"));
    };
    const writers = [writer(), writer(), writer(), writer()];
    // Kill at a random moment once the stream is well under way (how fast depends on the machine).
    const deadline = Date.now() + 60_000;
    while (acknowledged.length < 10 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, Math.random() * 300));
    await server.stop("SIGKILL");
    stop = true;
    await Promise.all(writers);
    expect(acknowledged.length).toBeGreaterThanOrEqual(10);

    server = await startAppServer(env);
    try {
      const missing: string[] = [];
      for (const email of acknowledged) {
        const res = await fetch(`${server.url}/auth/login`, {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": randomIp() },
          body: JSON.stringify({ email, password: STRONG_PASSWORD }),
        });
        if (res.status !== 200) missing.push(email);
      }
      expect(missing).toEqual([]);
    } finally {
      await server.stop();
      await database.drop();
    }
  }, 120_000);
});
