import { describe, expect, it } from "vitest";
import { pathMatcher } from "./path-matcher";

const match = pathMatcher(["/auth/", "/auth/login", "/auth/me/", "/auth/{user_id}/", "/auth/passkeys/", "/auth/passkeys/{id}/", "/auth/passkeys/login/", "/healthz"]);

describe("pathMatcher", () => {
  it("answers a declared path with and without its trailing slash", () => {
    for (const p of ["/auth/login", "/auth/login/"]) expect(match(p)).toEqual({ path: "/auth/login", params: {} });
    for (const p of ["/auth/me", "/auth/me/"]) expect(match(p)).toEqual({ path: "/auth/me/", params: {} });
    for (const p of ["/auth", "/auth/"]) expect(match(p)).toEqual({ path: "/auth/", params: {} });
    expect(match("/healthz/")).toEqual({ path: "/healthz", params: {} });
  });

  it("names parameters as the declaration does, decoded", () => {
    expect(match("/auth/42/")).toEqual({ path: "/auth/{user_id}/", params: { user_id: "42" } });
    expect(match("/auth/passkeys/a%2Db")).toEqual({ path: "/auth/passkeys/{id}/", params: { id: "a-b" } });
    // Any segment fits a parameter; the declaration's params() decides whether it names something.
    expect(match("/auth/nothing-here")).toEqual({ path: "/auth/{user_id}/", params: { user_id: "nothing-here" } });
  });

  it("matches literals as sent: an encoded one is a parameter's value", () => {
    expect(match("/auth/log%69n")).toEqual({ path: "/auth/{user_id}/", params: { user_id: "login" } });
    expect(match("/auth/passkeys/log%69n")).toEqual({ path: "/auth/passkeys/{id}/", params: { id: "login" } });
  });

  it("prefers a literal segment to a parameter", () => {
    expect(match("/auth/me")?.path).toBe("/auth/me/");
    expect(match("/auth/passkeys")?.path).toBe("/auth/passkeys/");
    expect(match("/auth/passkeys/login")?.path).toBe("/auth/passkeys/login/");
    expect(match("/auth/passkeys/other")?.path).toBe("/auth/passkeys/{id}/");
  });

  it("matches nothing else", () => {
    for (const p of ["/auth/login/x", "/auth/1/2", "/auth//login", "/auth/passkeys/%E0%A4%A", "/healthz/x", "/", "", "auth/login", "/authx", "/auth/passkeys/log%69n/x"]) {
      expect(match(p), p).toBeNull();
    }
  });
});
