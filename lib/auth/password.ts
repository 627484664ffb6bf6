import { now, secondsFromNow } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { database, transaction, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/db/audit";
import { enqueueEmail } from "@/lib/db/outbox";
import { findUserById, markVerified, setPasswordHash, type User } from "@/lib/db/users";
import { consumeByToken, findVerificationByTokenHash, replaceVerification } from "@/lib/db/verifications";
import { AppError } from "@/lib/errors";
import { nudgeMailSender } from "@/lib/mail/sender";
import { metrics } from "@/lib/metrics";
import { passwordResetEmail } from "@/lib/mail/templates";
import { checkPassword, hashPassword } from "@/lib/password/hash";
import { randomToken, sha256Hex } from "@/lib/tokens/hash";
import { mailRequest } from "./email-verification";
import { abandonPasswordAttempt, claimPasswordAttempt, forgetFailedLogins, limitClient, rememberAddress, settleMatchedPassword } from "./limits";
import { mailLanguage } from "./mail-language";
import { assertAcceptablePassword } from "./password-policy";
import { securityEvent } from "./security-events";
import type { Caller, ClientInfo } from "./types";

export const RESET_LIFETIME_SECONDS = 60 * 60;

/**
 * Forgot password: e-mails a reset link when the account exists (to an account without a password,
 * a link that sets its first one). The answer and the limits are the same either way, so the
 * request reveals nothing about which addresses have accounts.
 */
export async function requestPasswordReset(email: string, client: ClientInfo): Promise<void> {
  const user = await mailRequest("generate-link", "password_reset", email, client);
  if (!user || user.disabledAt) return;

  await transaction(async (tx) => {
    await startPasswordReset(tx, user, client);
    await recordAudit(tx, { type: "password_reset_requested", userId: user.id, ip: client.ip, userAgent: client.userAgent });
  });
  nudgeMailSender();
}

/**
 * Records a new reset link for `user` and queues its e-mail in the caller's transaction (the
 * previous link stops working); to an account without a password, a link that sets its first one.
 * The mail speaks the account's language, else that of `client`'s request.
 */
export async function startPasswordReset(tx: Tx, user: User, client: ClientInfo | null = null): Promise<void> {
  const { appName, appUrl } = config();
  const token = randomToken();
  await replaceVerification(tx, {
    userId: user.id,
    purpose: "reset_password",
    tokenHash: sha256Hex(token),
    expiresAt: secondsFromNow(RESET_LIFETIME_SECONDS),
  });
  const mail = await passwordResetEmail({
    appName,
    locale: mailLanguage(user, client),
    link: `${appUrl}/reset-password?token=${token}`,
    expiresInMinutes: RESET_LIFETIME_SECONDS / 60,
    firstPassword: user.passwordHash === null,
  });
  await enqueueEmail(tx, { to: user.email, kind: "password_reset", ...mail });
}

/**
 * Sets a new password from a reset link. The token is consumed atomically before anything changes;
 * the address counts as verified (the link reached its mailbox); every session, open link and
 * second step of the account ends (and, if this is the address's first proof, every credential
 * set up before it: lib/auth/security-events.ts); its failed-login streaks are forgotten (a reset
 * always gets a locked-out owner back in), and a notice goes to the address.
 */
export async function resetPassword(token: string | null, password: string, client: ClientInfo): Promise<void> {
  await limitClient(database, "password", client.ip);
  const invalid = () => new AppError("RESET_TOKEN_INVALID", { field: "token" });
  if (!token) throw invalid();
  assertAcceptablePassword(password, "password");
  const tokenHash = sha256Hex(token);
  const pending = await findVerificationByTokenHash(database, tokenHash);
  // Checked in full before any work (a hash, the notice's mail slot) is spent on a dead link.
  if (!pending || pending.purpose !== "reset_password" || pending.consumedAt || pending.expiresAt <= now()) throw invalid();
  const user = await findUserById(database, pending.userId);
  if (!user) throw invalid();
  // Disabling voids every link; this holds even for one that raced it.
  if (user.disabledAt) throw new AppError("ACCOUNT_DISABLED");

  // Hash before the transaction: nothing slow runs while the database holds a lock.
  const passwordHash = await hashPassword(password);
  const firstProof = user.verifiedAt === null;
  await securityEvent(
    firstProof ? "address_proven_by_reset" : "password_reset",
    { user, client },
    async (tx) => {
      if (!(await consumeByToken(tx, tokenHash, "reset_password"))) throw invalid();
      await setPasswordHash(tx, user.id, passwordHash);
      // The link reached the address's mailbox: the address is proven.
      await markVerified(tx, user.id);
      await forgetFailedLogins(tx, user.email);
      // Opening the e-mailed link proved the owner: this address passes the failed-login ceiling.
      await rememberAddress(tx, user.email, client.ip);
    },
    firstProof ? { audit: { address_proven: true } } : {},
  );
}

/**
 * Asks a signed-in user for their current password before something only the owner may do
 * (a new password or e-mail address, deleting the account). A wrong one counts as a failed login
 * of the account from that address; an account without a password gets NO_PASSWORD_YET.
 */
export async function confirmCurrentPassword(user: User, password: string, client: ClientInfo, field: string): Promise<void> {
  if (!user.passwordHash) throw new AppError("NO_PASSWORD_YET", { field });
  const attempt = await claimPasswordAttempt(database, user.email, client.ip);
  const matches = await checkPassword(password, user.passwordHash).then(
    (check) => check.matches,
    async (error: unknown) => {
      await abandonPasswordAttempt(attempt);
      throw error;
    },
  );
  if (!matches) {
    metrics().logins.inc({ outcome: "wrong_current_password" });
    await recordAudit(database, { type: "password_confirmation_failed", userId: user.id, ip: client.ip, userAgent: client.userAgent });
    throw new AppError("PASSWORD_MISMATCH", { field });
  }
  await settleMatchedPassword(database, attempt);
}

/**
 * Changes the password of a signed-in user, who must give the current one (it is the change's
 * fresh proof): a stolen access token alone never sets a password (an account without one sets
 * its first through the reset link). Other sessions end, pending links and second steps die, and
 * a notice goes to the address.
 */
export async function changePassword(
  caller: Caller,
  input: { currentPassword: string; newPassword: string },
  client: ClientInfo,
): Promise<void> {
  await limitClient(database, "password", client.ip);
  const { user } = caller;
  await confirmCurrentPassword(user, input.currentPassword, client, "currentPassword");
  assertAcceptablePassword(input.newPassword, "newPassword");

  const passwordHash = await hashPassword(input.newPassword);
  await securityEvent("password_changed", { user, client, sessionId: caller.sessionId }, (tx) => setPasswordHash(tx, user.id, passwordHash));
}
