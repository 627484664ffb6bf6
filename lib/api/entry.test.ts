import { describe, expect, it } from "vitest";
import { answer, isApiPath } from "./entry";

// None of these requests reaches a service: they are settled by the path and the method alone.
const ask = (method: string, url: string) => answer(new Request(`http://localhost${url}`, { method, headers: { "x-request-id": "entry-test" } }));

describe("the API entry", () => {
  it("answers an unknown path under /auth with a JSON 404, whatever the method", async () => {
    for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]) {
      for (const url of ["/auth/login/more", "/auth/1/2/3", "/auth/not-a-user-id/", "/auth/passkeys/not%20an%20id/"]) {
        const res = await ask(method, url);
        expect(res.status, `${method} ${url}`).toBe(404);
        if (method !== "OPTIONS") expect(await res.json()).toMatchObject({ success: false });
        expect(res.headers.get("x-request-id")).toBe("entry-test");
      }
    }
  });

  it("answers another method with a JSON 405 naming the declared ones", async () => {
    const res = await ask("POST", "/auth/me");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, DELETE");
    expect(await res.json()).toMatchObject({ success: false });
    expect((await ask("GET", "/auth/42/x")).status).toBe(404);
    expect((await ask("DELETE", "/auth/42")).headers.get("allow")).toBe("GET, PUT");
  });

  it("answers OPTIONS with the declared methods", async () => {
    for (const url of ["/auth/me", "/auth/me/"]) {
      const res = await ask("OPTIONS", url);
      expect(res.status).toBe(204);
      expect(res.headers.get("allow")).toBe("GET, DELETE, OPTIONS");
    }
    expect((await ask("OPTIONS", "/auth/passkeys/abc_-1/")).headers.get("allow")).toBe("DELETE, OPTIONS");
  });

  it("answers HEAD as GET", async () => {
    const res = await ask("HEAD", "/livez");
    expect(res.status).toBe(200);
  });

  it("owns everything under /auth and the service's declared paths, nothing else", () => {
    for (const p of ["/auth", "/auth/", "/auth/anything/at/all", "/healthz", "/metrics/", "/.well-known/jwks.json"]) expect(isApiPath(p), p).toBe(true);
    for (const p of ["/", "/login", "/api/auth/session", "/authx", "/healthz/x", "/.well-known/other"]) expect(isApiPath(p), p).toBe(false);
  });
});
