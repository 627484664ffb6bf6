import { now, secondsFromNow } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { recordAudit } from "@/lib/db/audit";
import { db } from "@/lib/db/client";
import { enqueueEmail } from "@/lib/db/outbox";
import { revokeAllForUser } from "@/lib/db/refresh-tokens";
import { findUserByEmail, findUserById, setPasswordHash } from "@/lib/db/users";
import { consumeByToken, findVerificationByTokenHash, replaceVerification } from "@/lib/db/verifications";
import { AppError, FieldErrors } from "@/lib/errors";
import { nudgeMailSender } from "@/lib/mail/sender";
import { passwordResetEmail } from "@/lib/mail/templates";
import { hashPassword, verifyPassword } from "@/lib/password/hash";
import { passwordProblems } from "@/lib/password/policy";
import { claimMailSlot, limitClient, rateLimited } from "@/lib/rate-limit";
import { randomToken, sha256Hex } from "@/lib/tokens/hash";
import type { RequestMeta } from "./types";

export const RESET_LIFETIME_SECONDS = 60 * 60;

/**
 * Forgot password: e-mails a reset link when the account exists. The answer and the limits are
 * the same either way, so the endpoint reveals nothing about which addresses have accounts.
 */
export async function requestPasswordReset(email: string, meta: RequestMeta): Promise<void> {
  await limitClient("generate-link", meta.ip);
  const slot = await claimMailSlot("password_reset", email);
  if (!slot.allowed) throw rateLimited(slot.until);
  const user = await findUserByEmail(email);
  if (!user || user.disabledAt) return;

  const { appName, appUrl } = config();
  const token = randomToken();
  await db().$transaction(async (tx) => {
    await replaceVerification(tx, {
      userId: user.id,
      purpose: "reset_password",
      tokenHash: sha256Hex(token),
      expiresAt: secondsFromNow(RESET_LIFETIME_SECONDS),
    });
    const mail = passwordResetEmail({ appName, link: `${appUrl}/reset-password?token=${token}`, expiresInMinutes: RESET_LIFETIME_SECONDS / 60 });
    await enqueueEmail(tx, { to: user.email, kind: "password_reset", ...mail });
    await recordAudit({ type: "password_reset_requested", userId: user.id, ip: meta.ip, userAgent: meta.userAgent }, tx);
  });
  nudgeMailSender();
}

function assertAcceptable(password: string, field: string) {
  const problems = passwordProblems(password);
  if (problems.length) throw new FieldErrors({ [field]: problems });
}

/** Whether a reset link is still usable (the reset page checks before showing its form). */
export async function isResetTokenUsable(token: string): Promise<boolean> {
  const v = await findVerificationByTokenHash(sha256Hex(token));
  return !!v && v.purpose === "reset_password" && !v.consumedAt && v.expiresAt > now();
}

/**
 * Sets a new password from a reset link. The token is consumed atomically before anything
 * changes; every refresh token and browser session of the account ends, and the failed-login
 * streak is cleared (a reset always gets a locked-out user back in).
 */
export async function resetPassword(token: string | null, password: string, meta: RequestMeta): Promise<void> {
  await limitClient("password", meta.ip);
  const invalid = () => new AppError("RESET_TOKEN_INVALID", { field: "token" });
  if (!token) throw invalid();
  assertAcceptable(password, "password");
  const tokenHash = sha256Hex(token);
  const pending = await findVerificationByTokenHash(tokenHash);
  if (!pending || pending.purpose !== "reset_password" || pending.consumedAt) throw invalid();

  // Hash before the transaction: nothing slow runs while the database holds a lock.
  const passwordHash = await hashPassword(password);
  await db().$transaction(async (tx) => {
    const consumed = await consumeByToken(tx, tokenHash, "reset_password");
    if (!consumed) throw invalid();
    await setPasswordHash(tx, consumed.userId, passwordHash);
    await revokeAllForUser(consumed.userId, "password_reset", { tx });
    await recordAudit({ type: "password_reset", userId: consumed.userId, ip: meta.ip, userAgent: meta.userAgent }, tx);
  });
}

/**
 * Changes the password of a signed-in user. Other sessions end; the one making the change (its
 * refresh family, when known) stays signed in. A Google-only account may set a first password
 * without giving a current one.
 */
export async function changePassword(
  userId: number,
  input: { oldPassword: string | undefined; newPassword: string },
  meta: RequestMeta & { familyId?: string | null },
): Promise<void> {
  await limitClient("password", meta.ip);
  const user = await findUserById(userId);
  if (!user) throw new AppError("NOT_AUTHENTICATED");
  if (user.passwordHash) {
    if (!input.oldPassword || !(await verifyPassword(input.oldPassword, user.passwordHash))) {
      throw new AppError("PASSWORD_MISMATCH", { field: "old_password" });
    }
  }
  assertAcceptable(input.newPassword, "new_password");
  const passwordHash = await hashPassword(input.newPassword);
  await db().$transaction(async (tx) => {
    await setPasswordHash(tx, userId, passwordHash);
    await revokeAllForUser(userId, "password_change", { tx, exceptFamilyId: meta.familyId ?? undefined });
    await recordAudit({ type: "password_changed", userId, ip: meta.ip, userAgent: meta.userAgent }, tx);
  });
}
