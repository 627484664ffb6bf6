import { randomBytes, randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { importJWK, SignJWT } from "jose";
import pg from "pg";
import { generate } from "otplib";
import { afterEach, expect, inject } from "vitest";
import { mailbox, STRONG_PASSWORD, uniqueEmail, type Mail } from "../support/mailbox";
import { api, baseUrl, randomIp } from "./client";

import { actionId as actionIdIn } from "../support/server-actions.mjs";
export { STRONG_PASSWORD, uniqueEmail, type Mail } from "../support/mailbox";

export const { mailsTo, waitForMail } = mailbox(() => inject("mailApiUrl"));

export async function setSmtpOutage(on: boolean): Promise<void> {
  await fetch(`${inject("mailApiUrl")}/outage?on=${on ? 1 : 0}`, { method: "POST" });
}

export const codeIn = (mail: Mail) => /\b(\d{4,10})\b/.exec(mail.text)?.[1] ?? null;
export const confirmTokenIn = (mail: Mail) => /\/confirm\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] ?? null;
export const resetTokenIn = (mail: Mail) => /\/reset-password\?token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] ?? null;

/** Moves the server's clock: `ms` from real time. Reset to 0 in afterEach of tests that use it. */
export function setClockOffset(ms: number): void {
  writeFileSync(inject("clockFile"), String(ms));
}

/**
 * The server's clock, moved forward by a test (`later`) and back to real time after each test;
 * `totp` is an authenticator's code at the server's time. Call once at a test file's top level.
 */
export function serverClock() {
  let offset = 0;
  afterEach(() => {
    offset = 0;
    setClockOffset(0);
  });
  return {
    later(ms: number) {
      offset += ms;
      setClockOffset(offset);
    },
    totp: (secret: string) => generate({ secret, epoch: Math.floor((Date.now() + offset) / 1000) }),
  };
}

/** A verified account with two-factor on (set up and enabled over HTTP), a time step after the code that enabled it. */
export async function twoFactorUser(clock: ReturnType<typeof serverClock>) {
  const user = await registeredVerifiedUser();
  const auth = { headers: { authorization: `Bearer ${user.tokens.access_token}` } };
  const setup = await api("POST", "/auth/2fa/totp/setup/", { ...auth, json: {} });
  expect(setup.status, setup.text).toBe(200);
  const enabled = await api("POST", "/auth/2fa/totp/enable/", { ...auth, json: { code: await clock.totp(setup.body.secret) } });
  expect(enabled.status, enabled.text).toBe(200);
  clock.later(31_000);
  return { ...user, secret: setup.body.secret as string, recoveryCodes: enabled.body.recovery_codes as string[] };
}

/** The production build's server actions (their ids change with every build), by exported name. */
export const actionId = (name: string): string => actionIdIn(path.resolve(import.meta.dirname, "../.."), name);

/**
 * Posts a form's server action on `page` as React's client does (useActionState's `(previous,
 * formData)`): the form's fields, then the arguments that refer to them.
 */
export async function postFormAction(page: string, name: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  const boundary = `----test${randomBytes(12).toString("hex")}`;
  const parts = [...Object.entries(fields).map(([k, v]) => [`_1_${k}`, v]), ["0", `[{"status":"idle"},"$K1"]`]];
  const body = parts
    .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
    .join("")
    .concat(`--${boundary}--\r\n`);
  return fetch(`${baseUrl()}${page}`, {
    method: "POST",
    redirect: "manual",
    headers: {
      origin: baseUrl(),
      accept: "text/x-component",
      "next-action": actionId(name),
      "content-type": `multipart/form-data; boundary=${boundary}`,
      "x-forwarded-for": randomIp(),
      ...headers,
    },
    body,
  });
}

/** Registers through VASITUM's register and verifies with the e-mailed code; returns the tokens. */
export async function registeredVerifiedUser(email = uniqueEmail(), password = STRONG_PASSWORD) {
  const reg = await api("POST", "/auth/register/", { json: { email, password } });
  if (reg.status !== 200) throw new Error(`register failed: ${reg.text}`);
  const code = codeIn(await waitForMail(email));
  const verified = await api("POST", "/auth/verify/otp/", { json: { email, otp: code } });
  if (verified.status !== 200) throw new Error(`verify failed: ${verified.text}`);
  const me = await api("GET", "/auth/me/", { headers: { authorization: `Bearer ${verified.body.tokens.access_token}` } });
  return { email, password, userId: me.body.user.userid as number, tokens: verified.body.tokens as { access_token: string; refresh: string } };
}

