"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { deleteAccount } from "@/lib/auth/account-deletion";
import { requestEmailChange } from "@/lib/auth/email-change";
import { addPasskey, passkeyRegistrationOptions, removePasskey } from "@/lib/auth/passkeys";
import { changePassword, requestPasswordReset } from "@/lib/auth/password";
import { setLanguage, updateUser } from "@/lib/auth/profile";
import { endSession, signOutEverywhere } from "@/lib/auth/sessions";
import { disableTwoFactor, enableTotp, replaceRecoveryCodesWith, setUpTotp } from "@/lib/auth/two-factor";
import { config } from "@/lib/config/env";
import { revokeApp } from "@/lib/oauth/grants";
import * as z from "zod/mini";
import { signedInAction, signedInButtonAction } from "@/lib/web/actions";
import { pageTranslator } from "@/lib/web/locale";
import { signOutBrowser } from "@/lib/web/session";
import {
  AddPasskeyFormSchema,
  ChangeEmailFormSchema,
  changePasswordFormSchema,
  ClientIdFormSchema,
  DeleteAccountFormSchema,
  NoFieldsFormSchema,
  ProfileFormSchema,
  RemovePasskeyFormSchema,
  RevokeSessionFormSchema,
  TotpCodeFormSchema,
  TurnOffTwoFactorFormSchema,
} from "@/lib/validation/forms";

// The account's own forms: each reads its form, finds this browser's session (signedInAction),
// calls one service, and answers with form state or a redirect.

export const updateProfileAction = signedInAction(ProfileFormSchema, async (changes, { session }) => {
  await updateUser(session, session.user.id, changes);
  revalidatePath("/profile");
  const t = await pageTranslator("account");
  return { status: "success", message: t("details.saved"), values: { name: changes.name, mobile: changes.mobile, dob: changes.dob } };
});

/** The language of the pages (and mail): "" is the browser's. Saved, the page comes back in it. */
const LanguageFormSchema = z.object({ locale: z.string() });

export const setLanguageAction = signedInAction(LanguageFormSchema, async ({ locale }, { session }) => {
  await setLanguage(session, locale || null);
  revalidatePath("/", "layout");
  redirect("/profile?language=saved");
});

export const changePasswordAction = signedInAction(
  () => changePasswordFormSchema(config().passwordMinLength),
  async ({ currentPassword, newPassword }, { session, client }) => {
    await changePassword(session, { currentPassword, newPassword }, client);
    revalidatePath("/profile");
    const t = await pageTranslator("account");
    return { status: "success", message: t("password.changed") };
  },
);

/** The first password of an account that signs in with Google: a link to its own address. */
export const requestPasswordLinkAction = signedInAction(NoFieldsFormSchema, async (_, { session, client }) => {
  await requestPasswordReset(session.user.email, client);
  const t = await pageTranslator("account");
  return { status: "success", message: t("password.linkSent", { email: session.user.email }) };
});

export async function signOutAction(): Promise<void> {
  // No session needed: a cookie whose session already ended is dropped all the same.
  await signOutBrowser();
  redirect("/login");
}

export const signOutAllAction = signedInButtonAction(async ({ session, client }) => {
  await signOutEverywhere(session, client);
  await signOutBrowser();
  redirect("/login?signedout=all");
});

export const revokeSessionAction = signedInAction(RevokeSessionFormSchema, async ({ sessionId }, { session }) => {
  const t = await pageTranslator("account");
  if (sessionId === session.sessionId) return { status: "error", message: t("sessions.useSignOut") };
  const ended = await endSession(session.user.id, sessionId, "session_revoked");
  revalidatePath("/profile");
  return ended ? { status: "success", message: t("sessions.signedOut") } : { status: "error", message: t("sessions.alreadyEnded") };
});

// ---- Connected apps

/** Connected apps' Revoke: the remembered consent goes, and the app's refresh and access tokens stop working at once. */
export const revokeAppAction = signedInAction(ClientIdFormSchema, async ({ clientId }, { session, client }) => {
  const revoked = await revokeApp(session, clientId, client);
  revalidatePath("/profile");
  const t = await pageTranslator("account");
  return revoked ? { status: "success", message: t("connectedApps.revoked") } : { status: "error", message: t("connectedApps.alreadyRevoked") };
});

// ---- Two-factor authentication

export const setUpTotpAction = signedInAction(NoFieldsFormSchema, async (_, { session, client }) => ({
  status: "success",
  data: await setUpTotp(session, client),
}));

export const enableTotpAction = signedInAction(TotpCodeFormSchema, async ({ code }, { session, client }) => {
  // No revalidatePath: the section shows the codes first, then refreshes the page itself.
  const data = await enableTotp(session, code, client);
  const t = await pageTranslator("account");
  return { status: "success", message: t("twoFactor.turnedOn"), data };
});

export const newRecoveryCodesAction = signedInAction(TotpCodeFormSchema, async ({ code }, { session, client }) => {
  const data = await replaceRecoveryCodesWith(session, code, client);
  const t = await pageTranslator("account");
  return { status: "success", message: t("twoFactor.codesReplaced"), data };
});

export const turnOffTwoFactorAction = signedInAction(TurnOffTwoFactorFormSchema, async ({ code }, { session, client }) => {
  await disableTwoFactor(session, code, client);
  const t = await pageTranslator("account");
  return { status: "success", message: t("twoFactor.turnedOff") };
});

// ---- Passkeys

/** The options for the browser's passkey prompt; the challenge in them is good once, for five minutes. */
export const passkeyOptionsAction = signedInAction(NoFieldsFormSchema, async (_, { session }) => ({
  status: "success",
  data: { options: await passkeyRegistrationOptions(session) },
}));

export const addPasskeyAction = signedInAction(
  AddPasskeyFormSchema,
  async ({ name, response }, { session, client }) => {
    const passkey = await addPasskey(session, response, name || undefined, client);
    revalidatePath("/profile");
    const t = await pageTranslator("account");
    return { status: "success", message: t("passkeys.addedMessage", { name: passkey.name }) };
  },
  { messageFields: ["response"] },
);

export const removePasskeyAction = signedInAction(
  RemovePasskeyFormSchema,
  async ({ passkeyId }, { session, client }) => {
    await removePasskey(session, passkeyId, client);
    revalidatePath("/profile");
    const t = await pageTranslator("account");
    return { status: "success", message: t("passkeys.removed") };
  },
  { messageFields: ["passkeyId"] },
);

// ---- E-mail address and the account itself

export const changeEmailAction = signedInAction(ChangeEmailFormSchema, async ({ newEmail, password }, { session, client }) => {
  await requestEmailChange(session, { newEmail, password }, client);
  const t = await pageTranslator("account");
  return { status: "success", message: t("email.sent", { email: newEmail }) };
});

export const deleteAccountAction = signedInAction(DeleteAccountFormSchema, async ({ password, email }, { session, client }) => {
  await deleteAccount(session, { password, email }, client);
  // The account's sessions are gone with it; this drops the cookie that named one.
  await signOutBrowser();
  redirect("/account-deleted");
});
