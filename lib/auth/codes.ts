import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { now } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { writeWithNext, type Tx } from "@/lib/db";
import { claimCodeAttempt, releaseCodeAttempt, type VerificationRecord } from "@/lib/db/verifications";
import type { AppError } from "@/lib/errors";
import { derivedKey } from "@/lib/tokens/secrets";
import { claimCodeCheck, releaseCodeCheck } from "./limits";

/** A fresh numeric code of OTP_LENGTH digits, uniformly random. */
export function newCode(length = config().otpLength): string {
  return String(randomInt(0, 10 ** length)).padStart(length, "0");
}

/**
 * Codes have only 10^4 values, so a plain hash would fall to a lookup table if the database
 * leaked: they are keyed with a key derived from the server secret and bound to their verification's token hash.
 */
export function codeDigest(code: string, tokenHash: string): string {
  return createHmac("sha256", derivedKey("verification-code-hmac")).update(`${tokenHash}:${code}`).digest("hex");
}

export function codeMatches(code: string, tokenHash: string, storedDigest: string): boolean {
  const a = Buffer.from(codeDigest(code, tokenHash), "hex");
  const b = Buffer.from(storedDigest, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface TypedCodeCheck {
  /** The address whose daily cap on wrong codes counts this check. */
  email: string;
  /** The open verification whose code was e-mailed (null: none is open). */
  open: VerificationRecord | null;
  code: string;
  maxAttempts: number;
  expired: () => AppError;
  wrong: () => AppError;
  /** Recorded (in `tx`) before a wrong code is refused. */
  onWrong?: () => Promise<void>;
}

/**
 * A code typed from an e-mail, checked as every such code is, in `tx`: the address's cap on wrong
 * codes and the code's own tries are claimed before the comparison (so concurrent guesses get no
 * more comparisons than the same guesses one after another), and a right code gives its claim on
 * the cap back. Answers the matched verification, for the caller to consume; throws `expired`
 * (no open code, too old, out of tries) or `wrong`.
 */
export async function checkTypedCode(tx: Tx, check: TypedCodeCheck): Promise<VerificationRecord> {
  const { email, open } = check;
  const codeHash = open?.codeExpiresAt && open.codeExpiresAt > now() ? open.codeHash : null;
  // The address's cap and the code's try claimed in one round trip on PostgreSQL, in that order.
  const capped = writeWithNext(tx, (early) => claimCodeCheck(early, email));
  const tried = open && codeHash ? await claimCodeAttempt(tx, open.id, check.maxAttempts) : false;
  try {
    await capped;
  } catch (refusal) {
    // Refused by the cap: the try was never this code's.
    if (open && tried) await releaseCodeAttempt(tx, open.id);
    throw refusal;
  }
  if (!open || !codeHash || !tried) {
    await releaseCodeCheck(tx, email);
    throw check.expired();
  }
  if (!codeMatches(check.code, open.tokenHash, codeHash)) {
    await check.onWrong?.();
    throw check.wrong();
  }
  // A right code is no wrong code.
  await releaseCodeCheck(tx, email);
  return open;
}
