"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { endAllSessions, endOneSession } from "@/lib/auth/browser-sessions";
import { changePassword } from "@/lib/auth/password";
import { updateUser } from "@/lib/auth/profile";
import { config } from "@/lib/config/env";
import { findUserById } from "@/lib/db/users";
import { AppError } from "@/lib/errors";
import { validatedAction, type FormState } from "@/lib/web/form-state";
import { currentSession, renewBrowserCookie, requestMeta, signOutBrowser } from "@/lib/web/session";
import { changePasswordFormSchema, ProfileFormSchema } from "@/lib/validation/forms";
import { z } from "zod";

async function signedIn() {
  const session = await currentSession();
  if (!session) redirect("/login?next=/profile");
  return session;
}

export async function updateProfileAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(ProfileFormSchema, async (changes) => {
    const session = await signedIn();
    await updateUser({ user: session.user, familyId: session.sessionId }, session.user.id, changes);
    revalidatePath("/profile");
    return { status: "success", message: "Profile saved", values: { name: changes.name, mobile: changes.mobile, dob: changes.dob } };
  })(previous, formData);
}

export async function changePasswordAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(
    changePasswordFormSchema(config().passwordMinLength),
    async ({ currentPassword, newPassword }) => {
      const session = await signedIn();
      await changePassword(
        session.user.id,
        { oldPassword: currentPassword || undefined, newPassword },
        { ...(await requestMeta()), familyId: session.sessionId },
      );
      // The change voided every older cookie; this browser keeps its session with a fresh one.
      const user = await findUserById(session.user.id);
      if (!user) throw new AppError("NOT_AUTHENTICATED");
      await renewBrowserCookie(user, session.sessionId);
      revalidatePath("/profile");
      return { status: "success", message: "Password changed. Other devices were signed out." };
    },
    { old_password: "currentPassword", new_password: "newPassword" },
  )(previous, formData);
}

export async function signOutAction(): Promise<void> {
  await signOutBrowser();
  redirect("/login");
}

export async function signOutAllAction(): Promise<void> {
  const session = await signedIn();
  await endAllSessions(session.user.id, await requestMeta());
  await signOutBrowser();
  redirect("/login?signedout=all");
}

export async function revokeSessionAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(z.object({ sessionId: z.string().min(1) }), async ({ sessionId }) => {
    const session = await signedIn();
    if (sessionId === session.sessionId) return { status: "error", message: "Use “Sign out” to end this device’s session." };
    const ended = await endOneSession(session.user.id, sessionId);
    revalidatePath("/profile");
    return ended ? { status: "success", message: "Session signed out" } : { status: "error", message: "That session has already ended." };
  })(previous, formData);
}
