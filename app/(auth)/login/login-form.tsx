"use client";

import { useTranslations } from "next-intl";
import { FormMessage } from "@/components/form-message";
import { PasswordField } from "@/components/password-field";
import { linkStyle } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { EmailField } from "@/components/email-field";
import { useActionForm } from "@/components/use-action-form";
import { loginAction } from "@/app/(auth)/actions";

// Fetched with zod on the form's first focus, not with the page: a Google or passkey sign-in never needs them.
const loadSchema = () => import("@/lib/validation/forms").then((forms) => forms.LoginFormSchema);

export function LoginForm({ next, defaultEmail }: { next: string; defaultEmail: string }) {
  const t = useTranslations("auth.login");
  const { state, pending, form, initial, errorFor, formProps } = useActionForm(loadSchema, loginAction, {
    email: defaultEmail,
    next,
  });
  const { register } = form;

  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <input type="hidden" name="next" value={next} />
      <div className="flex flex-col gap-1">
        <EmailField
          // "webauthn": the browser may offer this site's passkeys among the addresses it suggests.
          autoComplete="username webauthn"
          defaultValue={initial.email}
          error={errorFor("email")}
          {...register("email")}
        />
        <PasswordField label={t("password")} autoComplete="current-password" error={errorFor("password")} {...register("password")} />
      </div>
      <div className="-mt-1 mb-5 flex justify-end">
        <a href="/forgot-password" className={`text-sm ${linkStyle}`}>
          {t("forgotPassword")}
        </a>
      </div>
      <SubmitButton pending={pending} pendingText={t("pending")}>
        {t("submit")}
      </SubmitButton>
    </form>
  );
}
