import { describe, expect, it } from "vitest";
import { api } from "./client";
import {
  authHeader,
  codeIn,
  googleIdTokenFor,
  googleRegisteredUser,
  jwtPayload,
  mailsTo,
  registeredVerifiedUser,
  resetTokenIn,
  serverClock,
  STRONG_PASSWORD,
  twoFactorUser,
  uniqueEmail,
  waitForMail,
} from "./helpers";

/**
 * Trust II over HTTP: sensitive changes need a fresh proof (POST /auth/reauthenticate/), an
 * unverified account adds nothing to its account centre, and security events end what they should.
 */

const { later, totp: codeFor } = serverClock();

const STALE = 11 * 60_000;

/** The first mail to `to` whose text matches `pattern`, once it has arrived. */
async function mailMatching(to: string, pattern: RegExp) {
  await expect.poll(async () => (await mailsTo(to)).some((m) => pattern.test(m.text)), { timeout: 15_000 }).toBe(true);
  return (await mailsTo(to)).find((m) => pattern.test(m.text))!;
}
const REAUTHENTICATE = { success: false, errors: { errors: ["Confirm it's you first."] }, reauthentication_required: true };
const UNVERIFIED = { success: false, errors: { errors: ["Confirm your e-mail address first."] } };

const call = (method: string, path: string, token: string | null, json: unknown = {}) => api(method, path, { headers: token ? authHeader(token) : {}, json });
const post = (path: string, token: string | null, json: unknown = {}) => call("POST", path, token, json);
const me = (token: string) => api("GET", "/auth/me/", { headers: authHeader(token) });
const login = (email: string, password = STRONG_PASSWORD) => api("POST", "/auth/login/", { json: { email, password } });

const withTwoFactor = () => twoFactorUser({ later, totp: codeFor });

describe("a stolen access token alone (a sign-in 11 minutes old)", () => {
  it("adds no passkey and sets up no two-factor: 403 with reauthentication_required", async () => {
    const { tokens } = await registeredVerifiedUser();
    later(STALE);
    for (const path of ["/auth/passkeys/register/options/", "/auth/passkeys/register/", "/auth/2fa/totp/setup/", "/auth/2fa/totp/enable/"]) {
      const res = await post(path, tokens.access_token, { code: "123456", response: { id: "x" } });
      expect(res.status, path).toBe(403);
      expect(res.body, path).toEqual(REAUTHENTICATE);
    }
  });

  it("moves no address of an account without a password, and deletes none", async () => {
    const { email, tokens } = await googleRegisteredUser();
    later(STALE);
    expect((await post("/auth/email/change/", tokens.access_token, { new_email: uniqueEmail("thief") })).body).toEqual(REAUTHENTICATE);
    expect((await call("DELETE", "/auth/me/", tokens.access_token, { email })).body).toEqual(REAUTHENTICATE);
    expect((await me(tokens.access_token)).body.user.email).toBe(email);
  });

  it("makes no recovery codes and turns two-factor off for nobody", async () => {
    const { tokens, secret, recoveryCodes } = await withTwoFactor();
    later(STALE);
    expect((await post("/auth/2fa/recovery-codes/", tokens.access_token, { code: await codeFor(secret) })).body).toEqual(REAUTHENTICATE);
    expect((await post("/auth/2fa/disable/", tokens.access_token, { code: recoveryCodes[0] })).body).toEqual(REAUTHENTICATE);
  });

  it("still changes the password with the old one, which is a proof in itself", async () => {
    const { tokens } = await registeredVerifiedUser();
    later(STALE);
    const changed = await post("/auth/password/change/", tokens.access_token, { old_password: STRONG_PASSWORD, new_password: "another long passphrase" });
    expect(changed.status, changed.text).toBe(200);
  });
});

