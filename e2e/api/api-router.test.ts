import { readdirSync, readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { api, randomIp } from "./client";

/**
 * The JSON API is served by its route handlers without Next.js's router (server.mjs,
 * lib/http/api-router.mjs, ADR 008). The rest of the HTTP suite checks the answers; this file checks
 * that the suite's server really answered them that way, and what only that path does.
 */

const root = path.resolve(import.meta.dirname, "../..");

/** The app's route files outside app/api (next-auth) and app/dev (the development mailbox). */
function apiRouteFiles(dir = path.join(root, "app")): number {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (dir.endsWith("/app") && (entry.name === "api" || entry.name === "dev")) continue;
      count += apiRouteFiles(full);
    } else if (entry.name === "route.ts") count++;
  }
  return count;
}

/** A POST whose body is sent in `chunks` without a declared length (chunked encoding). */
function postChunked(path: string, chunks: string[]): Promise<{ status: number; body: Record<string, any> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, inject("baseUrl")), {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-for": randomIp() },
    });
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (text += chunk));
      res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) as Record<string, any> }));
    });
    req.on("error", reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe("the JSON API outside Next.js's router", () => {
  it("is on in the suite's server: every API route module was loaded", () => {
    const listening = readFileSync(inject("logFile"), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg?: string; apiRoutes?: number })
      .find((line) => line.msg === "listening");
    expect(listening?.apiRoutes).toBe(apiRouteFiles());
  });

  it("gzips bodies of 1 KiB or more for a client that accepts it, and says it varies by Accept-Encoding", async () => {
    const doc = await fetch(new URL("/auth/openapi.json", inject("baseUrl")), { headers: { "accept-encoding": "gzip" } });
    expect(doc.status).toBe(200);
    expect(doc.headers.get("content-encoding")).toBe("gzip");
    expect(doc.headers.get("vary")).toMatch(/Accept-Encoding/);
    expect((await doc.json()) as object).toHaveProperty("paths");
    const small = await api("GET", "/livez");
    expect(small.status).toBe(200);
    expect(small.headers.get("content-encoding")).toBeNull();
  });

  it("reads a body sent in pieces without a length whole, and answers one past 64 KiB with 413", async () => {
    const body = JSON.stringify({ email: "nobody@example.com", password: "not the password" });
    const pieces = [body.slice(0, 5), body.slice(5, 20), body.slice(20)];
    const login = await postChunked("/auth/login/", pieces);
    expect(login.status).toBe(400);
    expect(login.body).toMatchObject({ success: false, errors: { email: expect.any(Array) } });

    const big = Array.from({ length: 70 }, () => "x".repeat(1024));
    const tooLarge = await postChunked("/auth/login/", ['{"email":"', ...big, '"}']);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ success: false });
  });

  it("goes on serving when a client leaves in the middle of its body", async () => {
    await new Promise<void>((resolve) => {
      const req = httpRequest(new URL("/auth/login/", inject("baseUrl")), { method: "POST", headers: { "content-type": "application/json", "content-length": "1000" } });
      req.on("error", () => resolve());
      req.write('{"email":"', () => setTimeout(() => (req.destroy(), resolve()), 50));
    });
    expect((await api("GET", "/livez")).status).toBe(200);
  });
});
