import { secondsFromNow } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { countTogether, database, transaction } from "@/lib/db";
import { enqueueEmail } from "@/lib/db/outbox";
import type { User } from "@/lib/db/users";
import { consumeByCode, latestOpenVerification, replaceVerification } from "@/lib/db/verifications";
import { AppError, requiredField } from "@/lib/errors";
import { nudgeMailSender } from "@/lib/mail/sender";
import { reauthenticationEmail } from "@/lib/mail/templates";
import { REAUTHENTICATION_CODE_LENGTH } from "@/lib/validation/fields";
import { randomToken, sha256Hex } from "@/lib/tokens/hash";
import { checkTypedCode, codeDigest, newCode } from "./codes";
import { claimMailSlot, limitClient } from "./limits";
import { mailLanguage } from "./mail-language";
import { verifyPasskeyReauthentication } from "./passkeys";
import { confirmCurrentPassword } from "./password";
import { metSecondFactor, type ProofMethod } from "./proof";
import { renewProof } from "./sessions";
import { checkSecondFactor } from "./two-factor";
import type { Caller, ClientInfo } from "./types";

/**
 * A fresh proof of a signed-in user before a sensitive change (lib/auth/proof.ts): every factor the
 * account has, again. The first factor is the password, or for an account without one a 6-digit
 * code e-mailed on request (Supabase's `reauthenticate`), or a passkey; the second, when two-factor
 * is on, an authenticator or recovery code, unless the passkey verified its user (both at once).
 * Wrong answers count as a login's do: a password toward the failed-login limits, a code toward
 * the account's daily cap on wrong codes.
 */

export { REAUTHENTICATION_CODE_LENGTH };
export const REAUTHENTICATION_CODE_LIFETIME_SECONDS = 10 * 60;
const MAX_CODE_ATTEMPTS = 5;

export interface ReauthenticationInput {
  password?: string;
  /** An authenticator or recovery code (the second factor). */
  code?: string;
  /** The e-mailed code (the first factor of an account without a password). */
  otp?: string;
  /** A passkey's answer to `passkeyReauthenticationOptions`. */
  passkeyResponse?: unknown;
}

/** What confirming it's `user` asks for: the browser's "Confirm it's you" step offers these. */
export interface ReauthenticationNeeds {
  /** The first factor, unless a passkey gives it: the password, or a code by e-mail. */
  firstFactor: "password" | "emailed-code";
  /** An authenticator or recovery code must join it (a passkey that verifies its user is both). */
  secondFactor: boolean;
  hasPasskeys: boolean;
}

/** From the account and its passkeys (which the page showing the step has loaded already). */
export function reauthenticationNeeds(user: User, passkeys: readonly unknown[]): ReauthenticationNeeds {
  return {
    firstFactor: user.passwordHash ? "password" : "emailed-code",
    secondFactor: user.totpEnabledAt !== null,
    hasPasskeys: passkeys.length > 0,
  };
}

const required = requiredField;

/**
 * E-mails a code that confirms it's the caller, for an account without a password (one with a
 * password confirms with it). The mail limits of a verification apply.
 */
export async function sendReauthenticationCode(caller: Caller, client: ClientInfo): Promise<void> {
  const { user } = caller;
  if (user.passwordHash) throw required("password");
  await limitClient(database, "generate-link", client.ip);
  await claimMailSlot(database, "verification", user.email);
  const code = newCode(REAUTHENTICATION_CODE_LENGTH);
  const tokenHash = sha256Hex(randomToken());
  await transaction(async (tx) => {
    await replaceVerification(tx, {
      userId: user.id,
      purpose: "reauthenticate",
      tokenHash,
      expiresAt: secondsFromNow(REAUTHENTICATION_CODE_LIFETIME_SECONDS),
      codeHash: codeDigest(code, tokenHash),
      codeExpiresAt: secondsFromNow(REAUTHENTICATION_CODE_LIFETIME_SECONDS),
    });
    const mail = await reauthenticationEmail({
      appName: config().appName,
      locale: mailLanguage(user, client),
      code,
      expiresInMinutes: REAUTHENTICATION_CODE_LIFETIME_SECONDS / 60,
    });
    await enqueueEmail(tx, { to: user.email, kind: "verification", ...mail });
  });
  nudgeMailSender();
}

/**
 * The e-mailed code, checked as every code is: the account's cap on wrong codes and the code's own
 * five tries are claimed before the comparison, in one commit; a right code is used up.
 */
async function checkEmailedCode(user: User, otp: string): Promise<void> {
  const open = await latestOpenVerification(database, user.id, "reauthenticate");
  const expired = () => new AppError("CODE_EXPIRED", { field: "otp" });
  await countTogether(async (tx) => {
    const matched = await checkTypedCode(tx, {
      email: user.email,
      open,
      code: otp.trim(),
      maxAttempts: MAX_CODE_ATTEMPTS,
      expired,
      wrong: () => new AppError("INVALID_CODE", { field: "otp" }),
    });
    if (!(await consumeByCode(tx, matched.id))) throw expired();
  });
}

/**
 * Confirms it's the caller: checks the factors given against what the account has, then renews
 * the session's proof (its methods and time). Returns the caller with the fresh proof.
 */
export async function reauthenticate(caller: Caller, input: ReauthenticationInput, client: ClientInfo): Promise<Caller> {
  const { user } = caller;
  await limitClient(database, "login", client.ip);
  // Everything the account asks for must be there before any of it is checked (and counted).
  const byPasskey = input.passkeyResponse !== undefined;
  if (!byPasskey && user.passwordHash && input.password === undefined) throw required("password");
  if (!byPasskey && !user.passwordHash && input.otp === undefined) throw required("otp");
  if (!byPasskey && user.totpEnabledAt && input.code === undefined) throw required("code");

  const methods: ProofMethod[] = [];
  if (byPasskey) {
    const { userVerified } = await verifyPasskeyReauthentication(caller, input.passkeyResponse, client);
    methods.push("passkey", ...(userVerified ? (["user-verification"] as const) : []));
  } else if (user.passwordHash) {
    await confirmCurrentPassword(user, input.password!, client, "password");
    methods.push("password");
  } else {
    await checkEmailedCode(user, input.otp!);
    methods.push("code");
  }
  if (user.totpEnabledAt && !metSecondFactor(methods)) {
    if (input.code === undefined) throw required("code");
    const factor = await checkSecondFactor(user, input.code);
    if (!factor) throw new AppError("INVALID_CODE", { field: "code" });
    methods.push(factor);
  }
  return renewProof(database, caller, methods);
}
