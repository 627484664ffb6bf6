import { beforeAll, describe, expect, it } from "vitest";
import { prng } from "../../scripts/prng.mjs";
import { api, baseUrl, randomIp, type ApiResponse } from "./client";
import { authHeader, registeredVerifiedUser, STRONG_PASSWORD, uniqueEmail, waitForMail, resetTokenIn } from "./helpers";

/**
 * Hostile and sloppy input on every endpoint that takes a body: whatever arrives, the answer is the
 * JSON envelope with a 4xx status, never a 5xx and never anything but JSON.
 */

interface Endpoint {
  method: "POST" | "PUT";
  /** `{id}` is replaced by the test user's id. */
  path: string;
  fields: string[];
  /** Sends the test user's access token (the body is read only after the token is checked). */
  access?: boolean;
  /** Members every failure body of the endpoint carries. */
  failure?: Record<string, unknown>;
}

const ENDPOINTS: Endpoint[] = [
  { method: "POST", path: "/auth/", fields: ["name", "dob", "email", "password", "mobile", "roleid"] },
  { method: "POST", path: "/auth/confirm-user", fields: [] },
  { method: "POST", path: "/auth/login", fields: ["email", "password"], failure: { is_verified: false, tokens: {} } },
  { method: "POST", path: "/auth/generate-link", fields: ["email", "request_type"] },
  { method: "POST", path: "/auth/reset-password", fields: ["password"] },
  { method: "POST", path: "/auth/register/", fields: ["email", "password"], failure: { tokens: {} } },
  { method: "POST", path: "/auth/register/google/", fields: ["auth_token"] },
  { method: "POST", path: "/auth/login/google/", fields: ["auth_token"] },
  { method: "POST", path: "/auth/resend/otp/", fields: ["email"], failure: { otp: 0 } },
  { method: "POST", path: "/auth/verify/otp/", fields: ["email", "otp"] },
  { method: "POST", path: "/auth/token/refresh/", fields: ["refresh"] },
  { method: "POST", path: "/auth/logout/", fields: ["refresh"] },
  { method: "POST", path: "/auth/password/change/", fields: ["old_password", "new_password"], access: true },
  { method: "PUT", path: "/auth/{id}/", fields: ["name", "mobile", "dob"], access: true },
];

let user: Awaited<ReturnType<typeof registeredVerifiedUser>>;

beforeAll(async () => {
  user = await registeredVerifiedUser();
});

const pathOf = (e: Endpoint) => e.path.replace("{id}", String(user.userId));
const headersOf = (e: Endpoint, extra: Record<string, string> = {}) => ({
  ...(e.access ? authHeader(user.tokens.access_token) : {}),
  ...extra,
});
const send = (e: Endpoint, body: string | undefined, contentType?: string) =>
  api(e.method, pathOf(e), { body, headers: headersOf(e, contentType ? { "content-type": contentType } : {}) });
const sendJson = (e: Endpoint, json: unknown) => api(e.method, pathOf(e), { json, headers: headersOf(e) });

/** A JSON answer in the contract's envelope. */
function expectEnvelope(res: ApiResponse, label = "") {
  expect(res.headers.get("content-type"), `${label} ${res.text.slice(0, 200)}`).toMatch(/^application\/json/);
  expect(res.body.__notJson, label).toBeUndefined();
  expect(typeof res.body.success, label).toBe("boolean");
  expect(res.body.errors !== null && typeof res.body.errors === "object" && !Array.isArray(res.body.errors), label).toBe(true);
  // Every answer carries the id that the server log carries.
  expect(res.headers.get("x-request-id"), label).toMatch(/^[A-Za-z0-9._-]{8,128}$/);
}

