import { afterEach, describe, expect, it } from "vitest";
import { api, randomIp } from "./client";
import { authHeader, codeIn, expectMailCount, mailsTo, setClockOffset, STRONG_PASSWORD, uniqueEmail, waitForMail } from "./helpers";

/**
 * VASITUM's register (`POST /auth/register/`), the e-mailed OTP (`POST /auth/verify/otp/`) and
 * `POST /auth/resend/otp/`.
 */

const MINUTE_MS = 60_000;
const TOKENS = { access_token: expect.any(String), refresh: expect.any(String) };
const INVALID_OTP = { success: false, errors: { otp: ["Invalid OTP"] } };
const EXPIRED_OTP = { success: false, errors: { otp: ["OTP has expired"] } };
const RESEND_REFUSED = { success: false, otp: 0, errors: { email: ["Enter a valid email address."] } };

const register = (body: unknown, path = "/auth/register/") => api("POST", path, { json: body });
const verify = (email: string, otp: unknown) => api("POST", "/auth/verify/otp/", { json: { email, otp } });
const resend = (email: string) => api("POST", "/auth/resend/otp/", { json: { email } });
const wrongCode = (code: string) => String((Number(code) + 1) % 10_000).padStart(4, "0");

/** Registers and returns the code of the first e-mail. */
async function registered(email = uniqueEmail("reg")) {
  const res = await register({ email, password: STRONG_PASSWORD });
  expect(res.status, res.text).toBe(200);
  const code = codeIn(await waitForMail(email));
  expect(code).toMatch(/^\d{4}$/);
  return { email, code: code!, tokens: res.body.tokens as { access_token: string; refresh: string } };
}

/** A resend after the 60 s cooldown; returns the new code. */
async function resent(email: string, mailCount: number, clockMs: number) {
  setClockOffset(clockMs);
  const res = await resend(email);
  expect(res.status, res.text).toBe(200);
  return codeIn(await waitForMail(email, mailCount))!;
}

afterEach(() => setClockOffset(0));

describe("POST /auth/register/", () => {
  it("answers 200 with tokens and no otp by default, and e-mails a 4-digit code", async () => {
    const email = uniqueEmail("reg");
    const res = await register({ email, password: STRONG_PASSWORD });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ success: true, errors: {}, tokens: TOKENS });
    expect("otp" in res.body).toBe(false);
    expect(codeIn(await waitForMail(email))).toMatch(/^\d{4}$/);
  });

  it("answers without the trailing slash too", async () => {
    const res = await register({ email: uniqueEmail("reg"), password: STRONG_PASSWORD }, "/auth/register");
    expect(res.status, res.text).toBe(200);
    expect(res.body.tokens).toEqual(TOKENS);
  });

  it("gives working tokens to the new, still unverified account", async () => {
    const { tokens } = await registered();
    const me = await api("GET", "/auth/me/", { headers: authHeader(tokens.access_token) });
    expect(me.status).toBe(200);
    expect(me.body.user.is_verified).toBe(false);
    const refreshed = await api("POST", "/auth/token/refresh/", { json: { refresh: tokens.refresh } });
    expect(refreshed.status).toBe(200);
  });

  it("answers a taken address with VASITUM's body, in any case", async () => {
    const { email } = await registered();
    for (const variant of [email, email.toUpperCase(), ` ${email} `]) {
      const res = await register({ email: variant, password: STRONG_PASSWORD });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ success: false, errors: { errors: [`${email} is already register with us`] }, tokens: {} });
    }
  });

  it("creates one account when 10 registers of the same address race; the others are told it is taken", async () => {
    const email = uniqueEmail("race");
    const results = await Promise.all(Array.from({ length: 10 }, () => register({ email, password: STRONG_PASSWORD })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.body).toEqual({ success: false, errors: { errors: [`${email} is already register with us`] }, tokens: {} });
    }
    await waitForMail(email);
    await expectMailCount(email, 1);
  });

  it("answers a missing password or e-mail with the field error and tokens: {}", async () => {
    const noPassword = await register({ email: uniqueEmail("reg") });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body).toEqual({ success: false, errors: { password: ["This field is required."] }, tokens: {} });
    const noEmail = await register({ password: STRONG_PASSWORD });
    expect(noEmail.body).toEqual({ success: false, errors: { email: ["This field is required."] }, tokens: {} });
    const badEmail = await register({ email: "ilmnmukesh", password: STRONG_PASSWORD });
    expect(badEmail.body).toEqual({ success: false, errors: { email: ["Enter a valid email address."] }, tokens: {} });
  });

  it("applies the password policy (the document's 5-character example is too short now)", async () => {
    const res = await register({ email: uniqueEmail("reg"), password: "Nones" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({
      success: false,
      errors: { password: ["This password is too short. It must contain at least 8 characters."] },
      tokens: {},
    });
  });
});

