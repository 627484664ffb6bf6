import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { describe, expect, inject, it } from "vitest";
import { api, randomIp } from "./client";

/**
 * The JSON API is answered by its entry (lib/api/entry.ts) without Next.js's router (server.mjs,
 * lib/http/api-router.mjs, ADR 008). The rest of the HTTP suite checks the answers; this file checks
 * that the suite's server really answered them that way, and what only that path does.
 */

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
  it("is on in the suite's server: it serves every declared endpoint", async () => {
    const started = readFileSync(inject("logFile"), "utf8")
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg?: string; apiEndpoints?: number })
      .find((line) => line.msg === "started");
    // The declarations, as the OpenAPI document lists them: one operation each.
    const doc = (await api("GET", "/auth/openapi.json")).body as { paths: Record<string, object> };
    const operations = Object.values(doc.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(started?.apiEndpoints).toBe(operations);
    // Next.js's router would add its own Vary (rsc, next-router-state-tree, …).
    expect((await api("GET", "/auth/me/")).headers.get("vary")).toBe("Accept-Encoding");
  });

  it("leaves an odd path to Next.js, whose route hands it to the same entry", async () => {
    const res = await api("GET", "/auth/passkeys/a%2Db/");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("DELETE");
    expect(res.headers.get("vary")).toMatch(/rsc/);
    expect(res.headers.get("x-request-id")).toBeTruthy();
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
