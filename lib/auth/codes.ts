import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { config } from "@/lib/config/env";
import { derivedKey } from "@/lib/tokens/secrets";

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