describe("POST /auth/reauthenticate/", () => {
  it("takes the password and answers fresh tokens whose auth_time is now; the session's sensitive changes work again", async () => {
    const { tokens } = await registeredVerifiedUser();
    const first = jwtPayload(tokens.access_token);
    // This session began with the e-mailed code that verified the account.
    expect(first).toMatchObject({ amr: ["otp"], auth_time: expect.any(Number) });
    later(STALE);
    const wrong = await post("/auth/reauthenticate/", tokens.access_token, { password: "wrong password" });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ success: false, errors: { password: ["Password mismatch"] } });

    const done = await post("/auth/reauthenticate/", tokens.access_token, { password: STRONG_PASSWORD });
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ success: true, errors: {}, tokens: { access_token: expect.any(String), refresh: expect.any(String) } });
    const fresh = jwtPayload(done.body.tokens.access_token);
    expect(fresh.sid).toBe(first.sid);
    expect(fresh.auth_time).toBeGreaterThanOrEqual(first.auth_time + STALE / 1000);
    expect(fresh.amr).toEqual(["pwd"]);
    // The proof belongs to the session: its older access token may go on too.
    expect((await post("/auth/2fa/totp/setup/", tokens.access_token)).status).toBe(200);

    // A refresh renews the tokens, never the proof.
    const refreshed = await post("/auth/token/refresh/", null, { refresh: done.body.tokens.refresh });
    expect(refreshed.status, refreshed.text).toBe(200);
    expect(jwtPayload(refreshed.body.tokens.access_token).auth_time).toBe(fresh.auth_time);
    later(STALE);
    expect((await post("/auth/2fa/totp/setup/", refreshed.body.tokens.access_token)).body).toEqual(REAUTHENTICATE);
  });

  it("asks a two-factor account for the password and a code together", async () => {
    const { tokens, secret } = await withTwoFactor();
    // Begun with the e-mailed code; enabling two-factor added the authenticator's.
    expect(jwtPayload((await post("/auth/token/refresh/", null, { refresh: tokens.refresh })).body.tokens.access_token).amr).toEqual(["otp", "mfa"]);
    later(STALE);
    const missing = await post("/auth/reauthenticate/", tokens.access_token, { password: STRONG_PASSWORD });
    expect(missing.body).toEqual({ success: false, errors: { code: ["This field is required."] } });
    const wrong = await post("/auth/reauthenticate/", tokens.access_token, { password: STRONG_PASSWORD, code: "000000" });
    expect(wrong.body).toEqual({ success: false, errors: { code: ["Invalid code"] } });
    const done = await post("/auth/reauthenticate/", tokens.access_token, { password: STRONG_PASSWORD, code: await codeFor(secret) });
    expect(done.status, done.text).toBe(200);
    expect(jwtPayload(done.body.tokens.access_token).amr).toEqual(["pwd", "otp", "mfa"]);
    later(31_000);
    expect((await post("/auth/2fa/recovery-codes/", done.body.tokens.access_token, { code: await codeFor(secret) })).status).toBe(200);
  });

  it("e-mails a 6-digit code to an account without a password on {}, and takes it as {otp}", async () => {
    const { email, tokens } = await googleRegisteredUser();
    later(STALE);
    expect((await post("/auth/reauthenticate/", tokens.access_token, { password: "anything" })).body).toEqual({ success: false, errors: { otp: ["This field is required."] } });
    const asked = await post("/auth/reauthenticate/", tokens.access_token, {});
    expect(asked.status, asked.text).toBe(200);
    expect(asked.body).toEqual({ success: true, errors: {}, message: "reauthentication_code_sent" });
    const mail = await waitForMail(email);
    expect(mail.subject).toMatch(/confirmation code/);
    const otp = codeIn(mail)!;
    expect(otp).toMatch(/^\d{6}$/);
    const done = await post("/auth/reauthenticate/", tokens.access_token, { otp });
    expect(done.status, done.text).toBe(200);
    expect(jwtPayload(done.body.tokens.access_token).amr).toEqual(["otp"]);
    expect((await post("/auth/reauthenticate/", tokens.access_token, { otp })).body.errors).toEqual({ otp: ["This code has expired. Ask for a new one."] });
    expect((await post("/auth/email/change/", tokens.access_token, { new_email: uniqueEmail("g-moved") })).status).toBe(200);
  });

  it("asks a password account for its password, not an e-mailed code", async () => {
    const { tokens } = await registeredVerifiedUser();
    expect((await post("/auth/reauthenticate/", tokens.access_token, {})).body).toEqual({ success: false, errors: { password: ["This field is required."] } });
  });

  it("gives passkey options only to an account with a passkey, and needs an access token", async () => {
    const { tokens } = await registeredVerifiedUser();
    expect((await post("/auth/reauthenticate/passkey/options/", tokens.access_token)).body).toEqual({ success: false, errors: { response: ["This account has no passkey."] } });
    expect((await post("/auth/reauthenticate/", null, { password: STRONG_PASSWORD })).status).toBe(401);
    expect((await post("/auth/reauthenticate/passkey/options/", null)).status).toBe(401);
  });
});