describe("POST /auth/verify/otp/", () => {
  it("verifies with the right code: 200, is_verified and tokens", async () => {
    const { email, code } = await registered();
    const res = await verify(email, code);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ success: true, errors: {}, is_verified: true, tokens: TOKENS });
    const me = await api("GET", "/auth/me/", { headers: authHeader(res.body.tokens.access_token) });
    expect(me.body.user.is_verified).toBe(true);
    // The code is spent.
    expect((await verify(email, code)).body).toEqual(EXPIRED_OTP);
  });

  it("answers without the trailing slash and with the e-mail in another case", async () => {
    const { email, code } = await registered();
    const res = await api("POST", "/auth/verify/otp", { json: { email: email.toUpperCase(), otp: code } });
    expect(res.status, res.text).toBe(200);
  });

  it("answers a wrong code with Invalid OTP, and the right one still works", async () => {
    const { email, code } = await registered();
    const res = await verify(email, wrongCode(code));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(INVALID_OTP);
    expect((await verify(email, code)).status).toBe(200);
  });

  it("voids the code after 5 wrong tries", async () => {
    const { email, code } = await registered();
    for (let i = 0; i < 5; i++) expect((await verify(email, wrongCode(code))).body).toEqual(INVALID_OTP);
    const res = await verify(email, code);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(EXPIRED_OTP);
  });

  it("compares at most 5 guesses with one code, however many arrive at once", async () => {
    const { email, code } = await registered();
    const guesses = Array.from({ length: 30 }, (_, i) => String((Number(code) + 1 + i) % 10_000).padStart(4, "0"));
    const results = await Promise.all(guesses.map((g) => verify(email, g)));
    for (const r of results) expect([INVALID_OTP, EXPIRED_OTP]).toContainEqual(r.body);
    // Each "Invalid OTP" is a guess that was compared with the code.
    expect(results.filter((r) => r.body.errors.otp[0] === "Invalid OTP").length).toBeLessThanOrEqual(5);
    expect((await verify(email, code)).body).toEqual(EXPIRED_OTP);
  });

  it("answers an unknown address like a wrong code", async () => {
    const res = await verify(uniqueEmail("nobody"), "1234");
    expect(res.status).toBe(400);
    expect(res.body).toEqual(INVALID_OTP);
  });

  it("accepts the code until 10 minutes have passed", async () => {
    const { email, code } = await registered();
    setClockOffset(10 * MINUTE_MS - 5000);
    const res = await verify(email, code);
    expect(res.status, res.text).toBe(200);
  });

  it("refuses the code after 10 minutes", async () => {
    const { email, code } = await registered();
    setClockOffset(10 * MINUTE_MS + 1000);
    const res = await verify(email, code);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(EXPIRED_OTP);
  });

  it("accepts the code as a JSON number, leading zeros lost on the way", async () => {
    // Codes are uniform over 0000–9999: among a few dozen accounts one starts with 0.
    let found: { email: string; code: string } | undefined;
    for (let batch = 0; batch < 10 && !found; batch++) {
      const accounts = await Promise.all(Array.from({ length: 10 }, () => registered(uniqueEmail("zero"))));
      found = accounts.find((a) => a.code.startsWith("0"));
    }
    expect(found, "no code with a leading zero among 100 accounts").toBeDefined();
    const res = await verify(found!.email, Number(found!.code));
    expect(res.status, res.text).toBe(200);
  }, 60_000);

  it("accepts the code as a number without leading zero and as a string with spaces", async () => {
    const a = await registered();
    expect((await verify(a.email, Number(a.code))).status).toBe(200);
    const b = await registered();
    expect((await verify(b.email, ` ${b.code} `)).status).toBe(200);
  });

  it.each([
    ["missing", undefined, "This field is required."],
    ["blank", "", "This field may not be blank."],
    ["null", null, "This field may not be null."],
    ["letters", "12a4", null],
    ["too short", "123", null],
    ["too long", "12345", null],
    ["a list", ["1234"], null],
  ])("refuses a %s otp with a field error", async (_label, otp, message) => {
    const res = await api("POST", "/auth/verify/otp/", { json: { email: uniqueEmail("x"), ...(otp === undefined ? {} : { otp }) } });
    expect(res.status).toBe(400);
    expect(res.body.success).toBe(false);
    expect(res.body.errors.otp).toEqual([message ?? expect.any(String)]);
  });

  it("verifies exactly once under 20 concurrent requests with the right code", async () => {
    const { email, code } = await registered();
    const results = await Promise.all(Array.from({ length: 20 }, () => verify(email, code)));
    const ok = results.filter((r) => r.status === 200);
    expect(ok).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) {
      expect(r.status).toBe(400);
      expect(r.body).toEqual(EXPIRED_OTP);
    }
  });

  it("compares at most 20 wrong codes a day per account, also when the last guesses arrive at once", async () => {
    const { email, code: first } = await registered();
    let code = first;
    let mails = 1;
    for (let round = 0; round < 3; round++) {
      if (round > 0) code = await resent(email, ++mails, round * 61_000);
      for (let i = 0; i < 5; i++) expect((await verify(email, wrongCode(code))).body).toEqual(INVALID_OTP);
    }
    // 15 wrong so far; a fresh code and 5 guesses at once may add 5 more, not one more.
    code = await resent(email, ++mails, 3 * 61_000);
    const guesses = Array.from({ length: 5 }, (_, i) => String((Number(code) + 1 + i) % 10_000).padStart(4, "0"));
    const results = await Promise.all(guesses.map((g) => verify(email, g)));
    expect(results.filter((r) => r.body.errors?.otp?.[0] === "Invalid OTP").length).toBeLessThanOrEqual(5);
    code = await resent(email, ++mails, 4 * 61_000);
    const more = await Promise.all(Array.from({ length: 10 }, (_, i) => verify(email, String((Number(code) + 1 + i) % 10_000).padStart(4, "0"))));
    const compared = results.concat(more).filter((r) => r.body.errors?.otp?.[0] === "Invalid OTP").length;
    expect(15 + compared).toBeLessThanOrEqual(20);
    expect(more.filter((r) => r.status === 429).length).toBeGreaterThan(0);
  });

  it("stops accepting codes after 20 wrong ones in a day (429), across codes", async () => {
    const { email, code: first } = await registered();
    let code = first;
    let mails = 1;
    for (let round = 0; round < 4; round++) {
      if (round > 0) code = await resent(email, ++mails, round * 61_000);
      for (let i = 0; i < 5; i++) expect((await verify(email, wrongCode(code))).body).toEqual(INVALID_OTP);
    }
    // A fresh code, the right one: still refused until the day is over.
    code = await resent(email, ++mails, 4 * 61_000);
    const res = await verify(email, code);
    expect(res.status, res.text).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(23 * 3600);
    expect(res.body).toEqual({ success: false, errors: { errors: [expect.stringMatching(/^Too many requests\. Try again in \d+ seconds\.$/)] } });
    // After the day, a new code works again.
    code = await resent(email, ++mails, 24 * 3600_000 + 5 * 61_000);
    expect((await verify(email, code)).status).toBe(200);
  });

  it("caps wrong codes for an address without an account exactly as for one with", async () => {
    const email = uniqueEmail("nobody");
    for (let i = 0; i < 20; i++) expect((await verify(email, "1234")).body).toEqual(INVALID_OTP);
    expect((await verify(email, "1234")).status).toBe(429);
  });
});

