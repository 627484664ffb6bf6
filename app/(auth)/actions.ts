"use server";

import { redirect } from "next/navigation";
import { confirmCode, confirmLink, resendCode, resendVerificationLink, sendCodeIfUnverified } from "@/lib/auth/email-verification";
import { authenticatePassword } from "@/lib/auth/login";
import { requestPasswordReset, resetPassword } from "@/lib/auth/password";
import { createAccount } from "@/lib/auth/signup";
import { config } from "@/lib/config/env";
import { AppError, isAppError } from "@/lib/errors";
import { validatedAction, type FormState } from "@/lib/web/form-state";
import { LINK_SENT_MESSAGE, RESET_SENT_MESSAGE } from "@/lib/web/messages";
import { requestClient, safeNextPath, SECOND_STEP_PAGE, signInBrowser, signInBrowserOrSecondStep } from "@/lib/web/session";
import { ConfirmLinkFormSchema, EmailFormSchema, LoginFormSchema, resetPasswordFormSchema, signUpFormSchema, verifyFormSchema } from "@/lib/validation/forms";

// The browser's door into the same services the JSON API uses. Each action validates with the
// form's schema, calls one service, and answers with form state or a redirect.

const verifyUrl = (email: string, next?: string) =>
  `/verify?email=${encodeURIComponent(email)}${next ? `&next=${encodeURIComponent(safeNextPath(next))}` : ""}`;

export async function signUpAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(signUpFormSchema(config().passwordMinLength), async (input) => {
    await createAccount(
      { email: input.email, password: input.password, name: input.name, mobile: input.mobile, dob: input.dob, roleId: input.roleId },
      await requestClient(),
    );
    redirect(verifyUrl(input.email));
  })(previous, formData);
}

/** With AUTH_GENERIC_ERRORS the form, like the API, does not say which of the two was wrong. */
function generalised(error: unknown): unknown {
  const loginFailure = isAppError(error) && (error.code === "EMAIL_UNKNOWN" || error.code === "PASSWORD_MISMATCH");
  return loginFailure && config().genericErrors ? new AppError("LOGIN_FAILED") : error;
}

export async function loginAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(LoginFormSchema, async ({ email, password, next }) => {
    const user = await authenticatePassword(email, password, await requestClient()).catch((error: unknown) => {
      throw generalised(error);
    });
    if (!user.verifiedAt) {
      await sendCodeIfUnverified(user);
      redirect(verifyUrl(user.email, next));
    }
    if ((await signInBrowserOrSecondStep(user, "password")) === "second-step") {
      redirect(`${SECOND_STEP_PAGE}?next=${encodeURIComponent(safeNextPath(next))}`);
    }
    redirect(safeNextPath(next));
  })(previous, formData);
}

export async function verifyCodeAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(verifyFormSchema(config().otpLength), async ({ email, code, next }) => {
    await signInBrowser(await confirmCode(email, code, await requestClient()), "code");
    redirect(safeNextPath(next));
  })(previous, formData);
}

export async function resendCodeAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(EmailFormSchema, async ({ email }) => {
    await resendCode(email, await requestClient());
    return { status: "success", message: `We sent a new code to ${email}.`, retryAfterSeconds: 60 };
  })(previous, formData);
}

export async function confirmLinkAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(
    ConfirmLinkFormSchema,
    async ({ token }) => {
      const user = await confirmLink(token, await requestClient());
      await signInBrowser(user, "link");
      redirect("/profile?confirmed=1");
    },
    { messageFields: ["token"] },
  )(previous, formData);
}

export async function resendLinkAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(EmailFormSchema, async ({ email }) => {
    await resendVerificationLink(email, await requestClient());
    return { status: "success", message: LINK_SENT_MESSAGE };
  })(previous, formData);
}

export async function forgotPasswordAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(EmailFormSchema, async ({ email }) => {
    await requestPasswordReset(email, await requestClient());
    return { status: "success", message: RESET_SENT_MESSAGE };
  })(previous, formData);
}

export async function resetPasswordAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(
    resetPasswordFormSchema(config().passwordMinLength),
    async ({ token, password }) => {
      await resetPassword(token, password, await requestClient());
      redirect("/login?reset=1");
    },
    { messageFields: ["token"] },
  )(previous, formData);
}
