import { randomInt } from "node:crypto";
import { generateSecret, generateURI, verify as verifyTotp } from "otplib";
import QRCode from "qrcode";
import { now, secondsFromNow } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { database, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/db/audit";
import {
  acceptTotpStep,
  disableTotp,
  enableTotp as turnOn,
  findTotpState,
  replaceRecoveryCodes,
  setPendingTotpSecret,
  spendRecoveryCode,
} from "@/lib/db/two-factor";
import { findUserById, type User } from "@/lib/db/users";
import { addVerification, claimCodeAttempt, consumeByCode, findVerificationByTokenHash } from "@/lib/db/verifications";
import { AppError } from "@/lib/errors";
import { randomToken, sha256Hex } from "@/lib/tokens/hash";
import { keyedDigest, openSecret, sealSecret } from "@/lib/tokens/secrets";
import { claimCodeCheck, releaseCodeCheck } from "./limits";
import { requireFreshProof, requireVerifiedAddress, type SecondFactor, type SignInMethod } from "./proof";
import { securityEvent } from "./security-events";
import { renewProof } from "./sessions";
import type { Caller, ClientInfo } from "./types";

/**
 * Two-factor authentication: TOTP (RFC 6238 — SHA-1, 6 digits, 30 s, one step either way) with
 * ten single-use recovery codes. The secret is stored sealed (AES-GCM under a derived key); a
 * code is accepted once (the time step it matched is recorded, and only later steps pass), and
 * every wrong code counts toward the account's cap of 20 wrong codes a day.
 */

export const TOTP = { digits: 6, period: 30, algorithm: "sha1" } as const;
/** One step either way: a phone clock a little off, or a code typed as it turned over. */
const TOLERANCE_SECONDS = TOTP.period;
export const RECOVERY_CODE_COUNT = 10;
/** The second step of a sign-in must come within 5 minutes, and dies after 5 wrong codes. */
export const MFA_TOKEN_LIFETIME_SECONDS = 5 * 60;
export const MFA_MAX_ATTEMPTS = 5;

const codeField = (code: "INVALID_CODE" | "TOTP_NOT_SET_UP" | "TOTP_NOT_ON") => new AppError(code, { field: "code" });

export const requiresSecondFactor = (user: User) => user.totpEnabledAt !== null;

/** The time step `code` belongs to (after `afterStep`), or null when it matches none near now. */
async function matchingStep(sealedSecret: string, code: string, afterStep: number | null): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const epochStep = Math.floor(now().getTime() / 1000 / TOTP.period);
  // A clock now behind the last accepted step (NTP stepped back, instances out of step): no code
  // can be newer than that one yet.
  if (afterStep !== null && afterStep >= epochStep + 1) return null;
  const result = await verifyTotp({
    secret: openSecret(sealedSecret),
    token: code,
    ...TOTP,
    epoch: Math.floor(now().getTime() / 1000),
    epochTolerance: TOLERANCE_SECONDS,
    ...(afterStep !== null ? { afterTimeStep: afterStep } : {}),
  });
  return result.valid && "timeStep" in result ? result.timeStep : null;
}

/**
 * Checks an authenticator code for `user` and uses it up, counting a wrong one toward the
 * address's cap. True when it was right (and not used before).
 */
async function checkTotp(user: User, code: string, requireOn: boolean): Promise<boolean> {
  const state = await findTotpState(database, user.id);
  if (!state?.sealedSecret || (requireOn && !state.enabledAt)) throw codeField(requireOn ? "TOTP_NOT_ON" : "TOTP_NOT_SET_UP");
  await claimCodeCheck(database, user.email);
  const step = await matchingStep(state.sealedSecret, code, state.lastStep);
  if (step === null || !(await acceptTotpStep(database, user.id, step))) return false;
  await releaseCodeCheck(database, user.email);
  return true;
}

/** Recovery codes as people read them: ten characters from an alphabet without look-alikes, in two groups. */
const ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";
function newRecoveryCode(): string {
  const chars = Array.from({ length: 10 }, () => ALPHABET[randomInt(ALPHABET.length)]);
  return `${chars.slice(0, 5).join("")}-${chars.slice(5).join("")}`;
}
const normaliseRecoveryCode = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, "");
const recoveryDigest = (code: string) => keyedDigest("recovery-code-hmac", normaliseRecoveryCode(code));

/** Uses up one recovery code of `user`, counting a wrong one toward the address's cap. */
async function checkRecoveryCode(user: User, code: string): Promise<boolean> {
  await claimCodeCheck(database, user.email);
  if (!(await spendRecoveryCode(database, user.id, recoveryDigest(code)))) return false;
  await releaseCodeCheck(database, user.email);
  return true;
}

export interface TotpSetup {
  secret: string;
  otpauthUrl: string;
  qrSvg: string;
}

/**
 * A new secret for the caller's authenticator app; nothing is in force until `enableTotp`. Needs
 * a proven address and a fresh proof: a stolen session must not put the thief's authenticator on.
 */
