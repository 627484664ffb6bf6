"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { changePassword, requestPasswordReset } from "@/lib/auth/password";
import { updateUser } from "@/lib/auth/profile";
import { endSession, signOutEverywhere } from "@/lib/auth/sessions";
import { config } from "@/lib/config/env";
import { validatedAction, type FormState } from "@/lib/web/form-state";
import { requestClient, requireSession, signOutBrowser } from "@/lib/web/session";
import { changePasswordFormSchema, ProfileFormSchema } from "@/lib/validation/forms";

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
