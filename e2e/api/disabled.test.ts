import { randomUUID } from "node:crypto";
import { importJWK, SignJWT } from "jose";
import { describe, expect, inject, it } from "vitest";
import { api } from "./client";
import { authHeader, codeIn, confirmTokenIn, execSql, registeredVerifiedUser, resetTokenIn, STRONG_PASSWORD, uniqueEmail, waitForMail } from "./helpers";

/** A disabled account gets no tokens from any path, and the tokens it had stop working. */

const disable = (email: string) => execSql(`UPDATE "User" SET "disabledAt" = $1 WHERE "email" = $2`, [new Date().toISOString(), email]);
const DISABLED = { errors: ["This account has been disabled."] };

async function googleToken(email: string, sub: string) {
  const key = inject("googleSigningKey");
  const [audience] = inject("googleClientIds");
  const t = Math.floor(Date.now() / 1000);
  return new SignJWT({ email, email_verified: true, azp: audience })
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
    .setIssuer(inject("googleIssuerUrl"))
    .setAudience(audience!)
    .setSubject(sub)
    .setIssuedAt(t)
    .setExpirationTime(t + 3600)
    .sign(await importJWK(key, "RS256"));
}

describe("a disabled account", () => {
  it("gets no tokens from a password login (403), and its earlier tokens stop", async () => {
    const { email, tokens } = await registeredVerifiedUser();
    await disable(email);
    const res = await api("POST", "/auth/login/", { json: { email, password: STRONG_PASSWORD } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ success: false, errors: DISABLED, is_verified: false, tokens: {} });
    expect((await api("POST", "/auth/token/refresh/", { json: { refresh: tokens.refresh } })).status).toBe(401);
    expect((await api("GET", "/auth/me/", { headers: authHeader(tokens.access_token) })).status).toBe(401);
  });

  it("gets no tokens from the e-mailed code", async () => {
    const email = uniqueEmail("disabled");
    expect((await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } })).status).toBe(200);
    const code = codeIn(await waitForMail(email));
    await disable(email);
    const res = await api("POST", "/auth/verify/otp/", { json: { email, otp: code } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ success: false, errors: DISABLED });
  });

  it("gets no tokens from a Google login, linked or not", async () => {
    const email = uniqueEmail("disabled");
    const sub = randomUUID();
    const registered = await api("POST", "/auth/register/google/", { json: { auth_token: await googleToken(email, sub) } });
    expect(registered.status).toBe(200);
    await disable(email);
    const res = await api("POST", "/auth/login/google/", { json: { auth_token: await googleToken(email, sub) } });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ success: false, errors: DISABLED, tokens: {} });
  });

  it("gets no confirmation from the e-mailed link", async () => {
    const email = uniqueEmail("disabled");
    expect((await api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD } })).status).toBe(200);
    const token = confirmTokenIn(await waitForMail(email));
    await disable(email);
    const res = await api("POST", "/auth/confirm-user", { headers: authHeader(token!, "Token") });
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ success: false, errors: DISABLED });
  });

  it("sets no password with a reset link sent before it was disabled", async () => {
    const { email } = await registeredVerifiedUser();
    expect((await api("POST", "/auth/generate-link", { json: { email, request_type: 3 } })).status).toBe(200);
    const token = resetTokenIn(await waitForMail(email, 2));
    await disable(email);
    const res = await api("POST", "/auth/reset-password", { json: { password: `${STRONG_PASSWORD}!` }, headers: authHeader(token!, "Token") });
    expect(res.status, res.text).toBe(403);
    expect(res.body).toEqual({ success: false, errors: DISABLED });
    // The password did not change: the new one is a wrong password, answered as usual.
    expect((await api("POST", "/auth/login/", { json: { email, password: `${STRONG_PASSWORD}!` } })).status).toBe(400);
  });
});
