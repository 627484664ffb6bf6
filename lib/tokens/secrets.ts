import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from "node:crypto";
import { config } from "@/lib/config/env";

/**
 * Keys for separate jobs, derived from AUTH_SECRET with HKDF-SHA256 (RFC 5869), so that no two
 * mechanisms share a key: a flaw that exposes one (say, the cookie encryption) tells nothing about
 * another (the code HMACs).
 */
export type KeyPurpose =
  | "browser-session-cookie"
  | "verification-code-hmac"
  | "totp-secret-encryption"
  | "recovery-code-hmac"
  | "oauth-client-secret-encryption"
  | "oauth-cookie-signing";

const cache = new Map<KeyPurpose, Buffer>();

export function derivedKey(purpose: KeyPurpose): Buffer {
  let key = cache.get(purpose);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", config().authSecret, "auth-service", `auth-service/${purpose}/v1`, 32));
    cache.set(purpose, key);
  }
  return key;
}

const SEALED_PREFIX = "v1.";

/** What a sealed secret is: a TOTP secret, or an OAuth client's secret (lib/oauth/adapter.ts). */
export type SealPurpose = "totp-secret-encryption" | "oauth-client-secret-encryption";

/**
 * A secret the service must read back (a TOTP secret) as stored at rest: AES-256-GCM under a key
 * derived for that job, so a copy of the database alone gives no one the secret.
 */
export function sealSecret(plain: string, purpose: SealPurpose = "totp-secret-encryption"): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", derivedKey(purpose), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return SEALED_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url");
}

export function openSecret(sealed: string, purpose: SealPurpose = "totp-secret-encryption"): string {
  if (!sealed.startsWith(SEALED_PREFIX)) throw new Error("not a sealed secret");
  const raw = Buffer.from(sealed.slice(SEALED_PREFIX.length), "base64url");
  const decipher = createDecipheriv("aes-256-gcm", derivedKey(purpose), raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
}

/** A keyed digest of a low-entropy secret (a recovery code) for lookup by equality. */
export function keyedDigest(purpose: "recovery-code-hmac", value: string): string {
  return createHmac("sha256", derivedKey(purpose)).update(value).digest("hex");
}