describe("POST /auth/resend/otp/", () => {
  it("is refused within 60 s of the register e-mail (429 with Retry-After)", async () => {
    const { email, code } = await registered();
    const res = await resend(email);
    expect(res.status, res.text).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.body).toMatchObject({ success: false, errors: { errors: [`Too many requests. Try again in ${retryAfter} seconds.`] } });
    // No new mail; the first code still works.
    expect((await verify(email, code)).status).toBe(200);
    expect(await mailsTo(email)).toHaveLength(1);
  });

  it("sends a new code after 60 s: 200 without otp, and the old code is void", async () => {
    const { email, code: old } = await registered();
    setClockOffset(61_000);
    const res = await resend(email);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual({ success: true, errors: {} });
    const fresh = codeIn(await waitForMail(email, 2))!;
    if (fresh !== old) expect((await verify(email, old)).status).toBe(400);
    expect((await verify(email, fresh)).status).toBe(200);
  });

  it("sends one code when 10 resends race", async () => {
    const { email } = await registered();
    setClockOffset(61_000);
    const results = await Promise.all(Array.from({ length: 10 }, () => resend(email)));
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(429)]);
    const code = codeIn(await waitForMail(email, 2))!;
    await expectMailCount(email, 2);
    expect((await verify(email, code)).status).toBe(200);
  });

  it("answers without the trailing slash too", async () => {
    const { email } = await registered();
    setClockOffset(61_000);
    expect((await api("POST", "/auth/resend/otp", { json: { email } })).status).toBe(200);
  });

  it("refuses a second resend within 60 s of the first", async () => {
    const { email } = await registered();
    setClockOffset(61_000);
    expect((await resend(email)).status).toBe(200);
    const again = await resend(email);
    expect(again.status).toBe(429);
    expect(again.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("answers an unknown address with VASITUM's e-mail error and otp: 0", async () => {
    const res = await resend(uniqueEmail("nobody"));
    expect(res.status).toBe(400);
    expect(res.body).toEqual(RESEND_REFUSED);
  });

  it("answers a verified account the same way", async () => {
    const { email, code } = await registered();
    expect((await verify(email, code)).status).toBe(200);
    setClockOffset(61_000);
    const res = await resend(email);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(RESEND_REFUSED);
  });

  it("answers a malformed or missing address with the e-mail error and otp: 0", async () => {
    const bad = await resend("ilmnmmmm@");
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual(RESEND_REFUSED);
    const missing = await api("POST", "/auth/resend/otp/", { json: {} });
    expect(missing.body).toEqual({ success: false, otp: 0, errors: { email: ["This field is required."] } });
  });
});

describe("per-address limits", () => {
  it.each([
    ["verify/otp", (from: Record<string, string>) => api("POST", "/auth/verify/otp/", { json: { email: uniqueEmail("x"), otp: "1234" }, headers: from }), 400],
    ["resend/otp", (from: Record<string, string>) => api("POST", "/auth/resend/otp/", { json: { email: uniqueEmail("x") }, headers: from }), 400],
  ] as const)("allow 30 %s requests per 5 minutes from one address, then 429", async (name, send, status) => {
    const from = { "x-forwarded-for": randomIp() };
    const answers = await Promise.all(Array.from({ length: 30 }, () => send(from)));
    expect(answers.map((r) => r.status)).toEqual(Array(30).fill(status));
    const limited = await send(from);
    expect(limited.status, limited.text).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.body.errors.errors).toEqual([expect.stringMatching(/^Too many requests\. Try again in \d+ seconds\.$/)]);
    // VASITUM's resend answers every failure with otp: 0.
    if (name === "resend/otp") expect(limited.body.otp).toBe(0);
    expect((await send({ "x-forwarded-for": randomIp() })).status).toBe(status);
  });
});
