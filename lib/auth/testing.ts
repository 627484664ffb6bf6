import { generateKeyPairSync, randomInt } from "node:crypto";
import { afterEach, beforeEach, expect, vi } from "vitest";
import type { Db } from "@/lib/db/client";
import type { OutboxRow } from "@/lib/db/outbox";
import { useTestDatabase } from "@/lib/db/testing";
import type { UserRecord } from "@/lib/db/users";
import type { AppError } from "@/lib/errors";
import type { GoogleIdentity } from "@/lib/google/id-token";
import type { ClientInfo } from "./types";

/**
 * In-process flow tests of the services in lib/auth: a fresh SQLite database per test file, a
 * fake clock, and helpers that read the mail the services queue in the outbox. Services are
 * imported lazily (after the environment is set), because configuration is read once per process.
 */

export const GOOGLE_ISSUER = "https://accounts.google.com";
export const APP_URL = "http://localhost:3000";
export const PASSWORD = "correct horse battery staple";

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

let db: () => Db = () => {
  throw new Error("call setUpAuthTests() at the top of the test file");
};

// Each test starts an hour after the previous one ended, so the per-client windows (5 minutes)
// of earlier tests have closed and a shared client address cannot make tests depend on each other.
let clock = Date.now();

/**
 * Call at the top level of a test file, before importing any service: sets the environment, gives
 * the file its own migrated database, and runs every test on a fake Date (timers stay real, so the
 * database driver keeps working).
 */
export function setUpAuthTests(): () => Db {
  Object.assign(process.env, {
    AUTH_SECRET: "unit-test-secret-".padEnd(48, "x"),
    JWT_PRIVATE_KEY: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    APP_URL,
    LOG_LEVEL: "silent",
  });
  // useTestDatabase() is a vitest fixture, not a React hook (see eslint.config.mjs).
  // eslint-disable-next-line react-hooks/rules-of-hooks
  db = useTestDatabase();
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
    clock += HOUR;
    vi.setSystemTime(clock);
  });
  afterEach(() => {
    clock = Date.now();
    vi.useRealTimers();
  });
  return db;
}

/** Moves the fake clock forward. */
export function advance(ms: number): void {
  vi.setSystemTime(Date.now() + ms);
}
export const advanceSeconds = (seconds: number) => advance(seconds * 1000);

// ---- who is asking

export const client: ClientInfo = { ip: "203.0.113.7", userAgent: "vitest" };

// Sequential from a random start: unique within the file (each file has a database of its own).
let nextAddress = randomInt(1 << 24);
export function freshIp(): string {
  const n = nextAddress++ % (1 << 24);
  return `10.${n >> 16}.${(n >> 8) & 255}.${n & 255}`;
}
/** A client of its own, for tests that need many addresses or must not share limits. */
export const freshClient = (): ClientInfo => ({ ip: freshIp(), userAgent: "vitest" });

let nextEmail = 0;
export const uniqueEmail = (label = "user") => `${label}-${++nextEmail}-${randomInt(1e6)}@example.com`;

// ---- errors

/** Matches an AppError by code and, when given, the one field it concerns. */
export function appError(code: AppError["code"], field?: string | null) {
  return field === undefined ? { code } : { code, issues: [expect.objectContaining({ field })] };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<AppError> {
  const outcome = await promise.then(
    () => undefined,
    (e: unknown) => e as AppError,
  );
  expect(outcome, "expected a rejection").toBeDefined();
  return outcome!;
}

/** The seconds a RATE_LIMITED rejection asks to wait. */
export async function retryAfter(promise: Promise<unknown>): Promise<number> {
  const error = await failure(promise);
  expect(error).toMatchObject({ code: "RATE_LIMITED" });
  return error.retryAfterSeconds!;
}

/** How many of the settled promises resolved, and the codes of those that rejected. */
export async function outcomes(promises: Promise<unknown>[]): Promise<{ fulfilled: number; codes: string[] }> {
  const settled = await Promise.allSettled(promises);
  return {
    fulfilled: settled.filter((s) => s.status === "fulfilled").length,
    codes: settled.flatMap((s) => (s.status === "rejected" ? [String((s.reason as AppError).code)] : [])),
  };
}

// ---- mail

export async function mailsTo(email: string, kind?: string): Promise<OutboxRow[]> {
  return db().outboxEmail.findMany({ where: { to: email, ...(kind ? { kind } : {}) }, orderBy: { id: "asc" } });
}

export async function lastMailTo(email: string, kind?: string): Promise<OutboxRow> {
  const mail = (await mailsTo(email, kind)).at(-1);
  if (!mail) throw new Error(`no ${kind ?? ""} mail to ${email}`);
  return mail;
}

function find(pattern: RegExp, mail: OutboxRow, what: string): string {
  const found = pattern.exec(mail.text)?.[1];
  if (!found) throw new Error(`no ${what} in the mail "${mail.subject}"`);
  return found;
}
export const codeIn = (mail: OutboxRow) => find(/^(\d{4,10})$/m, mail, "code");
export const confirmTokenIn = (mail: OutboxRow) => find(/\/confirm\?token=([\w-]+)/, mail, "confirmation link");
export const resetTokenIn = (mail: OutboxRow) => find(/\/reset-password\?token=([\w-]+)/, mail, "reset link");

// ---- accounts

/** A new unverified password account (from an address of its own) and its verification mail. */
export async function unverifiedUser(label = "user", password = PASSWORD) {
  const { createAccount } = await import("./signup");
  const email = uniqueEmail(label);
  const { user } = await createAccount({ email, password, name: label }, freshClient());
  const mail = await lastMailTo(email, "verification");
  return { email, password, user, code: codeIn(mail), linkToken: confirmTokenIn(mail) };
}

/** A new account verified with its e-mailed code. */
export async function verifiedUser(label = "user", password = PASSWORD) {
  const { confirmCode } = await import("./email-verification");
  const { email, code } = await unverifiedUser(label, password);
  const user = await confirmCode(email, code, freshClient());
  return { email, password, user };
}

export function googleIdentity(email: string, subject = `sub-${randomInt(1e12)}`): GoogleIdentity {
  return { issuer: GOOGLE_ISSUER, subject, email, emailVerified: true, name: "Google User" };
}

/** A new verified account without a password, signed up with Google. */
export async function googleUser(label = "google") {
  const { accountForGoogleIdentity } = await import("./google");
  const identity = googleIdentity(uniqueEmail(label));
  const user = await accountForGoogleIdentity(identity, freshClient(), { createIfMissing: true });
  return { email: identity.email, identity, user };
}

/** An app session of `user`, with the caller its access token authenticates as. */
export async function appSession(user: UserRecord, from: ClientInfo = client) {
  const { authenticate, startAppSession } = await import("./sessions");
  const { sessionId, tokens } = await startAppSession(user, from, "password");
  return { sessionId, tokens, caller: await authenticate(tokens.accessToken) };
}

/** The session of a sign-in that must not need a second step (the account has no two-factor). */
export function sessionOf<T extends { kind: string }>(signIn: T): Extract<T, { kind: "session" }> {
  if (signIn.kind !== "session") throw new Error(`expected a session, got ${signIn.kind}`);
  return signIn as Extract<T, { kind: "session" }>;
}
