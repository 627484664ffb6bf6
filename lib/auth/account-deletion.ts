import { eraseUser } from "@/lib/db/users";
import { AppError, requiredField } from "@/lib/errors";
import { confirmCurrentPassword } from "./password";
import { requireFreshProof } from "./proof";
import { securityEvent } from "./security-events";
import type { Caller, ClientInfo } from "./types";

/**
 * Deletes the caller's account: confirmed with the password, or — for an account without one —
 * with its own address and a fresh proof of the session (lib/auth/proof.ts). Every session ends
 * with the account, its personal data is erased (audit events keep no address or browser), the
 * address may register again, and a last notice goes to it.
 */
export async function deleteAccount(caller: Caller, input: { password?: string; email?: string }, client: ClientInfo): Promise<void> {
  const { user } = caller;
  if (user.passwordHash) {
    if (!input.password) throw requiredField("password");
    await confirmCurrentPassword(user, input.password, client, "password");
  } else {
    if (input.email !== user.email) throw new AppError("EMAIL_NOT_YOURS", { field: "email" });
    requireFreshProof(caller);
  }
  await securityEvent("account_deleted", { user, client, sessionId: caller.sessionId }, async (tx) => {
    // Gone already: a second, concurrent deletion of the same account.
    if (!(await eraseUser(tx, user))) throw new AppError("ACCESS_TOKEN_INVALID");
  });
}
