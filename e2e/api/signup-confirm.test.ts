import { afterEach, describe, expect, it } from "vitest";
import { api, randomIp } from "./client";
import {
  authHeader,
  codeIn,
  confirmTokenIn,
  setClockOffset,
  STRONG_PASSWORD,
  uniqueEmail,
  waitForMail,
} from "./helpers";

/** The Django service's sign-up (`POST /auth/`) and its e-mailed confirmation link (`POST /auth/confirm-user`). */

const SIGNED_UP = "sign up successfull & confirmation mail has been sent";
const LINK_INVALID = { success: false, errors: { token: ["Confirmation link is invalid or has expired"] } };
const HOUR_MS = 60 * 60 * 1000;

const validSignup = (overrides: Record<string, unknown> = {}) => ({
  name: "alexa999",
  dob: "2088-01-12",
  email: uniqueEmail("signup"),
  password: STRONG_PASSWORD,
  mobile: "76765757",
  ...overrides,
});

const signup = (body: unknown, path = "/auth/") => api("POST", path, { json: body });
const confirm = (token: string, scheme: "Token" | "Bearer" = "Token") =>
  api("POST", "/auth/confirm-user", { headers: authHeader(token, scheme) });
const me = (email: string, password = STRONG_PASSWORD) => api("POST", "/auth/login", { json: { email, password } });

/** Signs up and returns the address and the confirmation-link token from the e-mail. */
async function signedUpWithLink(overrides: Record<string, unknown> = {}) {
  const body = validSignup(overrides);
  const res = await signup(body);
  expect(res.status, res.text).toBe(201);
  const mail = await waitForMail(body.email);
  const token = confirmTokenIn(mail);
  expect(token).toBeTruthy();
  return { email: body.email, token: token!, userid: res.body.userid as number };
}

function expectFieldErrors(res: { status: number; body: Record<string, any> }, errors: Record<string, string[]>) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body).toEqual({ success: false, errors });
}

afterEach(() => setClockOffset(0));

