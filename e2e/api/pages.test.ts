import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { baseUrl } from "./client";

/**
 * The browser pages (and next-auth's routes) under crafted query strings: whatever a link carries,
 * the answer is never a server error and never a redirect to another origin. Signed-in pages send
 * a signed-out visitor to the login page with a real HTTP redirect.
 */

const PAGES = [
  "/",
  "/login",
  "/signup",
  "/verify",
  "/confirm",
  "/forgot-password",
  "/reset-password",
  "/profile",
  "/admin",
  "/admin/apps",
  "/login/two-factor",
  "/confirm-email",
  "/account-deleted",
  "/api/auth/signin",
  "/api/auth/csrf",
  "/api/auth/providers",
  "/api/auth/session",
  "/api/auth/error",
  "/api/auth/signout",
  "/api/auth/callback/google",
];
const KEYS = ["error", "next", "callbackUrl", "email", "token", "reset", "signedout", "confirmed", "code", "state", "__proto__", "constructor"];
const NASTY = [
  "__proto__",
  "constructor",
  "toString",
  "hasOwnProperty",
  "foo",
  "javascript:alert(1)",
  "//evil.example",
  "https://evil.example/x",
  "/\\evil.example",
  "/%2F%2Fevil.example",
  "\t//evil.example",
  "http://[::1",
  "<script>alert(1)</script>",
  "%",
  "%E0%A4%A",
  "\u0000",
  "x".repeat(5000),
  "🔑".repeat(50),
  "1",
  "",
];

async function get(path: string): Promise<Response> {
  return fetch(`${baseUrl()}${path}`, { redirect: "manual", headers: { accept: "text/html" } });
}

function expectSameOriginIfRedirect(res: Response, path: string) {
  const location = res.headers.get("location");
  if (res.status >= 300 && res.status < 400 && location) {
    expect(new URL(location, baseUrl()).origin, `${path} → ${location}`).toBe(new URL(baseUrl()).origin);
  }
}

describe("crafted query strings on pages", () => {
  it("holds for every page with each known-nasty value in error, next and callbackUrl", async () => {
    const cases = PAGES.flatMap((page) => NASTY.flatMap((value) => ["error", "next", "callbackUrl"].map((key) => ({ page, key, value }))));
    for (const { page, key, value } of cases) {
      const path = `${page}?${encodeURIComponent(key)}=${encodeURIComponent(value)}`;
      const res = await get(path);
      expect(res.status, path).toBeLessThan(500);
      expectSameOriginIfRedirect(res, path);
    }
  }, 120_000);

  it("holds for arbitrary query strings (property-based)", async () => {
    const value = fc.oneof(fc.constantFrom(...NASTY), fc.string({ unit: "binary", maxLength: 60 }), fc.webUrl());
    const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom(...KEYS), fc.string({ maxLength: 8 })), value), { minLength: 1, maxLength: 4 });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...PAGES), query, async (page, pairs) => {
        const search = pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
        const path = `${page}?${search}`;
        const res = await get(path);
        expect(res.status, path).toBeLessThan(500);
        expectSameOriginIfRedirect(res, path);
      }),
      { numRuns: 300 },
    );
  }, 120_000);

  it("holds when a parameter comes twice, a harmless value first and a nasty one after", async () => {
    const repeated = PAGES.flatMap((page) =>
      ["error", "next", "callbackUrl"].flatMap((key) =>
        ["\u0000", "javascript:alert(1)", "//evil.example", "<script>"].map((nasty) => `${page}?${key}=${key === "error" ? "Callback" : "%2Fprofile"}&${key}=${encodeURIComponent(nasty)}`),
      ),
    );
    for (const path of repeated) {
      const res = await get(path);
      expect(res.status, path).toBeLessThan(500);
      expectSameOriginIfRedirect(res, path);
    }
  }, 120_000);

  it("answers raw, unencoded oddities too", async () => {
    for (const raw of ["/login?error=%", "/login?next=%E0%A4%A", "/login?error[]=a&error[]=b", "/verify?email=%00", "/api/auth/csrf?callbackUrl=%ZZ"]) {
      const res = await get(raw);
      expect(res.status, raw).toBeLessThan(500);
    }
  });
});

describe("signed-in pages, signed out", () => {
  it("redirect to /login?next=… with an HTTP redirect, not a page that redirects by script", async () => {
    const res = await get("/profile");
    expect([303, 307]).toContain(res.status);
    expect(res.headers.get("location")).toMatch(/\/login\?next=%2Fprofile$/);
  });

  it("redirect with a forged or stale session cookie too", async () => {
    const res = await fetch(`${baseUrl()}/profile`, { redirect: "manual", headers: { cookie: "next-auth.session-token=forged.value.here" } });
    expect([303, 307]).toContain(res.status);
    expect(res.headers.get("location")).toMatch(/\/login\?next=%2Fprofile$/);
  });
});

describe("security headers of pages", () => {
  it("forbid framing and inline scripts without this response's nonce, and sniffing", async () => {
    const res = await get("/login");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(csp).not.toContain("unsafe-eval");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const nonce = /'nonce-([^']+)'/.exec(csp)![1];
    expect(await res.text()).toContain(`nonce="${nonce}"`);
    // A new nonce per response.
    const again = (await get("/login")).headers.get("content-security-policy");
    expect(again).not.toBe(csp);
  });

  it("keep the token of an e-mailed link out of Referer headers", async () => {
    for (const page of ["/confirm?token=abc", "/confirm-email?token=abc", "/reset-password?token=abc"]) {
      expect((await get(page)).headers.get("referrer-policy"), page).toBe("no-referrer");
    }
    expect((await get("/login")).headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });
});
