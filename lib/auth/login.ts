import { config } from "@/lib/config/env";
import { database, transaction } from "@/lib/db";
import { recordAudit } from "@/lib/db/audit";
import { findUserByEmail, upgradePasswordHash, type User } from "@/lib/db/users";
import { AppError } from "@/lib/errors";
import { metrics } from "@/lib/metrics";
import { checkPassword, hashPassword, verifyAgainstDummy, type PasswordCheck } from "@/lib/password/hash";
import { sendCodeIfUnverified } from "./email-verification";
import { abandonPasswordAttempt, claimLoginAttempt, settleMatchedPassword, type PasswordAttempt } from "./limits";
import { signInWithin, type AppSignIn } from "./sign-in";
import type { ClientInfo } from "./types";

export type LoginResult = AppSignIn & {
  /** Set when the account is unverified and a new code was e-mailed just now. */
  code: string | null;
};

/**
 * Checks an e-mail address and password against the failed-login limits (lib/auth/limits.ts).
 * Both failures cost one password verification, so their timing does not tell them apart:
 * EMAIL_UNKNOWN (no such account, or one without a password) and PASSWORD_MISMATCH.
 */
export async function authenticatePassword(email: string, password: string, client: ClientInfo): Promise<User> {
  const { user, attempt } = await checkLogin(email, password, client);
  await settleMatchedPassword(database, attempt);
  return user;
}

/**
 * The password check of a login. On a match the attempt is still to be settled (its claim taken
 * back, the address's streak ended), which the caller does in the transaction of what the match
 * starts: a login's writes after the hash are one commit with its session (or its second step).
 */
async function checkLogin(email: string, password: string, client: ClientInfo): Promise<{ user: User; attempt: PasswordAttempt }> {
  const { attempt, read: user } = await claimLoginAttempt(email, client.ip, (tx) => findUserByEmail(tx, email));
  let check: PasswordCheck | null = null;
  try {
    if (user?.passwordHash) check = await checkPassword(password, user.passwordHash);
    else await verifyAgainstDummy(password);
  } catch (error) {
    // Shed (the hash queue is full): nothing was compared, so nothing counts.
    await abandonPasswordAttempt(attempt);
    throw error;
  }

  if (!user || !check?.matches) {
    const reason = !user ? "unknown_email" : user.passwordHash ? "wrong_password" : "no_password";
    metrics().logins.inc({ outcome: reason });
    await recordAudit(database, { type: "login_failed", userId: user?.id ?? null, ip: client.ip, userAgent: client.userAgent, detail: { reason } });
    // With AUTH_GENERIC_ERRORS every door answers both failures alike.
    if (config().genericErrors) throw new AppError("LOGIN_FAILED");
    throw reason === "wrong_password"
      ? new AppError("PASSWORD_MISMATCH", { field: "password" })
      : new AppError("EMAIL_UNKNOWN", { field: "email" });
  }
  metrics().logins.inc({ outcome: user.disabledAt ? "disabled" : "success" });
  if (user.disabledAt) {
    await settleMatchedPassword(database, attempt);
    throw new AppError("ACCOUNT_DISABLED");
  }
  if (check.rehash) await upgradePasswordHash(database, user.id, user.passwordHash!, await hashPassword(password));
  return { user, attempt };
}

/**
 * The merged login of both documents: unverified accounts still get a session (and a new code);
 * an account with two-factor on gets the token of the second step instead.
 */
export async function loginWithPassword(email: string, password: string, client: ClientInfo): Promise<LoginResult> {
  const { user, attempt } = await checkLogin(email, password, client);
  const code = await sendCodeIfUnverified(user, client);
  const outcome = await transaction(async (tx) => {
    await settleMatchedPassword(tx, attempt);
    return signInWithin(tx, user, client, "password", "api");
  });
  return { ...outcome, code };
}
