import { now, secondsFromNow } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { countTogether, database, readWithNext, transaction, type Tx } from "@/lib/db";
import { recordAudit } from "@/lib/db/audit";
import { enqueueEmail, type MailKind } from "@/lib/db/outbox";
import { findUserByEmail, findUserById, markVerified, type User } from "@/lib/db/users";
import {
  consumeByCode,
  consumeByToken,
  latestOpenVerificationOf,
  replaceVerification,
} from "@/lib/db/verifications";
import { AppError } from "@/lib/errors";
import { nudgeMailSender } from "@/lib/mail/sender";
import { verificationEmail } from "@/lib/mail/templates";
import { randomToken, sha256Hex } from "@/lib/tokens/hash";
import { checkTypedCode, codeDigest, newCode } from "./codes";
import { claimCodeCheck, claimMailSlot, limitClient, tryMailSlot, type ClientAction } from "./limits";
import { mailLanguage } from "./mail-language";
import { startAppSession } from "./sessions";
import type { ClientInfo, Tokens } from "./types";

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
 * previous code and link stop working. Returns the code (for AUTH_EXPOSE_OTP). The mail speaks the
 * account's language, else that of `client`'s request.
 */
export async function startEmailVerification(tx: Tx, user: Pick<User, "id" | "email" | "locale">, client: ClientInfo | null): Promise<string> {
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
  const mail = await verificationEmail({
    appName,
    locale: mailLanguage(user, client),
    code,
    link: `${appUrl}/confirm?token=${token}`,
    expiresInMinutes: CODE_LIFETIME_SECONDS / 60,
    linkExpiresInHours: LINK_LIFETIME_SECONDS / 3600,
  });
  await enqueueEmail(tx, { to: user.email, kind: "verification", ...mail });
  return code;
}

async function sendVerificationEmail(user: Pick<User, "id" | "email" | "locale">, client: ClientInfo | null): Promise<string> {
  const code = await transaction((tx) => startEmailVerification(tx, user, client));
  nudgeMailSender();
  return code;
}

/**
 * The prologue of every request that e-mails an address on demand: the client's limit, then the
 * address's mail limit (counted whether or not an account exists), then the account, if any.
 */
export async function mailRequest(action: ClientAction, kind: MailKind, email: string, client: ClientInfo): Promise<User | null> {
  await limitClient(database, action, client.ip);
  await claimMailSlot(database, kind, email);
  return findUserByEmail(database, email);
}

/**
 * Checks a typed code and verifies the account behind it. A code for an address without an account
 * is answered, and counted toward the address's cap, exactly as a wrong code is.
 */
export async function confirmCode(email: string, code: string, client: ClientInfo): Promise<User> {
  return countTogether((tx) => confirmCodeIn(tx, email, code, client));
}

/** `POST /auth/verify/otp/`: the code verifies the account and the app gets a session, in one commit. */
export async function verifyCode(email: string, code: string, client: ClientInfo): Promise<Tokens> {
  return countTogether(async (tx) => {
    const user = await confirmCodeIn(tx, email, code, client);
    return (await startAppSession(tx, user, client, "code")).tokens;
  });
}


/**
 * Checks a typed code and verifies the account, in `tx`, whose caller commits it with what the
 * verified account gets. The whole check is one commit: the client's count; both caps, claimed
 * before the code is compared (so a burst of concurrent guesses gets no more comparisons than the
 * same guesses one after another: the address's daily number of wrong codes, and
 * MAX_CODE_ATTEMPTS per code; the claims' rows stay locked until the commit); on a match, the
 * verification. A refusal commits what was counted (the callers' countTogether), as separate
 * statements would have left it.
 */
async function confirmCodeIn(tx: Tx, email: string, code: string, client: ClientInfo): Promise<User> {
  const expired = () => new AppError("OTP_EXPIRED", { field: "code" });
  const wrong = () => new AppError("OTP_INVALID", { field: "code" });
  // The account and its open code (none without an account). Reads only: on PostgreSQL they go
  // with the client's count, in its round trip.
  const target = readWithNext(tx, (early) => Promise.all([findUserByEmail(early, email), latestOpenVerificationOf(early, email, "verify_email")]));
  await limitClient(tx, "verify", client.ip);
  const [user, open] = await target;
  if (!user) {
    // Counted toward the address's cap exactly as a wrong code for an account is.
    await claimCodeCheck(tx, email);
    throw wrong();
  }
  const matched = await checkTypedCode(tx, {
    email,
    open,
    code,
    maxAttempts: MAX_CODE_ATTEMPTS,
    expired,
    wrong,
    onWrong: () => recordAudit(tx, { type: "otp_failed", userId: user.id, ip: client.ip, userAgent: client.userAgent }),
  });
  // A disabled account gets nothing, and its code stays as it was.
  if (user.disabledAt) throw new AppError("ACCOUNT_DISABLED");
  if (!(await consumeByCode(tx, matched.id))) throw expired();
  await markVerified(tx, user.id);
  await recordAudit(tx, { type: "email_verified", userId: user.id, ip: client.ip, userAgent: client.userAgent, detail: { via: "code" } });
  return { ...user, verifiedAt: user.verifiedAt ?? now() };
}

/** The e-mailed link: verifies the account behind the token. */
export async function confirmLink(token: string | null, client: ClientInfo): Promise<User> {
  await limitClient(database, "verify", client.ip);
  const invalid = () => new AppError("CONFIRMATION_INVALID", { field: "token" });
  if (!token) throw invalid();
  return transaction(async (tx) => {
    const consumed = await consumeByToken(tx, sha256Hex(token), "verify_email");
    if (!consumed) throw invalid();
    const owner = await findUserById(tx, consumed.userId);
    // A disabled account gets nothing: the transaction rolls back, the link stays unused.
    if (!owner || owner.disabledAt) throw owner ? new AppError("ACCOUNT_DISABLED") : invalid();
    await markVerified(tx, consumed.userId);
    await recordAudit(tx, { type: "email_verified", userId: consumed.userId, ip: client.ip, userAgent: client.userAgent, detail: { via: "link" } });
    return { ...owner, verifiedAt: owner.verifiedAt ?? now() };
  });
}

/**
 * A new code for an unverified account (VASITUM's resend). An unknown or already verified address
 * is answered with NOTHING_TO_RESEND, a second request within 60 s with 429.
 */
export async function resendCode(email: string, client: ClientInfo): Promise<{ code: string }> {
  const user = await mailRequest("resend", "verification", email, client);
  if (!user || user.verifiedAt) throw new AppError("NOTHING_TO_RESEND", { field: "email" });
  return { code: await sendVerificationEmail(user, client) };
}

/** A fresh verification e-mail if the account exists and is unverified; the answer is the same either way. */
export async function resendVerificationLink(email: string, client: ClientInfo): Promise<void> {
  const user = await mailRequest("generate-link", "verification", email, client);
  if (user && !user.verifiedAt) await sendVerificationEmail(user, client);
}

/**
 * An unverified account gets a fresh code by e-mail on login, unless one went out in the last
 * minute: then the earlier code stays valid. Returns the code when one was sent.
 */
export async function sendCodeIfUnverified(user: User, client: ClientInfo | null): Promise<string | null> {
  if (user.verifiedAt) return null;
  return (await tryMailSlot(database, "verification", user.email)) ? sendVerificationEmail(user, client) : null;
}