/** `Authorization` header for a token; the contract accepts both `Token` and `Bearer`. */
export const authHeader = (token: string, scheme: "Token" | "Bearer" = "Bearer") => ({ authorization: `${scheme} ${token}` });

/**
 * Asserts that exactly `count` mails reached `to` and no more are on their way. The outbox claims
 * in order, so a marker mail queued after the request under test is awaited first. The rows of one
 * round go out in parallel (several pooled SMTP connections), so a mail claimed with the marker may
 * land a moment after it: the count may still rise to `count` during a short poll, never past it.
 */
export async function expectMailCount(to: string, count: number): Promise<void> {
  const marker = uniqueEmail("marker");
  const reg = await api("POST", "/auth/register/", { json: { email: marker, password: STRONG_PASSWORD } });
  if (reg.status !== 200) throw new Error(`marker register failed: ${reg.text}`);
  await waitForMail(marker);
  const deadline = Date.now() + 500;
  for (;;) {
    const got = (await mailsTo(to)).length;
    const settled = Date.now() >= deadline;
    if (got > count || (settled && got !== count)) throw new Error(`expected ${count} mail(s) to ${to}, got ${got}`);
    if (settled) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const expectNoMailTo = (to: string) => expectMailCount(to, 0);

/** The payload of a JWT, unverified. */
export function jwtPayload(token: string): Record<string, any> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
}

/** Signs up through the Django service's `POST /auth/`; returns the new account's id. */
export async function signedUpUser(fields: Record<string, unknown> = {}) {
  const email = (fields.email as string | undefined) ?? uniqueEmail("signup");
  const password = (fields.password as string | undefined) ?? STRONG_PASSWORD;
  const res = await api("POST", "/auth/", {
    json: { name: "Alexa", dob: "1990-01-12", mobile: "76765757", ...fields, email, password },
  });
  if (res.status !== 201) throw new Error(`signup failed: ${res.status} ${res.text}`);
  return { email, password, userId: res.body.userid as number };
}

/**
 * Runs one statement on the test database (or another one), for what no HTTP endpoint does
 * (granting a role is a command-line job; imported legacy password hashes; breaking a table to see
 * a 500). Placeholders are `$1`, `$2`… on both databases.
 */
export async function execSql<T = Record<string, unknown>>(
  sql: string,
  params: unknown[] = [],
  database: { url: string; kind: "sqlite" | "postgres" } = { url: inject("databaseUrl"), kind: inject("databaseKind") },
): Promise<T[]> {
  const { url } = database;
  if (database.kind === "postgres") {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  }
  const db = new Database(url.replace(/^file:/, ""), { timeout: 5000 });
  try {
    const statement = db.prepare(sql.replace(/\$\d+/g, "?"));
    if (statement.reader) return statement.all(...params) as T[];
    statement.run(...params);
    return [];
  } finally {
    db.close();
  }
}

/** An id_token of the test issuer for `email` (a verified Google address), as a Google client would get it. */
export async function googleIdTokenFor(email: string, subject = randomUUID().replace(/-/g, "")): Promise<string> {
  const key = inject("googleSigningKey");
  const [audience] = inject("googleClientIds");
  const t = Math.floor(Date.now() / 1000);
  return new SignJWT({ email, email_verified: true, name: "Google Person", azp: audience })
    .setProtectedHeader({ alg: "RS256", kid: key.kid, typ: "JWT" })
    .setIssuer(inject("googleIssuerUrl"))
    .setAudience(audience!)
    .setSubject(subject)
    .setIssuedAt(t)
    .setExpirationTime(t + 3600)
    .sign(await importJWK(key, "RS256"));
}

/** An account made by VASITUM's Google register (no password), with an id_token from the test issuer. */
export async function googleRegisteredUser(email = uniqueEmail("google")) {
  const res = await api("POST", "/auth/register/google/", { json: { auth_token: await googleIdTokenFor(email) } });
  if (res.status !== 200) throw new Error(`google register failed: ${res.text}`);
  return { email, tokens: res.body.tokens as { access_token: string; refresh: string } };
}
