import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from "@simplewebauthn/server";
import { secondsFromNow } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { database } from "@/lib/db";
import { recordAudit } from "@/lib/db/audit";
import { deletePasskey, findPasskey, insertPasskey, listPasskeys, PasskeyExistsError, recordPasskeyUse, type PasskeyRecord } from "@/lib/db/passkeys";
import { findUserById, webauthnHandleOf } from "@/lib/db/users";
import { consumeChallenge, storeChallenge } from "@/lib/db/webauthn-challenges";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { limitClient } from "./limits";
import { requireFreshProof, requireVerifiedAddress, type SignInProof } from "./proof";
import { securityEvent } from "./security-events";
import { signIn, type AppSignIn } from "./sign-in";
import type { Caller, ClientInfo, User } from "./types";

/**
 * Passkeys (WebAuthn) with SimpleWebAuthn: registered by a signed-in user, then a way to sign in
 * without a password. The relying party is APP_URL's host and origin. Challenges are kept on the
 * server, used once and live five minutes; signature counters must grow. A passkey that verified
 * its user (PIN, biometrics) is both factors at once.
 */

const CHALLENGE_LIFETIME_SECONDS = 5 * 60;
const TIMEOUT_MS = 60_000;
export const PASSKEY_NAME_MAX = 60;

function relyingParty() {
  const url = new URL(config().appUrl);
  return { rpID: url.hostname, origin: url.origin, rpName: config().appName };
}

const invalid = (cause?: unknown) => new AppError("PASSKEY_INVALID", { field: "response", cause });

/** What a passkey looks like to its owner. */
export type Passkey = Pick<PasskeyRecord, "id" | "name" | "createdAt" | "lastUsedAt" | "backedUp">;
const shown = ({ id, name, createdAt, lastUsedAt, backedUp }: PasskeyRecord): Passkey => ({ id, name, createdAt, lastUsedAt, backedUp });

/**
 * Options for the browser's `navigator.credentials.create()`; the challenge is remembered. Adding
 * a passkey needs a proven address and a fresh proof (a passkey signs in past every factor).
 */
export async function passkeyRegistrationOptions(caller: Caller): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const { user } = caller;
  requireVerifiedAddress(user);
  requireFreshProof(caller);
  const { rpID, rpName } = relyingParty();
  const existing = await listPasskeys(database, user.id);
  const options = await generateRegistrationOptions({
    rpName,
    rpID,
    userName: user.email,
    userDisplayName: user.name || user.email,
    userID: Buffer.from(await webauthnHandleOf(database, user.id), "base64url"),
    attestationType: "none",
    excludeCredentials: existing.map((p) => ({ id: p.id, transports: p.transports })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
    timeout: TIMEOUT_MS,
  });
  await storeChallenge(database, options.challenge, "register", user.id, secondsFromNow(CHALLENGE_LIFETIME_SECONDS));
  return options;
}

/** Verifies the browser's answer to the registration options and keeps the new passkey. */
export async function addPasskey(caller: Caller, response: unknown, name: string | undefined, client: ClientInfo): Promise<Passkey> {
  const { user } = caller;
  requireVerifiedAddress(user);
  requireFreshProof(caller);
  const { rpID, origin } = relyingParty();
  let verification;
  try {
    verification = await verifyRegistrationResponse({
      response: response as RegistrationResponseJSON,
      expectedChallenge: (challenge) => consumeChallenge(database, challenge, "register", user.id),
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: false,
    });
  } catch (error) {
    log.info("passkey registration refused", { reason: (error as Error).message });
    throw invalid(error);
  }
  if (!verification.verified) throw invalid();
  const { credential, credentialDeviceType, credentialBackedUp } = verification.registrationInfo;
  const label = name?.trim().slice(0, PASSKEY_NAME_MAX) || (credentialBackedUp ? "Synced passkey" : "Passkey");
  let passkey: PasskeyRecord;
  try {
    passkey = await securityEvent(
      "passkey_added",
      { user, client, sessionId: caller.sessionId },
      (tx) =>
        insertPasskey(tx, {
      id: credential.id,
      userId: user.id,
      name: label,
      publicKey: Buffer.from(credential.publicKey).toString("base64url"),
      counter: credential.counter,
      transports: credential.transports ?? [],
      deviceType: credentialDeviceType,
      backedUp: credentialBackedUp,
        }),
      { notice: { passkeyName: label } },
    );
  } catch (error) {
    if (error instanceof PasskeyExistsError) throw new AppError("PASSKEY_EXISTS", { field: "response" });
    throw error;
  }
  return shown(passkey);
}

export async function passkeysOf(caller: Caller): Promise<Passkey[]> {
  return (await listPasskeys(database, caller.user.id)).map(shown);
}