describe("an unverified account", () => {
  it("adds no passkey, sets up no two-factor and changes no address: 403", async () => {
    const email = uniqueEmail("unverified");
    const reg = await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } });
    const token = reg.body.tokens.access_token as string;
    for (const [path, json] of [
      ["/auth/passkeys/register/options/", {}],
      ["/auth/2fa/totp/setup/", {}],
      ["/auth/email/change/", { new_email: uniqueEmail("away"), password: STRONG_PASSWORD }],
    ] as const) {
      const res = await post(path, token, json);
      expect(res.status, path).toBe(403);
      expect(res.body, path).toEqual(UNVERIFIED);
    }
    // It may still log out and delete itself.
    expect((await call("DELETE", "/auth/me/", token, { password: STRONG_PASSWORD })).status).toBe(200);
  });
});

describe("what security events end", () => {
  it("a password reset ends a pending e-mail change and a second step begun with the old password", async () => {
    const { email, tokens, secret } = await withTwoFactor();
    const newEmail = uniqueEmail("pending");
    expect((await post("/auth/email/change/", tokens.access_token, { new_email: newEmail, password: STRONG_PASSWORD })).status).toBe(200);
    const change = /\/confirm-email\?token=([A-Za-z0-9_-]+)/.exec((await waitForMail(newEmail)).text)![1]!;
    const secondStep = (await login(email)).body.mfa_token as string;
    expect(secondStep).toBeTruthy();
    later(61_000);
    await post("/auth/generate-link", null, { email, request_type: 3 });
    const reset = resetTokenIn(await mailMatching(email, /reset-password\?token=/))!;
    expect((await api("POST", "/auth/reset-password", { headers: authHeader(reset, "Token"), json: { password: "another long passphrase" } })).status).toBe(200);

    expect((await api("POST", "/auth/email/confirm/", { headers: authHeader(change, "Token") })).body.errors).toEqual({ token: ["E-mail change link is invalid or has expired"] });
    expect((await post("/auth/login/2fa/", null, { mfa_token: secondStep, code: await codeFor(secret) })).body.errors).toEqual({ mfa_token: ["Sign in again"] });
  });

  it("turning two-factor on ends the other sessions that only a password opened", async () => {
    const { email, tokens } = await registeredVerifiedUser();
    const other = (await login(email)).body.tokens;
    const setup = await post("/auth/2fa/totp/setup/", tokens.access_token);
    expect((await post("/auth/2fa/totp/enable/", tokens.access_token, { code: await codeFor(setup.body.secret) })).status).toBe(200);
    expect((await me(other.access_token)).status).toBe(401);
    expect((await post("/auth/token/refresh/", null, { refresh: other.refresh })).status).toBe(401);
    expect((await me(tokens.access_token)).status).toBe(200);
  });

  it("the address proven by a Google sign-in ends the sessions and the password of whoever registered it before", async () => {
    // A squatter registers the owner's address (never verified) ...
    const email = uniqueEmail("squatted");
    const { tokens } = (await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } })).body;
    // ... and can add nothing that would outlive the owner's proof: no passkey, no move of the address ...
    expect((await post("/auth/passkeys/register/options/", tokens.access_token)).body).toEqual(UNVERIFIED);
    expect((await post("/auth/email/change/", tokens.access_token, { new_email: uniqueEmail("squatter"), password: STRONG_PASSWORD })).body).toEqual(UNVERIFIED);
    // ... then the owner signs in with Google, which proves the address.
    const google = await post("/auth/login/google/", null, { auth_token: await googleIdTokenFor(email) });
    expect(google.status, google.text).toBe(200);
    expect((await me(tokens.access_token)).status).toBe(401);
    expect((await login(email)).status).toBe(400);
  });
});
