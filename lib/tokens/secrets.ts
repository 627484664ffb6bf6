import { hkdfSync } from "node:crypto";
import { config } from "@/lib/config/env";

/**
 * Keys for separate jobs, derived from AUTH_SECRET with HKDF-SHA256 (RFC 5869), so that no two
 * mechanisms share a key: a flaw that exposes one (say, the cookie encryption) tells nothing about
 * another (the code HMACs).
 */
export type KeyPurpose = "browser-session-cookie" | "verification-code-hmac";

const cache = new Map<KeyPurpose, Buffer>();

export function derivedKey(purpose: KeyPurpose): Buffer {
  let key = cache.get(purpose);
  if (!key) {
    key = Buffer.from(hkdfSync("sha256", config().authSecret, "auth-service", `auth-service/${purpose}/v1`, 32));
    cache.set(purpose, key);
  }
  return key;
}
