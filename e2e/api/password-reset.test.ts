import { afterEach, describe, expect, it } from "vitest";
import { api, baseUrl, randomIp } from "./client";
import {
  authHeader,
  codeIn,
  confirmTokenIn,
  expectMailCount,
  expectNoMailTo,
  googleRegisteredUser,
  registeredVerifiedUser,
  resetTokenIn,
  setClockOffset,
  STRONG_PASSWORD,
  uniqueEmail,
  waitForMail,
} from "./helpers";

/** Forgot/reset password (`generate-link` type 3, `reset-password`), resend link (type 1), change password. */

const SENT = { success: true, errors: {}, message: "email_sent_successfully" };
const RESET_DONE = { success: true, errors: {}, message: "reset_password_successfully" };
const NEW_PASSWORD = "another long passphrase";
const TOO_SHORT = "This password is too short. It must contain at least 8 characters.";
const TOO_COMMON = "This password is too common.";
const HOUR_MS = 3600_000;
const WRONG_PASSWORD = {
  success: false,
  is_verified: false,
  tokens: {},
  errors: { password: ["Password mismatch"], description: "Invaild Email / Password. Try again" },
};

const generateLink = (email: unknown, requestType: unknown) =>
  api("POST", "/auth/generate-link", { json: { email, request_type: requestType } });
const resetPassword = (token: string | null, password: unknown, path = "/auth/reset-password") =>
  api("POST", path, { headers: token === null ? {} : authHeader(token, "Token"), json: { password } });
const login = (email: string, password: string) => api("POST", "/auth/login", { json: { email, password } });

function expectTokenError(res: { status: number; body: Record<string, any> }) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  expect(res.body).toEqual({ success: false, errors: { token: [expect.any(String)] } });
}

/** A verified account and the token of a reset link e-mailed to it. */
async function accountWithResetLink() {
  const user = await registeredVerifiedUser();
  const res = await generateLink(user.email, 3);
  expect(res.status, res.text).toBe(200);
  const token = resetTokenIn(await waitForMail(user.email, 2));
  expect(token).toBeTruthy();
  return { ...user, token: token! };
}

afterEach(() => setClockOffset(0));

describe("POST /auth/generate-link (request_type 3: forgot password)", () => {
  it("answers 200 email_sent_successfully and e-mails a link to APP_URL/reset-password", async () => {
    const { email } = await registeredVerifiedUser();
    const res = await generateLink(email, 3);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(SENT);
    const mail = await waitForMail(email, 2);
    const token = resetTokenIn(mail);
    expect(token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(mail.text).toContain(`${baseUrl()}/reset-password?token=${token}`);
  });

  it("answers the same for an unknown address and sends nothing", async () => {
    const email = uniqueEmail("nobody");
    const res = await generateLink(email, 3);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(SENT);
    await expectNoMailTo(email);
  });

  it("answers with and without the trailing slash, and for an address in another case", async () => {
    const { email } = await registeredVerifiedUser();
    const res = await api("POST", "/auth/generate-link/", { json: { email: email.toUpperCase(), request_type: "3" } });
    expect(res.status, res.text).toBe(200);
    expect(resetTokenIn(await waitForMail(email, 2))).toBeTruthy();
  });

  it("refuses request types other than 1 and 3 with DRF's choice message", async () => {
    for (const [value, shown] of [[2, "2"], ["x", "x"], [0, "0"], ["4", "4"]] as const) {
      const res = await generateLink(uniqueEmail("x"), value);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ success: false, errors: { request_type: [`"${shown}" is not a valid choice.`] } });
    }
    const missing = await api("POST", "/auth/generate-link", { json: { email: uniqueEmail("x") } });
    expect(missing.body).toEqual({ success: false, errors: { request_type: ["This field is required."] } });
  });

  it("refuses a malformed or missing e-mail", async () => {
    const bad = await generateLink("abc@", 3);
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ success: false, errors: { email: ["Enter a valid email address."] } });
    const missing = await api("POST", "/auth/generate-link", { json: { request_type: 3 } });
    expect(missing.body).toEqual({ success: false, errors: { email: ["This field is required."] } });
  });

  it("sends one link when 10 requests race", async () => {
    const { email } = await registeredVerifiedUser();
    const results = await Promise.all(Array.from({ length: 10 }, () => generateLink(email, 3)));
    expect(results.map((r) => r.status).sort()).toEqual([200, ...Array(9).fill(429)]);
    const token = resetTokenIn(await waitForMail(email, 2));
    await expectMailCount(email, 2);
    expect((await resetPassword(token, NEW_PASSWORD)).status).toBe(200);
  });

  it("voids an earlier reset link when a new one is sent", async () => {
    const { email, token: first } = await accountWithResetLink();
    setClockOffset(61_000);
    expect((await generateLink(email, 3)).status).toBe(200);
    const second = resetTokenIn(await waitForMail(email, 3))!;
    expectTokenError(await resetPassword(first, NEW_PASSWORD));
    expect((await resetPassword(second, NEW_PASSWORD)).status).toBe(200);
  });
});

