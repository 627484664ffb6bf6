import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, inject, it } from "vitest";
import { api } from "./client";

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
});
