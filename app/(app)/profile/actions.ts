"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import type { PublicKeyCredentialCreationOptionsJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { deleteAccount } from "@/lib/auth/account-deletion";
import { requestEmailChange } from "@/lib/auth/email-change";
import { addPasskey, passkeyRegistrationOptions, removePasskey } from "@/lib/auth/passkeys";
import { changePassword, requestPasswordReset } from "@/lib/auth/password";
import { updateUser } from "@/lib/auth/profile";
import { endSession, signOutEverywhere } from "@/lib/auth/sessions";
import { disableTwoFactor, enableTotp, replaceRecoveryCodesWith, setUpTotp, type TotpSetup } from "@/lib/auth/two-factor";
import { config } from "@/lib/config/env";
import { validatedAction } from "@/lib/web/actions";
import type { FormState } from "@/lib/web/form-state";
import { requestClient, requireSession, signOutBrowser } from "@/lib/web/session";
import {
  AddPasskeyFormSchema,
  ChangeEmailFormSchema,
  changePasswordFormSchema,
  DeleteAccountFormSchema,
  ProfileFormSchema,
  RemovePasskeyFormSchema,
  TotpCodeFormSchema,
  TurnOffTwoFactorFormSchema,
} from "@/lib/validation/forms";

const signedIn = () => requireSession("/profile");

export async function updateProfileAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(ProfileFormSchema, async (changes) => {
    const session = await signedIn();
    await updateUser(session, session.user.id, changes);
    revalidatePath("/profile");
    return { status: "success", message: "Profile saved", values: { name: changes.name, mobile: changes.mobile, dob: changes.dob } };
  })(previous, formData);
}

export async function changePasswordAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(changePasswordFormSchema(config().passwordMinLength), async ({ currentPassword, newPassword }) => {
    const session = await signedIn();
    await changePassword(session, { currentPassword, newPassword }, await requestClient());
    revalidatePath("/profile");
    return { status: "success", message: "Password changed. Other devices were signed out." };
  })(previous, formData);
}

/** The first password of an account that signs in with Google: a link to its own address. */
export async function requestPasswordLinkAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(z.object({}), async () => {
    const session = await signedIn();
    await requestPasswordReset(session.user.email, await requestClient());
    return { status: "success", message: `We sent a link to ${session.user.email}. It works for one hour.` };
  })(previous, formData);
}

export async function signOutAction(): Promise<void> {
  await signOutBrowser();
  redirect("/login");
}

export async function signOutAllAction(): Promise<void> {
  const session = await signedIn();
  await signOutEverywhere(session, await requestClient());
  await signOutBrowser();
  redirect("/login?signedout=all");
}

export async function revokeSessionAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(z.object({ sessionId: z.string().min(1) }), async ({ sessionId }) => {
    const session = await signedIn();
    if (sessionId === session.sessionId) return { status: "error", message: "Use “Sign out” to end this device’s session." };
    const ended = await endSession(session.user.id, sessionId, "session_revoked");
    revalidatePath("/profile");
    return ended ? { status: "success", message: "Session signed out" } : { status: "error", message: "That session has already ended." };
  })(previous, formData);
}

// ---- Two-factor authentication

export async function setUpTotpAction(previous: FormState<TotpSetup>, formData: FormData): Promise<FormState<TotpSetup>> {
  return validatedAction(z.object({}), async () => {
    const session = await signedIn();
    return { status: "success", data: await setUpTotp(session, await requestClient()) };
  })(previous, formData);
}

export type RecoveryCodes = { recoveryCodes: string[] };

export async function enableTotpAction(previous: FormState<RecoveryCodes>, formData: FormData): Promise<FormState<RecoveryCodes>> {
  return validatedAction(TotpCodeFormSchema, async ({ code }) => {
    const session = await signedIn();
    // No revalidatePath: the section shows the codes first, then refreshes the page itself.
    const data = await enableTotp(session, code, await requestClient());
    return { status: "success", message: "Two-factor authentication is on.", data };
  })(previous, formData);
}

export async function newRecoveryCodesAction(previous: FormState<RecoveryCodes>, formData: FormData): Promise<FormState<RecoveryCodes>> {
  return validatedAction(TotpCodeFormSchema, async ({ code }) => {
    const session = await signedIn();
    const data = await replaceRecoveryCodesWith(session, code, await requestClient());
    return { status: "success", message: "New recovery codes made. The old ones no longer work.", data };
  })(previous, formData);
}

export async function turnOffTwoFactorAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(TurnOffTwoFactorFormSchema, async ({ code }) => {
    const session = await signedIn();
    await disableTwoFactor(session, code, await requestClient());
    return { status: "success", message: "Two-factor authentication is off." };
  })(previous, formData);
}

// ---- Passkeys

type CreationOptions = { options: PublicKeyCredentialCreationOptionsJSON };

/** The options for the browser's passkey prompt; the challenge in them is good once, for five minutes. */
export async function passkeyOptionsAction(previous: FormState<CreationOptions>, formData: FormData): Promise<FormState<CreationOptions>> {
  return validatedAction(z.object({}), async () => {
    const session = await signedIn();
    return { status: "success", data: { options: await passkeyRegistrationOptions(session) } };
  })(previous, formData);
}

export async function addPasskeyAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(
    AddPasskeyFormSchema,
    async ({ name, response }) => {
      const session = await signedIn();
      const passkey = await addPasskey(session, response, name || undefined, await requestClient());
      revalidatePath("/profile");
      return { status: "success", message: `Passkey “${passkey.name}” added. You can sign in with it now.` };
    },
    { messageFields: ["response"] },
  )(previous, formData);
}

export async function removePasskeyAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(
    RemovePasskeyFormSchema,
    async ({ passkeyId }) => {
      const session = await signedIn();
      await removePasskey(session, passkeyId, await requestClient());
      revalidatePath("/profile");
      return { status: "success", message: "Passkey removed." };
    },
    { messageFields: ["passkeyId"] },
  )(previous, formData);
}

// ---- E-mail address and the account itself

export async function changeEmailAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(ChangeEmailFormSchema, async ({ newEmail, password }) => {
    const session = await signedIn();
    await requestEmailChange(session, { newEmail, password }, await requestClient());
    return {
      status: "success",
      message: `We sent a link to ${newEmail}. Open it within 24 hours to make it your address; until then, nothing changes.`,
    };
  })(previous, formData);
}

export async function deleteAccountAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(DeleteAccountFormSchema, async ({ password, email }) => {
    const session = await signedIn();
    await deleteAccount(session, { password, email }, await requestClient());
    // The account's sessions are gone with it; this drops the cookie that named one.
    await signOutBrowser();
    redirect("/account-deleted");
  })(previous, formData);
}