describe("POST /auth/generate-link (request_type 1: resend the confirmation link)", () => {
  it("e-mails a fresh verification (code and link) to an unverified account", async () => {
    const email = uniqueEmail("unverified");
    expect((await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } })).status).toBe(200);
    const first = await waitForMail(email);
    setClockOffset(61_000);
    const res = await generateLink(email, 1);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(SENT);
    const second = await waitForMail(email, 2);
    expect(confirmTokenIn(second)).not.toBe(confirmTokenIn(first));
    expect(codeIn(second)).toMatch(/^\d{4}$/);
    const confirmed = await api("POST", "/auth/confirm-user", { headers: authHeader(confirmTokenIn(second)!, "Token") });
    expect(confirmed.status).toBe(200);
  });

  it("sends nothing to a verified account, with the same answer", async () => {
    const { email } = await registeredVerifiedUser();
    setClockOffset(61_000);
    const res = await generateLink(email, 1);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(SENT);
    await expectMailCount(email, 1);
  });

  it("sends nothing to an unknown address, with the same answer", async () => {
    const email = uniqueEmail("nobody");
    expect((await generateLink(email, 1)).body).toEqual(SENT);
    await expectNoMailTo(email);
  });
});

describe("POST /auth/reset-password", () => {
  it("refuses a weak password with Django's messages and keeps the link usable", async () => {
    const { token } = await accountWithResetLink();
    const short = await resetPassword(token, "k9mQz2x");
    expect(short.status).toBe(400);
    expect(short.body).toEqual({ success: false, errors: { password: [TOO_SHORT] } });
    const common = await resetPassword(token, "password");
    expect(common.body).toEqual({ success: false, errors: { password: [TOO_COMMON] } });
    const both = await resetPassword(token, "1234567");
    expect(both.body).toEqual({ success: false, errors: { password: [TOO_SHORT, TOO_COMMON] } });
    const tooLong = await resetPassword(token, "p".repeat(129));
    expect(tooLong.body).toEqual({ success: false, errors: { password: ["Ensure this field has no more than 128 characters."] } });
    const missing = await api("POST", "/auth/reset-password", { headers: authHeader(token, "Token"), json: {} });
    expect(missing.body).toEqual({ success: false, errors: { password: ["This field is required."] } });
    expect((await resetPassword(token, NEW_PASSWORD)).status).toBe(200);
  });

  it("sets the new password: 200, the old one fails, the new one works", async () => {
    const { email, password, token } = await accountWithResetLink();
    const res = await resetPassword(token, NEW_PASSWORD);
    expect(res.status, res.text).toBe(200);
    expect(res.body).toEqual(RESET_DONE);
    expect((await login(email, password)).body).toEqual(WRONG_PASSWORD);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
  });

  it("answers with the trailing slash and with Bearer too", async () => {
    const { token } = await accountWithResetLink();
    const res = await api("POST", "/auth/reset-password/", { headers: authHeader(token, "Bearer"), json: { password: NEW_PASSWORD } });
    expect(res.status, res.text).toBe(200);
  });

  it("accepts each link once", async () => {
    const { token } = await accountWithResetLink();
    expect((await resetPassword(token, NEW_PASSWORD)).status).toBe(200);
    expectTokenError(await resetPassword(token, "yet another passphrase"));
  });

  it("refuses a missing, garbage or confirmation-link token", async () => {
    expectTokenError(await resetPassword(null, NEW_PASSWORD));
    expectTokenError(await resetPassword("garbage", NEW_PASSWORD));
    const email = uniqueEmail("confirm-as-reset");
    await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } });
    expectTokenError(await resetPassword(confirmTokenIn(await waitForMail(email))!, NEW_PASSWORD));
  });

  it("accepts a link just before 1 hour", async () => {
    const { token } = await accountWithResetLink();
    setClockOffset(HOUR_MS - 5000);
    expect((await resetPassword(token, NEW_PASSWORD)).status).toBe(200);
  });

  it("refuses a link after 1 hour", async () => {
    const { email, password, token } = await accountWithResetLink();
    setClockOffset(HOUR_MS + 1000);
    expectTokenError(await resetPassword(token, NEW_PASSWORD));
    setClockOffset(0);
    expect((await login(email, password)).status).toBe(200);
  });

  it("revokes every refresh token of the user", async () => {
    const { email, password, tokens, token } = await accountWithResetLink();
    const second = (await login(email, password)).body.tokens;
    expect((await resetPassword(token, NEW_PASSWORD)).status).toBe(200);
    for (const refresh of [tokens.refresh, second.refresh]) {
      const res = await api("POST", "/auth/token/refresh/", { json: { refresh } });
      expect(res.status).toBe(401);
    }
  });

  it("lets exactly one of 10 concurrent resets with the same link succeed", async () => {
    const { email, token } = await accountWithResetLink();
    const passwords = Array.from({ length: 10 }, (_, i) => `concurrent passphrase ${i}`);
    const results = await Promise.all(passwords.map((p) => resetPassword(token, p)));
    const winners = passwords.filter((_, i) => results[i]!.status === 200);
    expect(winners).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 200)) expectTokenError(r);
    expect((await login(email, winners[0]!)).status).toBe(200);
  });
});

