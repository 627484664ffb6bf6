"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import {
  changeRole,
  deleteUser,
  disableUser,
  enableUser,
  resendVerification,
  resetTwoFactor,
  revokeUserSession,
  roleChoices,
  sendPasswordReset,
  signOutUser,
} from "@/lib/admin/users";
import type { Caller, ClientInfo } from "@/lib/auth/types";
import { signedInAction } from "@/lib/web/actions";
import { pageTranslator } from "@/lib/web/locale";
import { ChangeRoleFormSchema, UserIdFormSchema, UserSessionFormSchema } from "@/lib/validation/forms";

// The user page's actions: each calls one service of lib/admin/users.ts, which checks that the
// session is an admin's with a fresh proof (REAUTHENTICATION_REQUIRED opens "Confirm it's you").

type UserAction = (admin: Caller, userId: number, client: ClientInfo) => Promise<void>;

/** A thin door to `service`: on success the page is rendered anew and says `done`. */
const userAction = (service: UserAction, done: "disable" | "enable" | "signOut" | "sendReset" | "resendVerification" | "resetTwoFactor") =>
  signedInAction(UserIdFormSchema, async ({ userId }, { session, client }) => {
    await service(session, userId, client);
    revalidatePath(`/admin/users/${userId}`);
    const t = await pageTranslator("adminUsers");
    return { status: "success", message: t(`actions.${done}.done`) };
  });

export const disableUserAction = userAction(disableUser, "disable");
export const enableUserAction = userAction(enableUser, "enable");
export const signOutUserAction = userAction(signOutUser, "signOut");
export const sendPasswordResetAction = userAction(sendPasswordReset, "sendReset");
export const resendVerificationAction = userAction(resendVerification, "resendVerification");
export const resetTwoFactorAction = userAction(resetTwoFactor, "resetTwoFactor");

export const changeRoleAction = signedInAction(ChangeRoleFormSchema, async ({ userId, roleId }, { session, client }) => {
  await changeRole(session, userId, roleId, client);
  revalidatePath(`/admin/users/${userId}`);
  const role = (await roleChoices(session)).find((r) => r.id === roleId)?.name ?? String(roleId);
  const t = await pageTranslator("adminUsers");
  return { status: "success", message: t("actions.changeRole.done", { role }) };
});

/**
 * Ends one session of the account. The page is not rendered anew here: the session's row (and its
 * dialog) would go before saying so; the list refreshes itself once it has (user-actions.tsx).
 */
export const revokeUserSessionAction = signedInAction(UserSessionFormSchema, async ({ userId, sessionId }, { session, client }) => {
  await revokeUserSession(session, userId, sessionId, client);
  const t = await pageTranslator("adminUsers");
  return { status: "success", message: t("actions.revokeSession.done") };
});

/** The account is gone, and its page with it: back to the list, which says so. */
export const deleteUserAction = signedInAction(UserIdFormSchema, async ({ userId }, { session, client }) => {
  await deleteUser(session, userId, client);
  revalidatePath("/admin/users");
  redirect("/admin/users?deleted=1");
});