export async function setUpTotp(caller: Caller, client: ClientInfo): Promise<TotpSetup> {
  const { user } = caller;
  if (user.totpEnabledAt) throw new AppError("TOTP_ALREADY_ON");
  requireVerifiedAddress(user);
  requireFreshProof(caller);
  const secret = generateSecret();
  if (!(await setPendingTotpSecret(database, user.id, sealSecret(secret)))) throw new AppError("TOTP_ALREADY_ON");
  const otpauthUrl = generateURI({ issuer: config().appName, label: user.email, secret, ...TOTP });
  const qrSvg = await QRCode.toString(otpauthUrl, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
  await recordAudit(database, { type: "totp_setup", userId: user.id, ip: client.ip, userAgent: client.userAgent });
  return { secret, otpauthUrl, qrSvg };
}

/**
 * Turns two-factor on with a first code from the app; the recovery codes are shown this once.
 * This session has now met both factors; the others that one factor opened end.
 */
export async function enableTotp(caller: Caller, code: string, client: ClientInfo): Promise<{ recoveryCodes: string[] }> {
  const { user } = caller;
  if (user.totpEnabledAt) throw new AppError("TOTP_ALREADY_ON");
  requireVerifiedAddress(user);
  requireFreshProof(caller);
  if (!(await checkTotp(user, code, false))) throw codeField("INVALID_CODE");
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await securityEvent("two_factor_enabled", { user, client, sessionId: caller.sessionId }, async (tx) => {
    if (!(await turnOn(tx, user.id))) throw new AppError("TOTP_ALREADY_ON");
    await replaceRecoveryCodes(tx, user.id, recoveryCodes.map(recoveryDigest));
    await renewProof(tx, caller, [...caller.proof.methods.filter((m) => m !== "totp"), "totp"]);
  });
  return { recoveryCodes };
}

/** New recovery codes for an authenticator code; the old ones stop working. */
export async function replaceRecoveryCodesWith(caller: Caller, code: string, client: ClientInfo): Promise<{ recoveryCodes: string[] }> {
  const { user } = caller;
  if (!user.totpEnabledAt) throw codeField("TOTP_NOT_ON");
  requireFreshProof(caller);
  if (!(await checkTotp(user, code, true))) throw codeField("INVALID_CODE");
  const recoveryCodes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await securityEvent("recovery_codes_replaced", { user, client, sessionId: caller.sessionId }, (tx) =>
    replaceRecoveryCodes(tx, user.id, recoveryCodes.map(recoveryDigest)),
  );
  return { recoveryCodes };
}

/** Turns two-factor off with an authenticator code or a recovery code. */
export async function disableTwoFactor(caller: Caller, code: string, client: ClientInfo): Promise<void> {
  const { user } = caller;
  if (!user.totpEnabledAt) throw codeField("TOTP_NOT_ON");
  requireFreshProof(caller);
  if (!(await checkSecondFactor(user, code))) throw codeField("INVALID_CODE");
  await securityEvent("two_factor_disabled", { user, client, sessionId: caller.sessionId }, (tx) => disableTotp(tx, user.id));
}

/**
 * An authenticator code or a recovery code of `user` (two-factor on), used up when right; a wrong
 * one counts toward the account's cap. Which of the two it was, or null when wrong.
 */
export async function checkSecondFactor(user: User, code: string): Promise<"totp" | "recovery-code" | null> {
  const looksLikeTotp = /^\d{6}$/.test(code.trim());
  if (looksLikeTotp) return (await checkTotp(user, code.trim(), true)) ? "totp" : null;
  return (await checkRecoveryCode(user, code)) ? "recovery-code" : null;
}

// ---- the second step of a sign-in

/** After a first factor passed for an account with two-factor on: the token of its second step. */
export async function startSecondStep(tx: Tx, user: User, firstFactor: SignInMethod): Promise<string> {
  const token = randomToken();
  await addVerification(tx, {
    userId: user.id,
    purpose: "mfa_login",
    tokenHash: sha256Hex(token),
    expiresAt: secondsFromNow(MFA_TOKEN_LIFETIME_SECONDS),
    // The row's "code" window is the token's own: claimCodeAttempt counts the wrong codes on it.
    codeExpiresAt: secondsFromNow(MFA_TOKEN_LIFETIME_SECONDS),
    target: firstFactor,
  });
  return token;
}

export interface SecondStepInput {
  code?: string;
  recoveryCode?: string;
}

/**
 * The second step: the token from the first, and an authenticator or recovery code. A wrong code
 * is INVALID_CODE (and counts toward the account's cap); after 5 wrong codes, or 5 minutes, the
 * token is dead: SIGN_IN_AGAIN. Returns the user and what proved each factor.
 */
export async function verifySecondStep(
  mfaToken: string,
  input: SecondStepInput,
  client: ClientInfo,
): Promise<{ user: User; method: SignInMethod; secondFactor: SecondFactor }> {
  const signInAgain = () => new AppError("SIGN_IN_AGAIN", { field: "mfaToken" });
  const row = await findVerificationByTokenHash(database, sha256Hex(mfaToken));
  if (!row || row.purpose !== "mfa_login" || row.consumedAt || row.expiresAt <= now()) throw signInAgain();
  const user = await findUserById(database, row.userId);
  // Two-factor was turned off since the first step: that sign-in must start again.
  if (!user || !user.totpEnabledAt) throw signInAgain();
  if (!(await claimCodeAttempt(database, row.id, MFA_MAX_ATTEMPTS))) throw signInAgain();

  const secondFactor: SecondFactor = input.recoveryCode !== undefined ? "recovery-code" : "totp";
  const right =
    secondFactor === "recovery-code" ? await checkRecoveryCode(user, input.recoveryCode!) : await checkTotp(user, input.code ?? "", true);
  if (!right) {
    await recordAudit(database, { type: "mfa_failed", userId: user.id, ip: client.ip, userAgent: client.userAgent, detail: { second_factor: secondFactor } });
    throw new AppError("INVALID_CODE", { field: "code" });
  }
  if (!(await consumeByCode(database, row.id))) throw signInAgain();
  return { user, method: (row.target as SignInMethod | null) ?? "password", secondFactor };
}
