import { createHash, generateKeyPairSync, randomBytes, randomInt, sign, type KeyObject } from "node:crypto";
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import { cose, isoCBOR } from "@simplewebauthn/server/helpers";
import { afterEach, beforeEach, expect, vi } from "vitest";
import { database } from "@/lib/db";
import type { Db } from "@/lib/db/testing";
import type { OutboxRow } from "@/lib/db/outbox";
import { useTestDatabase } from "@/lib/db/testing";
import type { User } from "@/lib/db/users";
import type { AppError } from "@/lib/errors";
import type { GoogleIdentity } from "@/lib/google/id-token";
import type { Caller, ClientInfo } from "./types";

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
 * the file its own migrated database (SQLite, or PostgreSQL on TEST_POSTGRES_URL's server: see
 * useTestDatabase), and runs every test on a fake Date (timers stay real, so the database driver
 * keeps working).
 */
export function setUpAuthTests(databaseKind?: "sqlite" | "postgres"): () => Db {
  Object.assign(process.env, {
    AUTH_SECRET: "unit-test-secret-".padEnd(48, "x"),
    JWT_PRIVATE_KEY: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    APP_URL,
    LOG_LEVEL: "silent",
  });
  // useTestDatabase() is a vitest fixture, not a React hook (see eslint.config.mjs).
  // eslint-disable-next-line react-hooks/rules-of-hooks
  db = useTestDatabase(databaseKind);
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
export async function appSession(user: User, from: ClientInfo = client) {
  const { authenticate, startAppSession } = await import("./sessions");
  const { sessionId, tokens } = await startAppSession(database, user, from, "password");
  return { sessionId, tokens, caller: await authenticate(tokens.accessToken) };
}

/** The session of a sign-in that must not need a second step (the account has no two-factor). */
export function sessionOf<T extends { kind: string }>(signIn: T): Extract<T, { kind: "session" }> {
  if (signIn.kind !== "session") throw new Error(`expected a session, got ${signIn.kind}`);
  return signIn as Extract<T, { kind: "session" }>;
}

// ---- two-factor

export const TOTP_STEP_SECONDS = 30;

/** The authenticator app's code for `secret` at the fake clock's time, `offsetSeconds` from it. */
export async function totpCode(secret: string, offsetSeconds = 0): Promise<string> {
  const { generate } = await import("otplib");
  return generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });
}

/**
 * A verified password account with two-factor on: its authenticator secret, its recovery codes and
 * a caller (of a session begun before two-factor was on). The clock has moved one time step on, so
 * the next `totpCode` is not a replay of the one that enabled it.
 */
export async function twoFactorUser(label = "2fa") {
  const { authenticate } = await import("./sessions");
  const { enableTotp, setUpTotp } = await import("./two-factor");
  const { email, password, user } = await verifiedUser(label);
  const { tokens, caller } = await appSession(user);
  const { secret } = await setUpTotp(caller, client);
  const { recoveryCodes } = await enableTotp(caller, await totpCode(secret), client);
  advanceSeconds(TOTP_STEP_SECONDS);
  const signedIn = await authenticate(tokens.accessToken);
  return { email, password, user: signedIn.user, caller: signedIn, tokens, secret, recoveryCodes };
}

export const emailChangeTokenIn = (mail: OutboxRow) => find(/\/confirm-email\?token=([\w-]+)/, mail, "e-mail change link");

// ---- a software passkey (WebAuthn authenticator): ES256, attestation "none"

const RP_ID = new URL(APP_URL).hostname;
const FLAG = { userPresent: 0x01, userVerified: 0x04, backupEligible: 0x08, backedUp: 0x10, attestedData: 0x40 } as const;

export interface Ceremony {
  /** The response's origin and RP ID; by default this service's. */
  origin?: string;
  rpId?: string;
  userVerified?: boolean;
  /** Answer this challenge instead of the options' one. */
  challenge?: string;
}

type Cbor = Parameters<typeof isoCBOR.encode>[0];
const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const sha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest();

/**
 * What a phone or security key does for navigator.credentials.create() and .get(), in software:
 * a P-256 key pair, authenticator data with a signature counter, client data, and ECDSA signatures
 * that SimpleWebAuthn verifies as it would a real device's.
 */
export class SoftPasskey {
  readonly credentialId: Uint8Array;
  readonly id: string;
  private readonly privateKey: KeyObject;
  private readonly publicKey: KeyObject;
  private userHandle: string | undefined;