describe("POST /auth/ (sign up)", () => {
  it("answers 201 with the documented body and the new user's id", async () => {
    const res = await signup(validSignup());
    expect(res.status, res.text).toBe(201);
    expect(res.body).toEqual({ success: true, errors: {}, message: SIGNED_UP, userid: expect.any(Number) });
    expect(res.body.userid).toBeGreaterThan(0);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("answers on /auth without the trailing slash too, directly (no redirect)", async () => {
    const res = await signup(validSignup(), "/auth");
    expect(res.status, res.text).toBe(201);
    expect(res.body.message).toBe(SIGNED_UP);
  });

  it("accepts the Django document's example as it stands (its password meets the policy)", async () => {
    const email = uniqueEmail("ponoki");
    const res = await signup({ name: "alexa999", dob: "2088-01-12", email, password: "ngdfcdhg@123", mobile: "76765757", roleid: 5 });
    expect(res.status, res.text).toBe(201);
    const login = await me(email, "ngdfcdhg@123");
    expect(login.status).toBe(200);
    const profile = await api("GET", `/auth/${res.body.userid}/`, { headers: authHeader(login.body.tokens.access_token, "Token") });
    expect(profile.body.user).toEqual({
      userid: res.body.userid,
      email,
      name: "alexa999",
      dob: "2088-01-12",
      mobile: "76765757",
      roleid: 5,
      is_verified: false,
    });
  });

  it("gives the default role without roleid and accepts a self-assignable one", async () => {
    for (const [roleid, expected] of [[undefined, 2], [3, 3], ["4", 4]] as const) {
      const body = validSignup(roleid === undefined ? {} : { roleid });
      const res = await signup(body);
      expect(res.status, res.text).toBe(201);
      const login = await me(body.email);
      const profile = await api("GET", "/auth/me/", { headers: authHeader(login.body.tokens.access_token) });
      expect(profile.body.user.roleid).toBe(expected);
    }
  });

  it.each([
    ["admin", 1, '"1" is not a valid choice.'],
    ["unknown", 999, '"999" is not a valid choice.'],
    ["negative", -1, '"-1" is not a valid choice.'],
    ["not a number", "boss", "A valid integer is required."],
    ["null", null, "This field may not be null."],
  ])("refuses the %s roleid", async (_label, roleid, message) => {
    const body = validSignup({ roleid });
    expectFieldErrors(await signup(body), { roleid: [message] });
    // Nothing was created: the address is still free.
    expect((await signup(validSignup({ email: body.email }))).status).toBe(201);
  });

  describe("field validation (DRF's messages)", () => {
    const fields = ["name", "dob", "email", "password", "mobile"] as const;

    it.each(fields)("requires %s", async (field) => {
      const body: Record<string, unknown> = validSignup();
      delete body[field];
      expectFieldErrors(await signup(body), { [field]: ["This field is required."] });
    });

    it.each(fields)("refuses a blank %s", async (field) => {
      const res = await signup(validSignup({ [field]: field === "password" ? "" : "   " }));
      expect(res.status).toBe(400);
      expect(res.body.success).toBe(false);
      expect(res.body.errors[field]).toEqual([
        field === "password" ? expect.stringMatching(/blank|too short/) : "This field may not be blank.",
      ]);
    });

    it.each(fields)("refuses a null %s", async (field) => {
      expectFieldErrors(await signup(validSignup({ [field]: null })), { [field]: ["This field may not be null."] });
    });

    it.each(fields)("refuses %s as a list or an object", async (field) => {
      expectFieldErrors(await signup(validSignup({ [field]: ["x"] })), { [field]: ["Not a valid string."] });
      expectFieldErrors(await signup(validSignup({ [field]: { a: 1 } })), { [field]: ["Not a valid string."] });
    });

    it.each([
      ["name", "n".repeat(151), "Ensure this field has no more than 150 characters."],
      ["email", `${"e".repeat(250)}@example.test`, "Ensure this field has no more than 254 characters."],
      ["mobile", "1".repeat(21), "Ensure this field has no more than 20 characters."],
      ["dob", "2000-01-012", "Ensure this field has no more than 10 characters."],
      ["password", "p".repeat(129), "Ensure this field has no more than 128 characters."],
    ])("refuses a too long %s", async (field, value, message) => {
      expectFieldErrors(await signup(validSignup({ [field]: value })), { [field]: [message] });
    });

    it("checks the e-mail syntax, the date and the mobile number", async () => {
      expectFieldErrors(await signup(validSignup({ email: "not-an-email" })), { email: ["Enter a valid email address."] });
      expectFieldErrors(await signup(validSignup({ dob: "12/01/2088" })), {
        dob: ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
      });
      expectFieldErrors(await signup(validSignup({ dob: "2023-02-30" })), { dob: ["Enter a valid date."] });
      expectFieldErrors(await signup(validSignup({ mobile: "call me" })), { mobile: ["Enter a valid mobile number."] });
    });

    it("refuses NUL characters with DRF's message", async () => {
      expectFieldErrors(await signup(validSignup({ name: "Al\u0000exa" })), { name: ["Null characters are not allowed."] });
      expectFieldErrors(await signup(validSignup({ password: `${STRONG_PASSWORD}\u0000` })), {
        password: ["Null characters are not allowed."],
      });
    });

    it("applies the password policy with Django's messages", async () => {
      expectFieldErrors(await signup(validSignup({ password: "short1" })), {
        password: ["This password is too short. It must contain at least 8 characters."],
      });
      expectFieldErrors(await signup(validSignup({ password: "password" })), { password: ["This password is too common."] });
      expectFieldErrors(await signup(validSignup({ password: "1234567" })), {
        password: ["This password is too short. It must contain at least 8 characters.", "This password is too common."],
      });
    });

    it("reports every invalid field at once", async () => {
      const res = await signup({ email: "nope", dob: "x" });
      expect(res.status).toBe(400);
      expect(res.body.errors).toEqual({
        name: ["This field is required."],
        dob: ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."],
        email: ["Enter a valid email address."],
        password: ["This field is required."],
        mobile: ["This field is required."],
      });
    });

    it("accepts numbers where DRF's CharField would (mobile as a JSON number)", async () => {
      const res = await signup(validSignup({ mobile: 76765757 }));
      expect(res.status, res.text).toBe(201);
    });
  });

  describe("a taken e-mail address", () => {
    it("answers errors.email with the document's wording, whatever the case and surrounding space", async () => {
      const email = uniqueEmail("taken");
      expect((await signup(validSignup({ email }))).status).toBe(201);
      for (const variant of [email, email.toUpperCase(), `  ${email}  `, ` ${email.replace(/^./, (c) => c.toUpperCase())}`]) {
        expectFieldErrors(await signup(validSignup({ email: variant })), { email: [`${email} is already register with us`] });
      }
    });

    it("is also taken for an account made by VASITUM's register", async () => {
      const email = uniqueEmail("taken-register");
      expect((await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } })).status).toBe(200);
      expectFieldErrors(await signup(validSignup({ email })), { email: [`${email} is already register with us`] });
    });

    it("stores the address lowercased and trimmed", async () => {
      const email = uniqueEmail("case");
      const res = await signup(validSignup({ email: `  ${email.toUpperCase()} ` }));
      expect(res.status, res.text).toBe(201);
      const mail = await waitForMail(email);
      expect(mail.to).toEqual([email]);
      expect((await me(email.toUpperCase())).status).toBe(200);
    });
  });
});

describe("the verification e-mail", () => {
  it("carries both a code and a confirmation link to APP_URL/confirm", async () => {
    const body = validSignup();
    expect((await signup(body)).status).toBe(201);
    const mail = await waitForMail(body.email);
    expect(codeIn(mail)).toMatch(/^\d{4}$/);
    expect(confirmTokenIn(mail)).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(mail.text).toContain(`/confirm?token=${confirmTokenIn(mail)}`);
  });
});

