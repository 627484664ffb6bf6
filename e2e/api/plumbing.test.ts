import { describe, expect, it } from "vitest";
import { api, baseUrl } from "./client";

describe("health", () => {
  it("reports the database as reachable", async () => {
    const res = await api("GET", "/healthz");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: "ok", db: "ok", success: true, errors: {} });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("echoes a well-formed X-Request-Id and replaces a malformed one", async () => {
    const ok = await api("GET", "/healthz", { headers: { "x-request-id": "trace-1234567" } });
    expect(ok.headers.get("x-request-id")).toBe("trace-1234567");
    const bad = await api("GET", "/healthz", { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(bad.headers.get("x-request-id")).not.toContain(" ");
  });
});

describe("unknown paths and methods under /auth", () => {
  for (const path of ["/auth/no-such-endpoint", "/auth/no-such-endpoint/", "/auth/a/b/c", "/auth/123/extra/"]) {
    it(`answers ${path} with a JSON 404`, async () => {
      const res = await api("POST", path, { json: {} });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ success: false, errors: { errors: ["Not found."] } });
    });
  }

  it("answers a wrong method with a JSON 405 and Allow", async () => {
    const res = await api("DELETE", "/healthz");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect(res.body).toEqual({ success: false, errors: { errors: ['Method "DELETE" not allowed.'] } });
  });

  it("answers a trailing-slash path directly, never with a redirect", async () => {
    const res = await fetch(`${baseUrl()}/healthz/`, { redirect: "manual" });
    expect(res.status).toBe(200);
  });
});

describe("OPTIONS", () => {
  it("names only the methods an endpoint serves", async () => {
    const res = await fetch(`${baseUrl()}/auth/login/`, { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expect(res.headers.get("allow")).toBe("POST, OPTIONS");
    const user = await fetch(`${baseUrl()}/auth/7/`, { method: "OPTIONS" });
    expect(user.headers.get("allow")).toBe("GET, PUT, OPTIONS");
  });

  it("is a JSON 404 on unknown paths", async () => {
    const res = await api("OPTIONS", "/auth/no-such-endpoint");
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ success: false, errors: { errors: ["Not found."] } });
  });
});