describe("per-address mail limits on generate-link", () => {
  it.each([
    ["an existing account", true],
    ["an unknown address", false],
  ])("allow one mail per 60 s for %s (then 429 with Retry-After)", async (_label, exists) => {
    const email = exists ? (await registeredVerifiedUser()).email : uniqueEmail("nobody");
    expect((await generateLink(email, 3)).status).toBe(200);
    const res = await generateLink(email, 3);
    expect(res.status, res.text).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.body).toEqual({ success: false, errors: { errors: [`Too many requests. Try again in ${retryAfter} seconds.`] } });
    setClockOffset(61_000);
    expect((await generateLink(email, 3)).status).toBe(200);
  });

  it.each([
    ["an existing account", true],
    ["an unknown address", false],
  ])("allow at most 10 per hour for %s", async (_label, exists) => {
    const email = exists ? (await registeredVerifiedUser()).email : uniqueEmail("nobody");
    for (let i = 0; i < 10; i++) {
      setClockOffset(i * 61_000);
      const res = await generateLink(email, 3);
      expect(res.status, `request ${i + 1}: ${res.text}`).toBe(200);
    }
    setClockOffset(10 * 61_000);
    const res = await generateLink(email, 3);
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(60);
    expect(retryAfter).toBeLessThanOrEqual(3600 - 10 * 61 + 1);
    if (exists) await expectMailCount(email, 11);
  });

  it("allow 30 requests per 5 minutes from one address, then 429", async () => {
    const from = { "x-forwarded-for": randomIp() };
    const send = () => api("POST", "/auth/generate-link", { json: { email: uniqueEmail("x"), request_type: 3 }, headers: from });
    const answers = await Promise.all(Array.from({ length: 30 }, send));
    expect(answers.map((r) => r.status)).toEqual(Array(30).fill(200));
    const limited = await send();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeLessThanOrEqual(300);
  });

  it("count verification and reset mails separately", async () => {
    const email = uniqueEmail("kinds");
    await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } });
    expect((await generateLink(email, 1)).status).toBe(429);
    expect((await generateLink(email, 3)).status).toBe(200);
  });
});

describe("a reset of an unverified account", () => {
  it("verifies the address (the link reached its mailbox) and voids the verification code", async () => {
    const email = uniqueEmail("unverified-reset");
    expect((await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } })).status).toBe(200);
    const code = codeIn(await waitForMail(email));
    expect((await generateLink(email, 3)).status).toBe(200);
    expect((await resetPassword(resetTokenIn(await waitForMail(email, 2)), NEW_PASSWORD)).status).toBe(200);
    const res = await login(email, NEW_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.body.is_verified).toBe(true);
    expect((await api("POST", "/auth/verify/otp/", { json: { email, otp: code } })).body.errors).toEqual({ otp: ["OTP has expired"] });
  });
});