describe("POST /auth/confirm-user", () => {
  it("confirms the account once; the link is then spent", async () => {
    const { email, token } = await signedUpWithLink();
    expect((await me(email)).body.is_verified).toBe(false);

    const res = await confirm(token);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ success: true, errors: {}, message: "user confirmed and active" });
    expect((await me(email)).body.is_verified).toBe(true);

    const again = await confirm(token);
    expect(again.status).toBe(400);
    expect(again.body).toEqual(LINK_INVALID);
  });

  it("answers with and without the trailing slash", async () => {
    const { token } = await signedUpWithLink();
    const res = await api("POST", "/auth/confirm-user/", { headers: authHeader(token, "Token") });
    expect(res.status, res.text).toBe(200);
  });

  it("accepts Bearer as well as Token", async () => {
    const { email, token } = await signedUpWithLink();
    const res = await confirm(token, "Bearer");
    expect(res.status, res.text).toBe(200);
    expect((await me(email)).body.is_verified).toBe(true);
  });

  it.each([
    ["no Authorization header", {}],
    ["an empty header", { authorization: "" }],
    ["a scheme without a token", { authorization: "Token" }],
    ["a garbage token", { authorization: "Token not-a-real-token" }],
    ["another scheme", { authorization: "Basic dXNlcjpwYXNz" }],
    ["a very long token", { authorization: `Token ${"a".repeat(5000)}` }],
  ])("answers 400 errors.token for %s", async (_label, headers) => {
    const res = await api("POST", "/auth/confirm-user", { headers });
    expect(res.status, res.text).toBe(400);
    expect(res.body).toEqual(LINK_INVALID);
  });

  it("refuses a link after 24 h", async () => {
    const { email, token } = await signedUpWithLink();
    setClockOffset(24 * HOUR_MS + 1000);
    const res = await confirm(token);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(LINK_INVALID);
    setClockOffset(0);
    expect((await me(email)).body.is_verified).toBe(false);
  });

  it("accepts a link just before 24 h", async () => {
    const { token } = await signedUpWithLink();
    setClockOffset(24 * HOUR_MS - 5000);
    const res = await confirm(token);
    expect(res.status, res.text).toBe(200);
  });

  it("confirms exactly once under 20 concurrent uses of the same link", async () => {
    const { email, token } = await signedUpWithLink();
    const results = await Promise.all(Array.from({ length: 20 }, () => confirm(token)));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(19);
    for (const r of results.filter((r) => r.status === 400)) expect(r.body).toEqual(LINK_INVALID);
    expect((await me(email)).body.is_verified).toBe(true);
  });

  it("is voided by a newer verification e-mail", async () => {
    const { email, token } = await signedUpWithLink();
    // A new e-mail may go out 60 s after the last one.
    setClockOffset(61_000);
    const res = await api("POST", "/auth/generate-link", { json: { email, request_type: 1 } });
    expect(res.status, res.text).toBe(200);
    const second = confirmTokenIn(await waitForMail(email, 2));
    expect(second).not.toBe(token);
    expect((await confirm(token)).body).toEqual(LINK_INVALID);
    expect((await confirm(second!)).status).toBe(200);
  });

  it("verifies the same account as the code: after the code, the link is spent", async () => {
    const body = validSignup();
    expect((await signup(body)).status).toBe(201);
    const mail = await waitForMail(body.email);
    const verified = await api("POST", "/auth/verify/otp/", { json: { email: body.email, otp: codeIn(mail) } });
    expect(verified.status, verified.text).toBe(200);
    expect((await confirm(confirmTokenIn(mail)!)).body).toEqual(LINK_INVALID);
  });
});

describe("per-address limits", () => {
  it("allow 30 sign-ups and registers together per 5 minutes from one address, then 429", async () => {
    const ip = randomIp();
    const taken = uniqueEmail("limit");
    expect((await signup(validSignup({ email: taken }))).status).toBe(201);
    const from = { "x-forwarded-for": ip };
    // Refused sign-ups count as well (a taken address costs no hashing, so they are cheap to send).
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => api("POST", "/auth/", { json: validSignup({ email: taken }), headers: from })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(30).fill(400));
    const limited = await api("POST", "/auth/register/", { json: { email: uniqueEmail("limit"), password: STRONG_PASSWORD }, headers: from });
    expect(limited.status, limited.text).toBe(429);
    expect(limited.body).toEqual({
      success: false,
      errors: { errors: [expect.stringMatching(/^Too many requests\. Try again in \d+ seconds\.$/)] },
      tokens: {},
    });
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(300);
    const signupLimited = await api("POST", "/auth/", { json: validSignup(), headers: from });
    expect(signupLimited.status).toBe(429);
    expect((await signup(validSignup())).status).toBe(201);
  });

  it("count confirm-user with the other verification requests", async () => {
    const from = { "x-forwarded-for": randomIp() };
    const answers = await Promise.all(
      Array.from({ length: 30 }, () => api("POST", "/auth/confirm-user", { headers: { ...from, authorization: "Token nope" } })),
    );
    expect(answers.map((r) => r.status)).toEqual(Array(30).fill(400));
    const limited = await api("POST", "/auth/verify/otp/", { json: { email: uniqueEmail("x"), otp: "1234" }, headers: from });
    expect(limited.status).toBe(429);
    expect((await api("POST", "/auth/confirm-user", { headers: { ...from, authorization: "Token nope" } })).status).toBe(429);
  });
});