  constructor(
    /** The signature counter; an authenticator that does not count stays at 0 (`counting: false`). */
    public counter = 0,
    private readonly options: { counting?: boolean; synced?: boolean } = {},
    keys = generateKeyPairSync("ec", { namedCurve: "P-256" }),
    credentialId: Uint8Array = randomBytes(16),
  ) {
    this.privateKey = keys.privateKey;
    this.publicKey = keys.publicKey;
    this.credentialId = credentialId;
    this.id = b64url(credentialId);
  }

  /** A copy of this authenticator, key and counter included (a cloned security key). */
  clone(): SoftPasskey {
    const copy = new SoftPasskey(this.counter, this.options, { privateKey: this.privateKey, publicKey: this.publicKey }, this.credentialId);
    copy.userHandle = this.userHandle;
    return copy;
  }

  private authenticatorData(rpId: string, userVerified: boolean, attested?: Uint8Array): Buffer {
    let flags = FLAG.userPresent | (userVerified ? FLAG.userVerified : 0) | (attested ? FLAG.attestedData : 0);
    if (this.options.synced) flags |= FLAG.backupEligible | FLAG.backedUp;
    const head = Buffer.alloc(37);
    sha256(rpId).copy(head, 0);
    head[32] = flags;
    head.writeUInt32BE(this.counter, 33);
    return attested ? Buffer.concat([head, attested]) : head;
  }

  private clientData(type: "webauthn.create" | "webauthn.get", challenge: string, origin: string): Buffer {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** The answer to registration options (PublicKeyCredentialCreationOptionsJSON). */
  register(options: { challenge: string; user: { id: string } }, ceremony: Ceremony = {}): RegistrationResponseJSON {
    const { x, y } = this.publicKey.export({ format: "jwk" });
    const coseKey = isoCBOR.encode(
      new Map<number, Cbor>([
        [cose.COSEKEYS.kty, cose.COSEKTY.EC2],
        [cose.COSEKEYS.alg, cose.COSEALG.ES256],
        [cose.COSEKEYS.crv, cose.COSECRV.P256],
        [cose.COSEKEYS.x, new Uint8Array(Buffer.from(x!, "base64url"))],
        [cose.COSEKEYS.y, new Uint8Array(Buffer.from(y!, "base64url"))],
      ]),
    );
    const idLength = Buffer.alloc(2);
    idLength.writeUInt16BE(this.credentialId.length);
    const attested = Buffer.concat([Buffer.alloc(16) /* AAGUID: none */, idLength, Buffer.from(this.credentialId), coseKey]);
    const authData = this.authenticatorData(ceremony.rpId ?? RP_ID, ceremony.userVerified ?? true, attested);
    const attestationObject = isoCBOR.encode(
      new Map<string, Cbor>([
        ["fmt", "none"],
        ["attStmt", new Map()],
        ["authData", new Uint8Array(authData)],
      ]),
    );
    this.userHandle = options.user.id;
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(this.clientData("webauthn.create", ceremony.challenge ?? options.challenge, ceremony.origin ?? APP_URL)),
        attestationObject: b64url(attestationObject),
        transports: ["internal"],
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }

  /** The answer to sign-in options (PublicKeyCredentialRequestOptionsJSON): the counter moves on, unless it does not count. */
  signIn(options: { challenge: string }, ceremony: Ceremony = {}): AuthenticationResponseJSON {
    if (this.options.counting !== false) this.counter += 1;
    const authData = this.authenticatorData(ceremony.rpId ?? RP_ID, ceremony.userVerified ?? true);
    const clientData = this.clientData("webauthn.get", ceremony.challenge ?? options.challenge, ceremony.origin ?? APP_URL);
    const signature = sign("sha256", Buffer.concat([authData, sha256(clientData)]), this.privateKey);
    return {
      id: this.id,
      rawId: this.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientData),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(this.userHandle ? { userHandle: this.userHandle } : {}),
      },
      clientExtensionResults: {},
      authenticatorAttachment: "platform",
    };
  }
}

/** A passkey registered by `caller` through the real options and verification. */
export async function registeredPasskey(caller: Caller, name?: string, passkey = new SoftPasskey()) {
  const { addPasskey, passkeyRegistrationOptions } = await import("./passkeys");
  const options = await passkeyRegistrationOptions(caller);
  const stored = await addPasskey(caller, passkey.register(options), name, client);
  return { passkey, stored };
}
