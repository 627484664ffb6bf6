import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Secrets handed to clients (refresh tokens, e-mailed links) are random and stored only as their
 * SHA-256. A fast hash is enough here, unlike for passwords: the input has 256 bits of entropy, so
 * nothing can be guessed from a leaked hash, and lookups by hash stay a plain unique-index hit.
 */
export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

/** `bytes` random bytes as base64url (32 bytes → 43 characters, 256 bits). */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}

/** Compares two secrets in constant time (for their content; their lengths may show). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
