import { config } from "@/lib/config/env";
import { recordAudit } from "@/lib/db/audit";
import { now } from "@/lib/clock";
import {
  claimLoginAttempt,
  clearFailedLogins,
  findUserByEmail,
  upgradePasswordHash,
  type UserRecord,
} from "@/lib/db/users";
import { AppError } from "@/lib/errors";
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from "@/lib/password/hash";
import { claimMailSlot, limitClient, LOGIN_FAILURES_BEFORE_WAIT, loginDelayUntil, rateLimited } from "@/lib/rate-limit";
import { sendVerificationEmail } from "./email-verification";
import { issueTokens } from "./sessions";
import type { RequestMeta, TokenPair } from "./types";

export const LOGIN_FAILURE_DESCRIPTION = "Invaild Email / Password. Try again";

export interface LoginResult {
  user: UserRecord;
  tokens: TokenPair;
  familyId: string;
  /** Set when the account is unverified and a new code was e-mailed just now. */
  code: string | null;
}

/** Checks e-mail and password. Both failure paths cost one password verification. */
export async function authenticatePassword(email: string, password: string, meta: RequestMeta): Promise<UserRecord> {
  await limitClient("login", meta.ip);
  const user = await findUserByEmail(email);
  if (!user?.passwordHash) {
    await verifyAgainstDummy(password);
    // Written like a wrong password's failure, so the two paths also cost the same database work.
    const reason = user ? "no_password" : "unknown_email";
    await recordAudit({ type: "login_failed", userId: user?.id ?? null, ip: meta.ip, userAgent: meta.userAgent, detail: { reason } });
    throw loginFailure("email");
  }
  const waitUntil = loginDelayUntil(user.failedLoginCount, user.lastFailedLoginAt);
  if (waitUntil) throw rateLimited(waitUntil);
  // The attempt counts before the password is checked: of a burst of concurrent guesses only as
  // many are checked as would be one after another; the others wait as if those had failed.
  if (!(await claimLoginAttempt(user.id, user.failedLoginCount, LOGIN_FAILURES_BEFORE_WAIT))) {
    const until = loginDelayUntil(Math.max(user.failedLoginCount + 1, LOGIN_FAILURES_BEFORE_WAIT), now());
    throw rateLimited(until ?? now());
  }

  if (!(await verifyPassword(password, user.passwordHash))) {
    await recordAudit({ type: "login_failed", userId: user.id, ip: meta.ip, userAgent: meta.userAgent });
    throw loginFailure("password");
  }
  if (user.disabledAt) throw new AppError("ACCOUNT_DISABLED");
  await clearFailedLogins(user.id);
  if (needsRehash(user.passwordHash)) await upgradePasswordHash(user.id, user.passwordHash, await hashPassword(password));
  return user;
}

function loginFailure(which: "email" | "password"): AppError {
  const description = { description: LOGIN_FAILURE_DESCRIPTION };
  if (config().genericErrors) {
    return new AppError("LOGIN_FAILED", { errorsExtra: description });
  }
  return which === "email"
    ? new AppError("EMAIL_UNKNOWN", { field: "email", errorsExtra: description })
    : new AppError("PASSWORD_MISMATCH", { field: "password", errorsExtra: description });
}

/**
 * An unverified account gets a fresh code by e-mail on login, unless one went out in the last
 * minute: then the earlier code stays valid. Returns the code when one was sent.
 */
export async function sendCodeIfUnverified(user: UserRecord): Promise<string | null> {
  if (user.verifiedAt) return null;
  const slot = await claimMailSlot("verification", user.email);
  return slot.allowed ? sendVerificationEmail(user) : null;
}

/** The merged login of both documents: unverified accounts still get tokens (`is_verified: false`). */
export async function login(email: string, password: string, meta: RequestMeta): Promise<LoginResult> {
  const user = await authenticatePassword(email, password, meta);
  const code = await sendCodeIfUnverified(user);
  const { familyId, ...tokens } = await issueTokens(user, meta, "api");
  await recordAudit({ type: "login", userId: user.id, ip: meta.ip, userAgent: meta.userAgent, detail: { client: "api" } });
  return { user, tokens, familyId, code };
}
