import { now, secondsFromNow } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { recordAudit } from "@/lib/db/audit";
import { db, type Db, type Tx } from "@/lib/db/client";
import { enqueueEmail } from "@/lib/db/outbox";
import { findUserByEmail, markVerified, type UserRecord } from "@/lib/db/users";
import {
  claimCodeAttempt,
  consumeByCode,
  consumeByToken,
  findVerificationByTokenHash,
  latestOpenVerification,
  replaceVerification,
} from "@/lib/db/verifications";
import { AppError } from "@/lib/errors";
import { nudgeMailSender } from "@/lib/mail/sender";
import { verificationEmail } from "@/lib/mail/templates";
import {
  assertCodesAllowed,
  claimCodeCheck,
  claimMailSlot,
  limitClient,
  rateLimited,
  releaseCodeCheck,
} from "@/lib/rate-limit";
import { randomToken, sha256Hex } from "@/lib/tokens/hash";
import { codeDigest, codeMatches, newCode } from "./codes";
import { issueTokens } from "./sessions";
import type { RequestMeta, TokenPair } from "./types";

/**
 * E-mail verification, one mechanism for both original flows: each verification e-mail carries a
 * short code (VASITUM's OTP) and a link (the Django service's confirmation link). Either one
 * consumes the same row and verifies the account.
 */
export const CODE_LIFETIME_SECONDS = 10 * 60;
export const LINK_LIFETIME_SECONDS = 24 * 60 * 60;
export const MAX_CODE_ATTEMPTS = 5;

/**
 * Records a new verification for `user` and queues its e-mail in the caller's transaction; the
 * previous code and link stop working. Returns the code (for AUTH_EXPOSE_OTP).
 */
export async function startEmailVerification(tx: Db | Tx, user: Pick<UserRecord, "id" | "email">): Promise<string> {
  const { appName, appUrl } = config();
  const token = randomToken();
  const tokenHash = sha256Hex(token);
  const code = newCode();
  await replaceVerification(tx, {
    userId: user.id,
    purpose: "verify_email",
    tokenHash,
    expiresAt: secondsFromNow(LINK_LIFETIME_SECONDS),
    codeHash: codeDigest(code, tokenHash),
    codeExpiresAt: secondsFromNow(CODE_LIFETIME_SECONDS),
  });
  const mail = verificationEmail({
    appName,
    code,
    link: `${appUrl}/confirm?token=${token}`,
    expiresInMinutes: CODE_LIFETIME_SECONDS / 60,
    linkExpiresInHours: LINK_LIFETIME_SECONDS / 3600,
  });
  await enqueueEmail(tx, { to: user.email, kind: "verification", ...mail });
  return code;
}

/** Sends a fresh verification mail outside any other write (resend, login of an unverified user). */
export async function sendVerificationEmail(user: Pick<UserRecord, "id" | "email">): Promise<string> {
  const code = await db().$transaction((tx) => startEmailVerification(tx, user));
  nudgeMailSender();
  return code;
}

/** Checks a typed code and verifies the account behind it. */
export async function confirmCode(email: string, code: string, meta: RequestMeta): Promise<UserRecord> {
  await limitClient("verify", meta.ip);
  const user = await findUserByEmail(email);
  // An unknown address answers like a wrong code: the endpoint must not reveal accounts.
  if (!user) throw new AppError("OTP_INVALID", { field: "otp" });
  await assertCodesAllowed(user.id);

  const expired = () => new AppError("OTP_EXPIRED", { field: "otp" });
  const open = await latestOpenVerification(user.id, "verify_email");
  if (!open?.codeHash || !open.codeExpiresAt || open.codeExpiresAt <= now() || open.attempts >= MAX_CODE_ATTEMPTS) {
    throw expired();
  }
  // Both caps are claimed before the code is compared, so a burst of concurrent guesses gets no
  // more comparisons than the same guesses one after another: MAX_CODE_ATTEMPTS per code, and the
  // account's daily number of wrong codes.
  await claimCodeCheck(user.id);
  if (!(await claimCodeAttempt(open.id, MAX_CODE_ATTEMPTS))) {
    await releaseCodeCheck(user.id);
    throw expired();
  }
  if (!codeMatches(code, open.tokenHash, open.codeHash)) {
    await recordAudit({ type: "otp_failed", userId: user.id, ip: meta.ip, userAgent: meta.userAgent });
    throw new AppError("OTP_INVALID", { field: "otp" });
  }
  // A right code is no wrong code.
  await releaseCodeCheck(user.id);
  await db().$transaction(async (tx) => {
    if (!(await consumeByCode(tx, open.id))) throw expired();
    await markVerified(tx, user.id);
    await recordAudit({ type: "email_verified", userId: user.id, ip: meta.ip, userAgent: meta.userAgent, detail: { via: "code" } }, tx);
  });
  return { ...user, verifiedAt: user.verifiedAt ?? now() };
}

/** `POST /auth/verify/otp/`: the code verifies the account and the client gets tokens. */
export async function verifyCode(email: string, code: string, meta: RequestMeta): Promise<TokenPair> {
  const user = await confirmCode(email, code, meta);
  const { access_token, refresh } = await issueTokens(user, meta, "api");
  return { access_token, refresh };
}

/** Whether a confirmation link would still work (the landing page checks before submitting it). */
export async function isConfirmationTokenUsable(token: string): Promise<boolean> {
  const v = await findVerificationByTokenHash(sha256Hex(token));
  return !!v && v.purpose === "verify_email" && !v.consumedAt && v.expiresAt > now();
}

/** The landing of the e-mailed link: verifies the account behind the token. */
export async function confirmLink(token: string | null, meta: RequestMeta): Promise<UserRecord> {
  await limitClient("verify", meta.ip);
  if (!token) throw new AppError("CONFIRMATION_INVALID", { field: "token" });
  return db().$transaction(async (tx) => {
    const consumed = await consumeByToken(tx, sha256Hex(token), "verify_email");
    if (!consumed) throw new AppError("CONFIRMATION_INVALID", { field: "token" });
    await markVerified(tx, consumed.userId);
    await recordAudit(
      { type: "email_verified", userId: consumed.userId, ip: meta.ip, userAgent: meta.userAgent, detail: { via: "link" } },
      tx,
    );
    const user = await tx.user.findUniqueOrThrow({ where: { id: consumed.userId }, include: { role: true } });
    return { ...user, roleName: user.role.name } as UserRecord;
  });
}

/**
 * `POST /auth/resend/otp/`: a new code for an unverified account. The contract answers an unknown
 * or already verified address with the e-mail error, and a second request within 60 s with 429.
 */
export async function resendCode(email: string, meta: RequestMeta): Promise<{ code: string }> {
  await limitClient("resend", meta.ip);
  const slot = await claimMailSlot("verification", email);
  if (!slot.allowed) throw rateLimited(slot.until);
  const user = await findUserByEmail(email);
  if (!user || user.verifiedAt) throw new AppError("RESEND_NOT_ALLOWED", { field: "email" });
  return { code: await sendVerificationEmail(user) };
}

/**
 * `generate-link` type 1: a fresh verification e-mail if the account exists and is unverified.
 * The answer is the same either way.
 */
export async function resendVerificationLink(email: string, meta: RequestMeta): Promise<void> {
  await limitClient("generate-link", meta.ip);
  const slot = await claimMailSlot("verification", email);
  if (!slot.allowed) throw rateLimited(slot.until);
  const user = await findUserByEmail(email);
  if (user && !user.verifiedAt) await sendVerificationEmail(user);
}
