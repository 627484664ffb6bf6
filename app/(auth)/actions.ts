"use server";

import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { redirect } from "next/navigation";
import { z } from "zod";
import { confirmEmailChange } from "@/lib/auth/email-change";
import { confirmCode, confirmLink, resendCode, resendVerificationLink, sendCodeIfUnverified } from "@/lib/auth/email-verification";
import { authenticatePassword } from "@/lib/auth/login";
import { passkeyLoginOptions, verifyPasskeySignIn } from "@/lib/auth/passkeys";
import { requestPasswordReset, resetPassword } from "@/lib/auth/password";
import { createAccount } from "@/lib/auth/signup";
import type { SecondStepInput } from "@/lib/auth/two-factor";
import { config } from "@/lib/config/env";
import { isAppError } from "@/lib/errors";
import { validatedAction } from "@/lib/web/actions";
import type { FormState } from "@/lib/web/form-state";
import { LINK_SENT_MESSAGE, RESET_SENT_MESSAGE } from "@/lib/web/messages";
import {
  completeBrowserSignIn,
  currentSession,
  dropSecondStep,
  requestClient,
  safeNextPath,
  SECOND_STEP_PAGE,
  signInBrowser,
} from "@/lib/web/session";
import {
  ConfirmEmailChangeFormSchema,
  ConfirmLinkFormSchema,
  EmailFormSchema,
  LoginFormSchema,
  PasskeySignInFormSchema,
  resetPasswordFormSchema,
  SecondStepCodeFormSchema,
  SecondStepRecoveryFormSchema,
  signUpFormSchema,
  verifyFormSchema,
} from "@/lib/validation/forms";

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

export async function loginAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(LoginFormSchema, async ({ email, password, next }) => {
    const user = await authenticatePassword(email, password, await requestClient());
    if (!user.verifiedAt) {
      await sendCodeIfUnverified(user);
      redirect(verifyUrl(user.email, next));
    }
    if ((await signInBrowser(user, "password")) === "second-step") redirect(secondStepUrl(next));
    redirect(safeNextPath(next));
  })(previous, formData);
}

const secondStepUrl = (next?: string) => `${SECOND_STEP_PAGE}?next=${encodeURIComponent(safeNextPath(next))}`;

/** The second step with `input`; one that can no longer succeed starts the sign-in over, with a message. */
async function finishSecondStep(input: SecondStepInput, next?: string): Promise<never> {
  try {
    await completeBrowserSignIn(input);
  } catch (error) {
    if (!isAppError(error) || error.code !== "SIGN_IN_AGAIN") throw error;
    await dropSecondStep();
    redirect(`/login?error=SignInAgain&next=${encodeURIComponent(safeNextPath(next))}`);
  }
  redirect(safeNextPath(next));
}

export async function secondStepCodeAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(SecondStepCodeFormSchema, ({ code, next }) => finishSecondStep({ code }, next))(previous, formData);
}

export async function secondStepRecoveryAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(SecondStepRecoveryFormSchema, ({ recoveryCode, next }) => finishSecondStep({ recoveryCode }, next), {
    // The service calls whichever code it was given `code`; this form's field is the recovery code.
    fieldNames: { code: "recoveryCode" },
  })(previous, formData);
}

type RequestOptions = { options: PublicKeyCredentialRequestOptionsJSON };

/** Options for a passkey sign-in (the button, or the Email field's autofill); each challenge is good once. */
export async function passkeySignInOptionsAction(previous: FormState<RequestOptions>, formData: FormData): Promise<FormState<RequestOptions>> {
  return validatedAction(z.object({}), async () => ({ status: "success", data: { options: await passkeyLoginOptions(await requestClient()) } }))(
    previous,
    formData,
  );
}

export async function passkeySignInAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(
    PasskeySignInFormSchema,
    async ({ response, next }) => {
      const { user, proof } = await verifyPasskeySignIn(response, await requestClient());
      const signedIn = await signInBrowser(user, proof);
      redirect(signedIn === "second-step" ? secondStepUrl(next) : safeNextPath(next));
    },
    { messageFields: ["response"] },
  )(previous, formData);
}

export async function verifyCodeAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(verifyFormSchema(config().otpLength), async ({ email, code, next }) => {
    const signedIn = await signInBrowser(await confirmCode(email, code, await requestClient()), "code");
    redirect(signedIn === "second-step" ? secondStepUrl(next) : safeNextPath(next));
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
      if ((await signInBrowser(user, "link")) === "second-step") redirect(secondStepUrl("/profile?confirmed=1"));
      redirect("/profile?confirmed=1");
    },
    { messageFields: ["token"] },
  )(previous, formData);
}

/**
 * The e-mail change link's button. A browser signed in here stays signed in (every other session
 * ends) and goes back to the account; any other browser goes to sign in with the new address.
 */
export async function confirmEmailChangeAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(
    ConfirmEmailChangeFormSchema,
    async ({ token }) => {
      const session = await currentSession();
      const user = await confirmEmailChange(token, await requestClient(), session?.sessionId);
      redirect(session?.user.id === user.id ? "/profile?emailchanged=1" : `/login?emailchanged=1&email=${encodeURIComponent(user.email)}`);
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
