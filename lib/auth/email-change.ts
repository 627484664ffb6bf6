import { now, secondsFromNow } from "@/lib/clock";
import { config } from "@/lib/config/env";
import { database } from "@/lib/db";
import { enqueueEmail } from "@/lib/db/outbox";
import { changeEmail, EmailTakenError, findUserByEmail, findUserById, type User } from "@/lib/db/users";
import { consumeByToken, findVerificationByTokenHash, replaceVerification } from "@/lib/db/verifications";
import { AppError, requiredField } from "@/lib/errors";
import { emailChangeEmail } from "@/lib/mail/templates";
import { randomToken, sha256Hex } from "@/lib/tokens/hash";
import { claimMailSlot, limitClient } from "./limits";
import { mailLanguage } from "./mail-language";
import { confirmCurrentPassword } from "./password";
import { requireFreshProof, requireVerifiedAddress } from "./proof";
import { securityEvent } from "./security-events";
import type { Caller, ClientInfo } from "./types";

/**
 * Changing the account's e-mail address: nothing changes until a link sent to the new address is
 * opened (24 h, once); the old address is told at once. On confirmation the address changes, is
 * verified, every other session ends and the links sent to the old address die.
 */
export const EMAIL_CHANGE_LIFETIME_SECONDS = 24 * 60 * 60;

/**
 * Asks for the address to change. Needs a proven address, and as fresh proof the password (an
 * account without one: a fresh proof of the session, lib/auth/proof.ts).
 */
export async function requestEmailChange(caller: Caller, input: { newEmail: string; password?: string }, client: ClientInfo): Promise<void> {
  await limitClient(database, "generate-link", client.ip);
  const { user } = caller;
  requireVerifiedAddress(user);
  if (input.newEmail === user.email) throw new AppError("EMAIL_UNCHANGED", { field: "newEmail" });
  if (user.passwordHash) {
    if (!input.password) throw requiredField("password");
    await confirmCurrentPassword(user, input.password, client, "password");
  } else {
    requireFreshProof(caller);
  }
  if (await findUserByEmail(database, input.newEmail)) throw new AppError("EMAIL_TAKEN", { field: "newEmail", params: { email: input.newEmail } });
  await claimMailSlot(database, "verification", input.newEmail);

  const { appName, appUrl } = config();
  const token = randomToken();
  await securityEvent(
    "email_change_requested",
    { user, client, sessionId: caller.sessionId },
    async (tx) => {
      await replaceVerification(tx, {
        userId: user.id,
        purpose: "change_email",
        tokenHash: sha256Hex(token),
        expiresAt: secondsFromNow(EMAIL_CHANGE_LIFETIME_SECONDS),
        target: input.newEmail,
      });
      // The new address's mail is the account's: it speaks the account's language.
      const mail = await emailChangeEmail({
        appName,
        locale: mailLanguage(user, client),
        link: `${appUrl}/confirm-email?token=${token}`,
        newEmail: input.newEmail,
        expiresInHours: EMAIL_CHANGE_LIFETIME_SECONDS / 3600,
      });
      await enqueueEmail(tx, { to: input.newEmail, kind: "verification", ...mail });
    },
    { notice: { newEmail: input.newEmail } },
  );
}

/**
 * The link's landing: makes the new address the account's. `keepSessionId`: the browser session
 * that opened it, if the owner is signed in there; every other session ends.
 */
export async function confirmEmailChange(token: string | null, client: ClientInfo, keepSessionId?: string | null): Promise<User> {
  await limitClient(database, "verify", client.ip);
  const invalid = () => new AppError("EMAIL_CHANGE_INVALID", { field: "token" });
  if (!token) throw invalid();
  const tokenHash = sha256Hex(token);
  const pending = await findVerificationByTokenHash(database, tokenHash);
  if (!pending || pending.purpose !== "change_email" || pending.consumedAt || pending.expiresAt <= now() || !pending.target) throw invalid();
  const before = await findUserById(database, pending.userId);
  if (!before) throw invalid();
  if (before.disabledAt) throw new AppError("ACCOUNT_DISABLED");
  const newEmail = pending.target;
  try {
    return await securityEvent(
      "email_changed",
      { user: before, client, sessionId: keepSessionId ?? null },
      async (tx) => {
        if (!(await consumeByToken(tx, tokenHash, "change_email"))) throw invalid();
        return changeEmail(tx, before.id, newEmail);
      },
      { notice: { newEmail } },
    );
  } catch (error) {
    // Someone registered the new address after the link was sent.
    if (error instanceof EmailTakenError) throw new AppError("EMAIL_TAKEN", { field: "token", params: { email: newEmail } });
    throw error;
  }
}
