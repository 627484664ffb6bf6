import { now } from "@/lib/clock";
import { database } from "@/lib/db";
import { findVerificationByTokenHash, hasNewerVerification, type VerificationPurpose } from "@/lib/db/verifications";
import { sha256Hex } from "@/lib/tokens/hash";

/**
 * What an e-mailed link's token is worth, for its landing page to say the right thing: it still
 * works; it did its job already ("used": the address is confirmed, the password was reset); a
 * later e-mail's link took its place ("replaced": only the newest works); its time ran out; or it
 * was never ours (a truncated copy, a made-up token, or one cleaned away long after it ended).
 * Reading it changes nothing: mail scanners open links too.
 */
export type LinkState = "usable" | "used" | "replaced" | "expired" | "unknown";

export type LinkPurpose = Extract<VerificationPurpose, "verify_email" | "reset_password" | "change_email">;

export async function linkState(token: string, purpose: LinkPurpose): Promise<LinkState> {
  if (!token) return "unknown";
  const v = await findVerificationByTokenHash(database, sha256Hex(token));
  if (!v || v.purpose !== purpose) return "unknown";
  // A used link stays "used" after its lifetime: that is the more useful thing to hear.
  if (v.consumedAt) return (await hasNewerVerification(database, v)) ? "replaced" : "used";
  return v.expiresAt > now() ? "usable" : "expired";
}
