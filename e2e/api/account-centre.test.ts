import { randomUUID } from "node:crypto";
import { importJWK, SignJWT } from "jose";
import { describe, expect, inject, it } from "vitest";
import { api } from "./client";
import {
  authHeader,
  execSql,
  googleRegisteredUser,
  mailsTo,
  registeredVerifiedUser,
  serverClock,
  STRONG_PASSWORD,
  twoFactorUser,
  uniqueEmail,
  waitForMail,
} from "./helpers";

/** The account centre over HTTP: two-factor, passkeys (what the wire shows), e-mail change, deletion. */

const { later, totp: codeFor } = serverClock();

const post = (path: string, token: string | null, json: unknown = {}) => api("POST", path, { headers: token ? authHeader(token) : {}, json });
const login = (email: string, password = STRONG_PASSWORD) => api("POST", "/auth/login/", { json: { email, password } });
const INVALID_CODE = { success: false, errors: { code: ["Invalid code"] }, is_verified: false, tokens: {} };

const withTwoFactor = () => twoFactorUser({ later, totp: codeFor });

describe("two-factor authentication (TOTP)", () => {
  it("is set up with a secret, an otpauth URL and a QR code, and is on only once a first code is right", async () => {
    const { email, tokens } = await registeredVerifiedUser();
    const setup = await post("/auth/2fa/totp/setup/", tokens.access_token);
    expect(setup.status, setup.text).toBe(200);
    expect(setup.body).toEqual({ success: true, errors: {}, secret: expect.stringMatching(/^[A-Z2-7]{32}$/), otpauth_url: expect.any(String), qr_svg: expect.any(String) });
    const url = new URL(setup.body.otpauth_url);
    expect(url.protocol).toBe("otpauth:");
    expect(url.searchParams.get("secret")).toBe(setup.body.secret);
    // RFC 6238's defaults, which authenticator apps assume when the URL leaves them out.
    expect(url.searchParams.get("algorithm") ?? "SHA1").toBe("SHA1");
    expect(url.searchParams.get("digits") ?? "6").toBe("6");
    expect(url.searchParams.get("period") ?? "30").toBe("30");
    expect(setup.body.qr_svg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // Not on yet: a login is a plain login.
    expect((await login(email)).body.message).toBe("login_success");

    const wrong = await post("/auth/2fa/totp/enable/", tokens.access_token, { code: "000000" });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toEqual({ success: false, errors: { code: ["Invalid code"] } });
    const enabled = await post("/auth/2fa/totp/enable/", tokens.access_token, { code: await codeFor(setup.body.secret) });
    expect(enabled.status, enabled.text).toBe(200);
    expect(enabled.body.recovery_codes).toHaveLength(10);
    expect(new Set(enabled.body.recovery_codes).size).toBe(10);
    for (const c of enabled.body.recovery_codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);
    const notice = await waitForMail(email, 2);
    expect(notice.subject).toMatch(/Two-factor authentication is on/);

    const again = await post("/auth/2fa/totp/setup/", tokens.access_token);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ success: false, errors: { errors: ["Two-factor authentication is already on."] } });
    // Stored sealed and as digests only.
    const [row] = await execSql<{ totpSecret: string }>(`SELECT "totpSecret" FROM "User" WHERE "email" = $1`, [email]);
    expect(row!.totpSecret).not.toContain(setup.body.secret);
    const codes = await execSql<{ codeHash: string }>(`SELECT "codeHash" FROM "RecoveryCode"`);
    expect(JSON.stringify(codes)).not.toContain(enabled.body.recovery_codes[0].replace("-", ""));
  });

  it("makes a login ask for a second step, which an authenticator code completes once", async () => {
    const { email, userId, secret } = await withTwoFactor();
    const first = await login(email);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ success: true, message: "mfa_required", is_verified: true, mfa_required: true, mfa_token: expect.any(String), tokens: {}, errors: {} });

    const code = await codeFor(secret);
    const done = await post("/auth/login/2fa/", null, { mfa_token: first.body.mfa_token, code });
    expect(done.status, done.text).toBe(200);
    expect(done.body).toMatchObject({ success: true, message: "login_success", is_verified: true, tokens: { access_token: expect.any(String), refresh: expect.any(String) }, user: { email, userid: userId } });
    expect((await api("GET", "/auth/me/", { headers: authHeader(done.body.tokens.access_token) })).status).toBe(200);

    // The token is spent, and the same code cannot be used again within its step.
    expect((await post("/auth/login/2fa/", null, { mfa_token: first.body.mfa_token, code })).body.errors).toEqual({ mfa_token: ["Sign in again"] });
    const second = await login(email);
    expect((await post("/auth/login/2fa/", null, { mfa_token: second.body.mfa_token, code })).body).toEqual(INVALID_CODE);
  });

  it("takes each recovery code once", async () => {
    const { email, recoveryCodes } = await withTwoFactor();
    const first = await login(email);
    const done = await post("/auth/login/2fa/", null, { mfa_token: first.body.mfa_token, recovery_code: recoveryCodes[3]!.toUpperCase() });
    expect(done.status, done.text).toBe(200);
    const second = await login(email);
    expect((await post("/auth/login/2fa/", null, { mfa_token: second.body.mfa_token, recovery_code: recoveryCodes[3] })).body).toEqual(INVALID_CODE);
  });

  it("voids the second step after 5 wrong codes, and after 5 minutes", async () => {
    const { email, secret } = await withTwoFactor();
    const first = await login(email);
    for (let i = 0; i < 5; i++) expect((await post("/auth/login/2fa/", null, { mfa_token: first.body.mfa_token, code: "000000" })).body).toEqual(INVALID_CODE);
    const dead = await post("/auth/login/2fa/", null, { mfa_token: first.body.mfa_token, code: await codeFor(secret) });
    expect(dead.status).toBe(400);
    expect(dead.body.errors).toEqual({ mfa_token: ["Sign in again"] });

    const second = await login(email);
    later(5 * 60_000 + 1000);
    expect((await post("/auth/login/2fa/", null, { mfa_token: second.body.mfa_token, code: await codeFor(secret) })).body.errors).toEqual({ mfa_token: ["Sign in again"] });
  });

  it("counts wrong second-step codes toward the account's 20 wrong codes a day", async () => {
    const { email, secret } = await withTwoFactor();
    for (let round = 0; round < 4; round++) {
      const token = (await login(email)).body.mfa_token;
      for (let i = 0; i < 5; i++) await post("/auth/login/2fa/", null, { mfa_token: token, code: "000000" });
    }
    const token = (await login(email)).body.mfa_token;
    const limited = await post("/auth/login/2fa/", null, { mfa_token: token, code: await codeFor(secret) });
    expect(limited.status).toBe(429);
  });

  it("asks for the second step after a Google login too", async () => {
    const { email, secret } = await withTwoFactor();
    const key = inject("googleSigningKey");
    const [audience] = inject("googleClientIds");
    const t = Math.floor(Date.now() / 1000);
    const idToken = await new SignJWT({ email, email_verified: true, azp: audience })
      .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
      .setIssuer(inject("googleIssuerUrl"))
      .setAudience(audience!)
      .setSubject(randomUUID())
      .setIssuedAt(t)
      .setExpirationTime(t + 3600)
      .sign(await importJWK(key, "RS256"));
    const google = await api("POST", "/auth/login/google/", { json: { auth_token: idToken } });
    expect(google.body).toMatchObject({ message: "mfa_required", mfa_required: true, tokens: {} });
    expect((await post("/auth/login/2fa/", null, { mfa_token: google.body.mfa_token, code: await codeFor(secret) })).status).toBe(200);
  });

  it("gives new recovery codes for an authenticator code, and the old ones stop", async () => {
    const { email, tokens, secret, recoveryCodes } = await withTwoFactor();
    const fresh = await post("/auth/2fa/recovery-codes/", tokens.access_token, { code: await codeFor(secret) });
    expect(fresh.status, fresh.text).toBe(200);
    expect(fresh.body.recovery_codes).toHaveLength(10);
    const token = (await login(email)).body.mfa_token;
    expect((await post("/auth/login/2fa/", null, { mfa_token: token, recovery_code: recoveryCodes[0] })).body).toEqual(INVALID_CODE);
    expect((await post("/auth/login/2fa/", null, { mfa_token: token, recovery_code: fresh.body.recovery_codes[0] })).status).toBe(200);
  });

  it("is turned off with a recovery code, and the login is one step again", async () => {
    const { email, tokens, recoveryCodes } = await withTwoFactor();
    // Notices to one address go out at most one a minute (the contract's mail limits).
    later(61_000);
    expect((await post("/auth/2fa/disable/", tokens.access_token, { code: "000000" })).body).toEqual({ success: false, errors: { code: ["Invalid code"] } });
    const off = await post("/auth/2fa/disable/", tokens.access_token, { code: recoveryCodes[9] });
    expect(off.status, off.text).toBe(200);
    expect((await login(email)).body.message).toBe("login_success");
    expect((await waitForMail(email, 3)).subject).toMatch(/Two-factor authentication is off/);
  });

  it("needs an access token for every step but the second step of a login", async () => {
    for (const path of ["/auth/2fa/totp/setup/", "/auth/2fa/totp/enable/", "/auth/2fa/recovery-codes/", "/auth/2fa/disable/"]) {
      expect((await post(path, null, { code: "123456" })).status, path).toBe(401);
    }
    const missing = await post("/auth/login/2fa/", null, { mfa_token: "x" });
    expect(missing.body.errors).toEqual({ code: ["This field is required."] });
  });
});