describe("POST /auth/password/change/", () => {
  const change = (accessToken: string | null, body: unknown, path = "/auth/password/change/") =>
    api("POST", path, { headers: accessToken ? authHeader(accessToken) : {}, json: body });

  it("refuses a wrong or missing current password", async () => {
    const { tokens } = await registeredVerifiedUser();
    const wrong = await change(tokens.access_token, { old_password: "not my password", new_password: NEW_PASSWORD });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ success: false, errors: { old_password: ["Password mismatch"] } });
    const missing = await change(tokens.access_token, { new_password: NEW_PASSWORD });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.old_password).toEqual([expect.any(String)]);
  });

  it("applies the password policy to the new password", async () => {
    const { tokens, password } = await registeredVerifiedUser();
    const res = await change(tokens.access_token, { old_password: password, new_password: "1234567" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ success: false, errors: { new_password: [TOO_SHORT, TOO_COMMON] } });
    const missing = await change(tokens.access_token, { old_password: password });
    expect(missing.body).toEqual({ success: false, errors: { new_password: ["This field is required."] } });
  });

  it("changes the password and ends the other sessions, keeping the caller's", async () => {
    const { email, password, tokens } = await registeredVerifiedUser();
    const other = (await login(email, password)).body.tokens;
    const res = await change(tokens.access_token, { old_password: password, new_password: NEW_PASSWORD });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ success: true, errors: {} });

    expect((await api("POST", "/auth/token/refresh/", { json: { refresh: other.refresh } })).status).toBe(401);
    expect((await api("POST", "/auth/token/refresh/", { json: { refresh: tokens.refresh } })).status).toBe(200);
    expect((await login(email, password)).body).toEqual(WRONG_PASSWORD);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
  });

  it("keeps the caller's session when the access token came from a refresh", async () => {
    const { email, password, tokens } = await registeredVerifiedUser();
    const other = (await login(email, password)).body.tokens;
    const refreshed = (await api("POST", "/auth/token/refresh/", { json: { refresh: tokens.refresh } })).body.tokens;
    const res = await change(refreshed.access_token, { old_password: password, new_password: NEW_PASSWORD }, "/auth/password/change");
    expect(res.status, res.text).toBe(200);
    expect((await api("POST", "/auth/token/refresh/", { json: { refresh: refreshed.refresh } })).status).toBe(200);
    expect((await api("POST", "/auth/token/refresh/", { json: { refresh: other.refresh } })).status).toBe(401);
  });

  it("never sets a first password for an account without one: that takes the e-mailed link", async () => {
    const { email, tokens } = await googleRegisteredUser();
    const bare = await change(tokens.access_token, { new_password: NEW_PASSWORD });
    expect(bare.status).toBe(400);
    expect(bare.body).toEqual({ success: false, errors: { old_password: ["This field is required."] } });
    const guessed = await change(tokens.access_token, { old_password: "anything", new_password: NEW_PASSWORD });
    expect(guessed.status).toBe(400);
    expect(guessed.body.errors.old_password).toEqual([expect.stringMatching(/no password yet/)]);
    expect((await login(email, NEW_PASSWORD)).status).toBe(400);

    expect((await generateLink(email, 3)).status).toBe(200);
    const mail = await waitForMail(email);
    expect(mail.subject).toMatch(/Set a password/);
    expect((await resetPassword(resetTokenIn(mail), NEW_PASSWORD)).status).toBe(200);
    expect((await login(email, NEW_PASSWORD)).status).toBe(200);
  });

  it("counts a wrong current password as a failed login of the account from that address", async () => {
    const { email, password, tokens } = await registeredVerifiedUser();
    const ip = randomIp();
    const from = { "x-forwarded-for": ip };
    for (let i = 0; i < 10; i++) {
      const res = await api("POST", "/auth/password/change/", { headers: { ...authHeader(tokens.access_token), ...from }, json: { old_password: `guess ${i}`, new_password: NEW_PASSWORD } });
      expect(res.status).toBe(400);
    }
    const limited = await api("POST", "/auth/password/change/", { headers: { ...authHeader(tokens.access_token), ...from }, json: { old_password: password, new_password: NEW_PASSWORD } });
    expect(limited.status).toBe(429);
    expect((await api("POST", "/auth/login", { json: { email, password }, headers: from })).status).toBe(429);
  });

  it("voids reset links sent before it, and sends a notice", async () => {
    const { email, password, tokens } = await registeredVerifiedUser();
    expect((await generateLink(email, 3)).status).toBe(200);
    const resetLink = resetTokenIn(await waitForMail(email, 2));
    expect((await change(tokens.access_token, { old_password: password, new_password: NEW_PASSWORD })).status).toBe(200);
    expectTokenError(await resetPassword(resetLink, "yet another passphrase"));
    const notice = await waitForMail(email, 3);
    expect(notice.subject).toMatch(/password was changed/);
    expect(notice.text).toMatch(/^When: .* \(UTC\)$/m);
    expect(notice.text).toMatch(/^From: /m);
    expect(notice.text).toContain("/forgot-password");
  });

  it("requires an access token", async () => {
    const res = await change(null, { old_password: STRONG_PASSWORD, new_password: NEW_PASSWORD });
    expect(res.status).toBe(401);
    expect(res.body.success).toBe(false);
    const forged = await change("garbage", { old_password: STRONG_PASSWORD, new_password: NEW_PASSWORD });
    expect(forged.status).toBe(401);
  });
});