/** Removes one of the caller's passkeys; NOT_FOUND for one that is not theirs. */
export async function removePasskey(caller: Caller, id: string, client: ClientInfo): Promise<void> {
  await securityEvent("passkey_removed", { user: caller.user, client, sessionId: caller.sessionId }, async (tx) => {
    if (!(await deletePasskey(tx, caller.user.id, id))) throw new AppError("NOT_FOUND");
  });
}

/** Options for `navigator.credentials.get()`, for any passkey of this site (discoverable, and autofill). */
export async function passkeyLoginOptions(client: ClientInfo): Promise<PublicKeyCredentialRequestOptionsJSON> {
  await limitClient(database, "login", client.ip);
  return requestOptions({ purpose: "login", userId: null });
}

/** Options for `navigator.credentials.get()` whose challenge is remembered for `expected` (and `allow`: only these passkeys). */
async function requestOptions(expected: { purpose: "login" | "reauthenticate"; userId: number | null }, allow?: PasskeyRecord[]) {
  const options = await generateAuthenticationOptions({
    rpID: relyingParty().rpID,
    userVerification: "preferred",
    timeout: TIMEOUT_MS,
    ...(allow ? { allowCredentials: allow.map((p) => ({ id: p.id, transports: p.transports })) } : {}),
  });
  await storeChallenge(database, options.challenge, expected.purpose, expected.userId, secondsFromNow(CHALLENGE_LIFETIME_SECONDS));
  return options;
}

/**
 * Verifies a passkey sign-in and returns its user and what it proved: a passkey that verified its
 * user (PIN, biometrics) is both factors at once; one that did not, a first factor like a password.
 */
export async function verifyPasskeySignIn(response: unknown, client: ClientInfo): Promise<{ user: User; proof: SignInProof }> {
  await limitClient(database, "login", client.ip);
  const { passkey, userVerified } = await verifyAssertion(response, { purpose: "login", userId: null }, client);
  const user = await findUserById(database, passkey.userId);
  if (!user) throw invalid();
  if (user.disabledAt) throw new AppError("ACCOUNT_DISABLED");
  return { user, proof: userVerified ? { method: "passkey", secondFactor: "user-verification" } : { method: "passkey" } };
}

/** Options for `navigator.credentials.get()` to confirm it's the caller: one of the caller's own passkeys. */
export async function passkeyReauthenticationOptions(caller: Caller): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const passkeys = await listPasskeys(database, caller.user.id);
  if (passkeys.length === 0) throw new AppError("NO_PASSKEY", { field: "response" });
  return requestOptions({ purpose: "reauthenticate", userId: caller.user.id }, passkeys);
}

/** Verifies the caller's answer to those options: a passkey of the caller's, and whether it verified its user. */
export async function verifyPasskeyReauthentication(caller: Caller, response: unknown, client: ClientInfo): Promise<{ userVerified: boolean }> {
  const { userVerified } = await verifyAssertion(response, { purpose: "reauthenticate", userId: caller.user.id }, client);
  return { userVerified };
}

/**
 * An assertion (`navigator.credentials.get()`'s answer) to a challenge of `expected.purpose`, by a
 * known passkey (of `expected.userId`, when given) whose signature counter grew.
 */
async function verifyAssertion(
  response: unknown,
  expected: { purpose: "login" | "reauthenticate"; userId: number | null },
  client: ClientInfo,
): Promise<{ passkey: PasskeyRecord; userVerified: boolean }> {
  const answer = response as AuthenticationResponseJSON;
  const passkey = typeof answer?.id === "string" ? await findPasskey(database, answer.id) : null;
  if (!passkey || (expected.userId !== null && passkey.userId !== expected.userId)) throw invalid();
  const { rpID, origin } = relyingParty();
  let verification;
  try {
    verification = await verifyAuthenticationResponse({
      response: answer,
      expectedChallenge: (challenge) => consumeChallenge(database, challenge, expected.purpose, expected.userId),
      expectedOrigin: origin,
      expectedRPID: rpID,
      credential: { id: passkey.id, publicKey: Buffer.from(passkey.publicKey, "base64url"), counter: passkey.counter, transports: passkey.transports },
      requireUserVerification: false,
    });
  } catch (error) {
    log.info("passkey sign-in refused", { reason: (error as Error).message });
    throw invalid(error);
  }
  if (!verification.verified) throw invalid();
  // A counter that did not grow: a cloned authenticator, or a replay that raced the original.
  if (!(await recordPasskeyUse(database, passkey.id, passkey.counter, verification.authenticationInfo.newCounter))) {
    await recordAudit(database, { type: "passkey_counter_rejected", userId: passkey.userId, ip: client.ip, userAgent: client.userAgent });
    throw invalid();
  }
  return { passkey, userVerified: verification.authenticationInfo.userVerified };
}

/** An app's passkey sign-in: a session, or — without user verification on a two-factor account — the second step. */
export async function signInWithPasskey(response: unknown, client: ClientInfo): Promise<AppSignIn> {
  const { user, proof } = await verifyPasskeySignIn(response, client);
  return signIn(user, client, proof, "api");
}