describe("passkeys, as far as the wire shows", () => {
  it("gives creation options for the caller and request options for anyone", async () => {
    const { email, tokens } = await registeredVerifiedUser();
    const create = await post("/auth/passkeys/register/options/", tokens.access_token);
    expect(create.status, create.text).toBe(200);
    const { options } = create.body;
    expect(options).toMatchObject({ rp: { id: "127.0.0.1" }, user: { name: email }, attestation: "none", authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" } });
    expect(options.challenge).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(options.user.id).not.toContain(email);
    const get = await post("/auth/passkeys/login/options/", null);
    expect(get.status).toBe(200);
    expect(get.body.options).toMatchObject({ rpId: "127.0.0.1", userVerification: "preferred" });
    expect(get.body.options.allowCredentials ?? []).toEqual([]);
  });

  it("refuses a response that is no passkey, lists none, and answers 404 for a passkey that is not the caller's", async () => {
    const { tokens } = await registeredVerifiedUser();
    const bad = await post("/auth/passkeys/register/", tokens.access_token, { response: { id: "x", type: "public-key", response: {} } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual({ response: ["The passkey could not be verified. Please try again."] });
    expect((await post("/auth/passkeys/login/", null, { response: { id: "nope" } })).body.errors).toEqual({ response: ["The passkey could not be verified. Please try again."] });
    expect((await post("/auth/passkeys/login/", null, {})).body.errors).toEqual({ response: ["This field is required."] });
    const list = await api("GET", "/auth/passkeys/", { headers: authHeader(tokens.access_token) });
    expect(list.body).toEqual({ success: true, errors: {}, passkeys: [] });
    const gone = await api("DELETE", "/auth/passkeys/AAAA/", { headers: authHeader(tokens.access_token) });
    expect(gone.status).toBe(404);
  });
});

describe("changing the e-mail address", () => {
  it("changes nothing until the link sent to the new address is opened; then the address is the new one", async () => {
    const { email, tokens, userId } = await registeredVerifiedUser();
    const other = (await login(email)).body.tokens;
    const newEmail = uniqueEmail("moved");
    const asked = await post("/auth/email/change/", tokens.access_token, { new_email: newEmail.toUpperCase(), password: STRONG_PASSWORD });
    expect(asked.status, asked.text).toBe(200);
    const notice = await waitForMail(email, 2);
    expect(notice.subject).toMatch(/Someone asked to change your .* e-mail address/);
    expect(notice.text).toContain(newEmail);
    const link = await waitForMail(newEmail);
    const token = /\/confirm-email\?token=([A-Za-z0-9_-]+)/.exec(link.text)?.[1];
    expect(token).toBeTruthy();
    // Nothing changed yet.
    expect((await login(email)).status).toBe(200);
    expect((await login(newEmail)).status).toBe(400);

    // A minute later (notices to one address go out at most one a minute).
    later(61_000);
    const confirmed = await api("POST", "/auth/email/confirm/", { headers: authHeader(token!, "Token") });
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.body.user).toMatchObject({ userid: userId, email: newEmail, is_verified: true });
    expect((await login(newEmail)).status).toBe(200);
    expect((await login(email)).status).toBe(400);
    expect((await api("GET", "/auth/me/", { headers: authHeader(other.access_token) })).status).toBe(401);
    expect((await waitForMail(email, 3)).subject).toMatch(/e-mail address of your .* account was changed/);
    // The link works once.
    expect((await api("POST", "/auth/email/confirm/", { headers: authHeader(token!, "Token") })).body).toEqual({ success: false, errors: { token: ["E-mail change link is invalid or has expired"] } });
  });

  it("refuses a taken address, a wrong password, and a missing one", async () => {
    const { tokens } = await registeredVerifiedUser();
    const taken = await registeredVerifiedUser();
    expect((await post("/auth/email/change/", tokens.access_token, { new_email: taken.email, password: STRONG_PASSWORD })).body).toEqual({ success: false, errors: { new_email: [`${taken.email} is already register with us`] } });
    expect((await post("/auth/email/change/", tokens.access_token, { new_email: uniqueEmail(), password: "wrong password" })).body).toEqual({ success: false, errors: { password: ["Password mismatch"] } });
    expect((await post("/auth/email/change/", tokens.access_token, { new_email: uniqueEmail() })).body).toEqual({ success: false, errors: { password: ["This field is required."] } });
  });

  it("needs no password for an account without one (Google only)", async () => {
    const { tokens } = await googleRegisteredUser();
    expect((await post("/auth/email/change/", tokens.access_token, { new_email: uniqueEmail("g-moved") })).status).toBe(200);
  });
});

describe("deleting the account", () => {
  it("needs the password; then every session ends, the data is gone and the address may register again", async () => {
    const { email, tokens, userId } = await registeredVerifiedUser();
    const remove = (json: unknown) => api("DELETE", "/auth/me/", { headers: authHeader(tokens.access_token), json });
    expect((await remove({ password: "wrong password" })).body).toEqual({ success: false, errors: { password: ["Password mismatch"] } });
    expect((await remove({})).body).toEqual({ success: false, errors: { password: ["This field is required."] } });
    const done = await remove({ password: STRONG_PASSWORD });
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ success: true, errors: {} });

    expect((await api("GET", "/auth/me/", { headers: authHeader(tokens.access_token) })).status).toBe(401);
    expect((await api("POST", "/auth/token/refresh/", { json: { refresh: tokens.refresh } })).status).toBe(401);
    expect((await login(email)).body.errors.email).toEqual(["E-mail doesn't exists"]);
    expect(await execSql(`SELECT "id" FROM "User" WHERE "id" = $1`, [userId])).toEqual([]);
    const audit = await execSql<{ ip: string | null; userAgent: string | null; userId: number | null }>(`SELECT "ip", "userAgent", "userId" FROM "AuditEvent" WHERE "detail" LIKE $1`, [`%"user_id":${userId}%`]);
    expect(audit).toEqual([{ ip: null, userAgent: null, userId: null }]);
    await expect.poll(async () => (await mailsTo(email)).map((m) => m.subject)).toContainEqual(expect.stringMatching(/account was deleted/));
    expect((await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } })).status).toBe(200);
  });

  it("takes the address and a fresh proof from an account without a password", async () => {
    const { email, tokens } = await googleRegisteredUser();
    const remove = (json: unknown) => api("DELETE", "/auth/me/", { headers: authHeader(tokens.access_token), json });
    expect((await remove({ email: uniqueEmail() })).body).toEqual({ success: false, errors: { email: ["Enter the e-mail address of this account."] } });
    later(11 * 60_000);
    const stale = await remove({ email });
    expect(stale.status).toBe(403);
    expect(stale.body).toEqual({ success: false, errors: { errors: ["Confirm it's you first."] }, reauthentication_required: true });
  });

  it("deletes an account without a password right after its sign-in", async () => {
    const { email, tokens } = await googleRegisteredUser();
    expect((await api("DELETE", "/auth/me/", { headers: authHeader(tokens.access_token), json: { email } })).status).toBe(200);
    expect((await api("GET", "/auth/me/", { headers: authHeader(tokens.access_token) })).status).toBe(401);
  });
});
