import { now } from "@/lib/clock";
import { recordAudit } from "@/lib/db/audit";
import { db } from "@/lib/db/client";
import { eraseUser } from "@/lib/db/users";
import { AppError, ValidationError } from "@/lib/errors";
import { nudgeMailSender } from "@/lib/mail/sender";
import { messageFor } from "@/lib/messages";
import { prepareNotice } from "./notices";
import { confirmCurrentPassword } from "./password";
import { sessionStartedAt } from "./sessions";
import type { Caller, ClientInfo } from "./types";

/** An account without a password proves it is its owner by a sign-in this recent. */
export const FRESH_SIGN_IN_MS = 10 * 60_000;

/**
 * Deletes the caller's account: confirmed with the password, or — for an account without one —
 * with its own address and a session under ten minutes old. Every session ends with the account,
 * its personal data is erased (audit events keep no address or browser), the address may register
 * again, and a last notice goes to it.
 */
export async function deleteAccount(caller: Caller, input: { password?: string; email?: string }, client: ClientInfo): Promise<void> {
  const { user } = caller;
  if (user.passwordHash) {
    if (!input.password) throw new ValidationError({ password: [messageFor("REQUIRED")] });
    await confirmCurrentPassword(user, input.password, client, "password");
  } else {
    if (input.email !== user.email) throw new AppError("EMAIL_NOT_YOURS", { field: "email" });
    const startedAt = await sessionStartedAt(caller.sessionId);
    if (!startedAt || now().getTime() - startedAt.getTime() > FRESH_SIGN_IN_MS) throw new AppError("RECENT_SIGN_IN_REQUIRED");
  }
  const notice = await prepareNotice(user.email, "account_deleted", client);
  await db().$transaction(async (tx) => {
    // Gone already: a second, concurrent deletion of the same account.
    if (!(await eraseUser(tx, user))) throw new AppError("ACCESS_TOKEN_INVALID");
    // No address, browser or user link: only that an account was deleted.
    await recordAudit({ type: "account_deleted", detail: { user_id: user.id } }, tx);
    await notice(tx);
  });
  nudgeMailSender();
}
