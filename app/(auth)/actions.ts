"use server";

import { redirect } from "next/navigation";
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
import { pageTranslator } from "@/lib/web/locale";
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
  NoFieldsFormSchema,
  PasskeySignInFormSchema,
  resetPasswordFormSchema,
  SecondStepCodeFormSchema,
  SecondStepRecoveryFormSchema,
  signUpFormSchema,
  verifyFormSchema,
} from "@/lib/validation/forms";

// The browser's door into the same services the JSON API uses. Each action validates with the
// form's schema, calls one service, and answers with form state or a redirect. Their own words
// are the `auth` namespace's, in the page's language; a service's errors are worded by validatedAction.

const verifyUrl = (email: string, next?: string) =>
  `/verify?email=${encodeURIComponent(email)}${next ? `&next=${encodeURIComponent(safeNextPath(next))}` : ""}`;

export const signUpAction = validatedAction(
  () => signUpFormSchema(config().passwordMinLength, config().signupFields),
  // Fields SIGNUP_FIELDS does not ask for are absent: the account keeps them empty.
  async ({ email, password, name, mobile, dob, roleId }) => {
    await createAccount({ email, password, name, mobile, dob, roleId }, await requestClient());
    redirect(verifyUrl(email));
  },
);

export const loginAction = validatedAction(LoginFormSchema, async ({ email, password, next }) => {
  const user = await authenticatePassword(email, password, await requestClient());
  if (!user.verifiedAt) {
    await sendCodeIfUnverified(user, await requestClient());
    redirect(verifyUrl(user.email, next));
  }
  if ((await signInBrowser(user, "password")) === "second-step") redirect(secondStepUrl(next));
  redirect(safeNextPath(next));
});

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

export const secondStepCodeAction = validatedAction(SecondStepCodeFormSchema, ({ code, next }) => finishSecondStep({ code }, next));

export const secondStepRecoveryAction = validatedAction(SecondStepRecoveryFormSchema, ({ recoveryCode, next }) => finishSecondStep({ recoveryCode }, next), {
  // The service calls whichever code it was given `code`; this form's field is the recovery code.
  fieldNames: { code: "recoveryCode" },
});

/** Options for a passkey sign-in (the button, or the Email field's autofill); each challenge is good once. */
export const passkeySignInOptionsAction = validatedAction(NoFieldsFormSchema, async () => ({
  status: "success",
  data: { options: await passkeyLoginOptions(await requestClient()) },
}));

export const passkeySignInAction = validatedAction(
  PasskeySignInFormSchema,
  async ({ response, next }) => {
    const { user, proof } = await verifyPasskeySignIn(response, await requestClient());
    const signedIn = await signInBrowser(user, proof);
    redirect(signedIn === "second-step" ? secondStepUrl(next) : safeNextPath(next));
  },
  { messageFields: ["response"] },
);

export const verifyCodeAction = validatedAction(
  () => verifyFormSchema(config().otpLength),
  async ({ email, code, next }) => {
    const signedIn = await signInBrowser(await confirmCode(email, code, await requestClient()), "code");
    redirect(signedIn === "second-step" ? secondStepUrl(next) : safeNextPath(next));
  },
);

export const resendCodeAction = validatedAction(EmailFormSchema, async ({ email }) => {
  await resendCode(email, await requestClient());
  const t = await pageTranslator("auth");
  return { status: "success", message: t("verify.newCodeSent", { email }), retryAfterSeconds: 60 };
});

export const confirmLinkAction = validatedAction(
  ConfirmLinkFormSchema,
  async ({ token }) => {
    const user = await confirmLink(token, await requestClient());
    if ((await signInBrowser(user, "link")) === "second-step") redirect(secondStepUrl("/profile?confirmed=1"));
    redirect("/profile?confirmed=1");
  },
  { messageFields: ["token"] },
);

/**
 * The e-mail change link's button. A browser signed in here stays signed in (every other session
 * ends) and goes back to the account; any other browser goes to sign in with the new address.
 */
export const confirmEmailChangeAction = validatedAction(
  ConfirmEmailChangeFormSchema,
  async ({ token }) => {
    const session = await currentSession();
    const user = await confirmEmailChange(token, await requestClient(), session?.sessionId);
    redirect(session?.user.id === user.id ? "/profile?emailchanged=1" : `/login?emailchanged=1&email=${encodeURIComponent(user.email)}`);
  },
  { messageFields: ["token"] },
);

export const resendLinkAction = validatedAction(EmailFormSchema, async ({ email }) => {
  await resendVerificationLink(email, await requestClient());
  // The same answer whether or not an account exists.
  const t = await pageTranslator("auth");
  return { status: "success", message: t("confirm.linkSent") };
});

export const forgotPasswordAction = validatedAction(EmailFormSchema, async ({ email }) => {
  await requestPasswordReset(email, await requestClient());
  // The same answer whether or not an account exists.
  const t = await pageTranslator("auth");
  return { status: "success", message: t("forgotPassword.sent") };
});

export const resetPasswordAction = validatedAction(
  () => resetPasswordFormSchema(config().passwordMinLength),
  async ({ token, password }) => {
    await resetPassword(token, password, await requestClient());
    redirect("/login?reset=1");
  },
  { messageFields: ["token"] },
);