function expectClientError(res: ApiResponse, label = "") {
  expectEnvelope(res, label);
  expect(res.status, `${label} ${res.text.slice(0, 300)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, `${label} ${res.text.slice(0, 300)}`).toBeLessThan(500);
  expect(res.body.success, label).toBe(false);
  for (const [field, value] of Object.entries(res.body.errors)) {
    if (field === "description") continue;
    expect(Array.isArray(value) && value.every((m) => typeof m === "string"), `${label} errors.${field}`).toBe(true);
  }
}

const label = (e: Endpoint) => `${e.method} ${e.path}`;

describe.each(ENDPOINTS.map((e) => [label(e), e] as const))("%s", (_name, endpoint) => {
  /** A 4xx envelope with the endpoint's own failure members. */
  const expectFailure = (res: ApiResponse, what = "") => {
    expectClientError(res, what);
    if (endpoint.failure) expect(res.body, what).toMatchObject(endpoint.failure);
  };

  it("answers malformed JSON with 400", async () => {
    for (const text of ['{"email":', "{email: 'x'}", "{'a':1}", '{"a":1,}', "\u0000", "nul"]) {
      const res = await send(endpoint, text, "application/json");
      expectFailure(res, JSON.stringify(text));
      expect(res.status).toBe(400);
      expect(res.body.errors.errors).toEqual(["JSON parse error - the request body is not valid JSON."]);
    }
  });

  it("answers a JSON body that is not an object with 400", async () => {
    for (const [text, type] of [["[]", "list"], ['[{"email":"a@b.co"}]', "list"], ["null", "null"], ['"text"', "string"], ["42", "number"], ["true", "boolean"]]) {
      const res = await send(endpoint, text, "application/json");
      expectFailure(res, text);
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual({ errors: [`Invalid data. Expected a dictionary, but got ${type}.`] });
    }
  });

  it("answers other content types with 415", async () => {
    for (const type of ["text/plain", "multipart/form-data; boundary=xyz", "application/xml", "application/octet-stream"]) {
      const res = await send(endpoint, type.startsWith("multipart") ? '--xyz\r\nContent-Disposition: form-data; name="email"\r\n\r\na@b.co\r\n--xyz--\r\n' : '{"email":"a@b.co"}', type);
      expectFailure(res, type);
      expect(res.status).toBe(415);
    }
  });

  it("answers a body over 64 KiB with 413", async () => {
    const big = JSON.stringify({ email: "a@b.co", padding: "x".repeat(65 * 1024) });
    const res = await send(endpoint, big, "application/json");
    expectFailure(res, "65 KiB");
    expect(res.status).toBe(413);
  });

  it("accepts a urlencoded body (no 415) and a JSON content type with parameters", async () => {
    const form = await send(endpoint, endpoint.fields.map((f) => `${f}=`).join("&") || "x=1", "application/x-www-form-urlencoded");
    expect(form.status).not.toBe(415);
    expectEnvelope(form);
    const json = await send(endpoint, "{}", "application/json; charset=utf-8");
    expect(json.status).not.toBe(415);
    expectEnvelope(json);
  });

  if (endpoint.fields.length) {
    // Values no field accepts must be refused (4xx); the others may be valid for some field (a
    // number is a fine name, any string a fine refresh token to log out) but never cause a 5xx.
    const nasty: Array<[string, unknown, "refused" | "no 5xx"]> = [
      ["true", true, "refused"],
      ["a list", ["a@b.co"], "refused"],
      ["an empty list", [], "refused"],
      ["an object", { email: "a@b.co" }, "refused"],
      ["null", null, "refused"],
      ["an empty string", "", "refused"],
      ["a deeply nested list", JSON.parse("[".repeat(2000) + "]".repeat(2000)), "refused"],
      ["a number", 12345, "no 5xx"],
      ["a NUL character", "a\u0000b", "no 5xx"],
      ["a huge float", -1.5e300, "no 5xx"],
      ["a very long string", "a".repeat(20_000), "no 5xx"],
      ["a long e-mail", `${"a".repeat(5000)}@example.test`, "no 5xx"],
      ["control characters", "a\u0007b\u001b\r\n", "no 5xx"],
      ["unicode", "ｅｍａｉｌ@例え.テスト 🧨 \ud83d", "no 5xx"],
      ["SQL", "' OR 1=1; DROP TABLE \"User\"; --", "no 5xx"],
    ];
    it.each(nasty)("answers every field as %s with the envelope", async (_what, value, expected) => {
      for (const field of endpoint.fields) {
        const res = await sendJson(endpoint, { [field]: value });
        const what = `${field}=${JSON.stringify(value).slice(0, 40)}`;
        if (expected === "refused") expectFailure(res, what);
        else {
          expectEnvelope(res, what);
          expect(res.status, `${what} ${res.text.slice(0, 300)}`).toBeLessThan(500);
        }
      }
    });
  }

  it("answers a field nested 30,000 levels deep with a 4xx envelope", async () => {
    const deep = "[".repeat(30_000) + "]".repeat(30_000);
    for (const field of endpoint.fields.length ? endpoint.fields : ["x"]) {
      const res = await send(endpoint, `{"${field}":${deep}}`, "application/json");
      expectClientError(res, `${field} nested`);
    }
  });

  it("keeps __proto__ and constructor keys as plain data", async () => {
    const bodies = [
      '{"__proto__":{"email":"a@b.co","password":"x","admin":true}}',
      '{"constructor":{"prototype":{"admin":true}},"__proto__":null}',
      '{"prototype":1,"toString":"x","hasOwnProperty":"y","valueOf":null}',
    ];
    for (const text of bodies) {
      const res = await send(endpoint, text, "application/json");
      expectEnvelope(res, text);
      expect(res.status, text).toBeLessThan(500);
      if (endpoint.method === "POST") expect(res.status, `${text} ${res.text}`).toBeGreaterThanOrEqual(400);
    }
    const form = await send(endpoint, "__proto__=1&constructor=2&__proto__[admin]=true", "application/x-www-form-urlencoded");
    expectEnvelope(form);
    expect(form.status).toBeLessThan(500);
  });
});

describe("form-encoded bodies (DRF clients)", () => {
  const form = (path: string, body: string) =>
    api("POST", path, { body, headers: { "content-type": "application/x-www-form-urlencoded" } });

  it("log in", async () => {
    const res = await form("/auth/login", `email=${encodeURIComponent(user.email)}&password=${encodeURIComponent(user.password)}`);
    expect(res.status, res.text).toBe(200);
    expect(res.body.message).toBe("login_success");
  });

  it("ask for a reset link with request_type=3 as a string", async () => {
    const { email } = await registeredVerifiedUser();
    const res = await form("/auth/generate-link", `email=${encodeURIComponent(email)}&request_type=3`);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ success: true, errors: {}, message: "email_sent_successfully" });
    expect(resetTokenIn(await waitForMail(email, 2))).toBeTruthy();
  });

  it("sign up, register and refresh", async () => {
    const signup = await form("/auth/", `name=Form&dob=1990-01-01&email=${encodeURIComponent(uniqueEmail("form"))}&password=${encodeURIComponent(STRONG_PASSWORD)}&mobile=123456&roleid=3`);
    expect(signup.status, signup.text).toBe(201);
    const register = await form("/auth/register/", `email=${encodeURIComponent(uniqueEmail("form"))}&password=${encodeURIComponent(STRONG_PASSWORD)}`);
    expect(register.status, register.text).toBe(200);
    const refreshed = await form("/auth/token/refresh/", `refresh=${register.body.tokens.refresh}`);
    expect(refreshed.status, refreshed.text).toBe(200);
  });

  it("answer a JSON object sent as a form (curl -d without -H) with 400 naming the header", async () => {
    const res = await form("/auth/login", JSON.stringify({ email: user.email, password: user.password }));
    expect(res.status, res.text).toBe(400);
    expect(res.body).toMatchObject({
      success: false,
      errors: { errors: ["The body is JSON but was sent as a form. Send it with the header Content-Type: application/json."] },
    });
  });

  it("report field errors in the envelope", async () => {
    const res = await form("/auth/generate-link", "email=not-an-email&request_type=2");
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      errors: { email: ["Enter a valid email address."], request_type: ['"2" is not a valid choice.'] },
    });
  });
});

describe("methods", () => {
  const cases: Array<[string, string, string[]]> = [
    ["/auth/", "POST", ["GET", "PUT", "PATCH", "DELETE"]],
    ["/auth", "POST", ["GET", "DELETE"]],
    ["/auth/login", "POST", ["GET", "PUT", "PATCH", "DELETE"]],
    ["/auth/login/", "POST", ["GET"]],
    ["/auth/confirm-user", "POST", ["GET"]],
    ["/auth/generate-link", "POST", ["GET", "PUT"]],
    ["/auth/reset-password", "POST", ["GET"]],
    ["/auth/register/", "POST", ["GET", "PATCH"]],
    ["/auth/register/google/", "POST", ["GET"]],
    ["/auth/login/google/", "POST", ["GET"]],
    ["/auth/resend/otp/", "POST", ["GET"]],
    ["/auth/verify/otp/", "POST", ["GET"]],
    ["/auth/token/refresh/", "POST", ["GET"]],
    ["/auth/logout/", "POST", ["GET", "DELETE"]],
    ["/auth/password/change/", "POST", ["GET", "PUT"]],
    ["/auth/me/", "GET, DELETE", ["POST", "PUT", "PATCH"]],
    ["/auth/{id}/", "GET, PUT", ["POST", "PATCH", "DELETE"]],
    ["/auth/2fa/totp/setup/", "POST", ["GET", "PUT"]],
    ["/auth/2fa/totp/enable/", "POST", ["GET"]],
    ["/auth/2fa/recovery-codes/", "POST", ["GET", "DELETE"]],
    ["/auth/2fa/disable/", "POST", ["GET"]],
    ["/auth/login/2fa/", "POST", ["GET"]],
    ["/auth/passkeys/", "GET", ["POST", "DELETE"]],
    ["/auth/passkeys/{id}/", "DELETE", ["GET", "POST", "PUT"]],
    ["/auth/passkeys/register/options/", "POST", ["GET"]],
    ["/auth/passkeys/register/", "POST", ["GET"]],
    ["/auth/passkeys/login/options/", "POST", ["GET"]],
    ["/auth/passkeys/login/", "POST", ["GET"]],
    ["/auth/email/change/", "POST", ["GET"]],
    ["/auth/email/confirm/", "POST", ["GET"]],
    ["/auth/reauthenticate/", "POST", ["GET", "PUT"]],
    ["/auth/reauthenticate/passkey/options/", "POST", ["GET"]],
    ["/auth/openapi.json", "GET", ["POST"]],
    ["/.well-known/jwks.json", "GET", ["POST", "DELETE"]],
    ["/healthz", "GET", ["POST", "PUT"]],
  ];

  it.each(cases)("%s answers wrong methods with a JSON 405 and Allow: %s", async (path, allow, wrong) => {
    for (const method of wrong) {
      const res = await api(method, path.replace("{id}", String(user.userId)), { json: method === "GET" ? undefined : {} });
      expect(res.status, `${method} ${path}`).toBe(405);
      expect(res.headers.get("allow")).toBe(allow);
      expect(res.body).toEqual({ success: false, errors: { errors: [`Method "${method}" not allowed.`] } });
    }
  });

  it("answers OPTIONS and HEAD without a server error", async () => {
    for (const path of ["/auth/login", "/auth/", "/auth/me/"]) {
      for (const method of ["OPTIONS", "HEAD"]) {
        const res = await fetch(`${baseUrl()}${path}`, { method, headers: { "x-forwarded-for": randomIp() } });
        expect(res.status, `${method} ${path}`).toBeLessThan(500);
      }
    }
  });
});

describe("unknown paths", () => {
  it.each([
    "/auth/nope",
    "/auth/nope/",
    "/auth/login/extra",
    "/auth/login/google/extra/",
    "/auth/verify",
    "/auth/verify/",
    "/auth/verify/email/",
    "/auth/token/",
    "/auth/token/verify/",
    "/auth/password/",
    "/auth/password/reset/",
    "/auth/resend/",
    "/auth/register/facebook/",
    "/auth/me/extra",
    "/auth/12/extra",
    "/auth/%00",
    "/auth/..%2f..%2fetc%2fpasswd",
    "/auth/openapi.yaml",
  ])("answers %s with a JSON 404 for any method", async (path) => {
    for (const method of ["GET", "POST", "PUT", "DELETE"]) {
      const res = await api(method, path, { json: method === "GET" ? undefined : {} });
      expect(res.status, `${method} ${path}: ${res.text.slice(0, 100)}`).toBe(404);
      expect(res.body).toEqual({ success: false, errors: { errors: ["Not found."] } });
    }
  });
});


describe("fuzz", () => {
  it("300 seeded random requests: never a 5xx, always the JSON envelope", async () => {
    const random = prng(20261122);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const allFields = [...new Set(ENDPOINTS.flatMap((e) => e.fields)), "userid", "is_verified", "__proto__", "otp", "tokens"];
    const values: unknown[] = [
      "",
      " ",
      "a@b.co",
      "A@B.CO",
      user.email,
      user.password,
      STRONG_PASSWORD,
      "1234",
      "0000",
      "2088-01-12",
      "2023-02-30",
      "76765757",
      1,
      3,
      0,
      -1,
      2 ** 53,
      1e308,
      0.5,
      true,
      false,
      null,
      [],
      ["a"],
      {},
      { $gt: "" },
      "x".repeat(300),
      "y".repeat(5000),
      "\u202e\u0000\ud83d",
      "<script>alert(1)</script>",
      "%00",
      "A".repeat(43),
      "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.",
    ];
    const contentTypes = ["application/json", "application/json", "application/json", "application/x-www-form-urlencoded", "text/plain", ""];

    const requests = Array.from({ length: 300 }, () => {
      const endpoint = pick(ENDPOINTS);
      const body: Record<string, unknown> = {};
      const n = Math.floor(random() * 4);
      for (let i = 0; i < n; i++) body[pick(random() < 0.8 ? endpoint.fields.length ? endpoint.fields : allFields : allFields)] = pick(values);
      const contentType = pick(contentTypes);
      let text: string;
      if (contentType === "application/x-www-form-urlencoded") {
        text = new URLSearchParams(Object.entries(body).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])).toString();
      } else {
        text = JSON.stringify(body);
        if (random() < 0.1) text = text.slice(0, Math.floor(random() * text.length));
      }
      const auth = random() < 0.3 ? authHeader(user.tokens.access_token, pick(["Token", "Bearer"] as const)) : random() < 0.2 ? { authorization: pick(["Token", "Bearer x y", "Basic abc", "Token " + "z".repeat(100)]) } : {};
      const method = random() < 0.9 ? endpoint.method : pick(["GET", "PATCH", "DELETE", "PUT", "POST"]);
      return { method, path: pathOf(endpoint), text, contentType, auth };
    });

    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const r = requests[next++]!;
        const res = await api(r.method, r.path, {
          body: r.method === "GET" ? undefined : r.text,
          headers: { ...r.auth, ...(r.contentType ? { "content-type": r.contentType } : {}) },
        });
        const ok =
          res.status < 500 &&
          /^application\/json/.test(res.headers.get("content-type") ?? "") &&
          typeof res.body.success === "boolean" &&
          typeof res.body.errors === "object";
        if (!ok) failures.push(`${r.method} ${r.path} [${r.contentType}] ${r.text.slice(0, 120)} → ${res.status} ${res.text.slice(0, 200)}`);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(failures).toEqual([]);
  }, 120_000);
});
