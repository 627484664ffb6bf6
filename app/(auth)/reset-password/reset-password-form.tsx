"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useMemo } from "react";
import { FormMessage } from "@/components/form-message";
import { NewPasswordField } from "@/components/new-password-field";
import { PasswordField } from "@/components/password-field";
import { linkStyle } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { useActionForm } from "@/components/use-action-form";
import { resetPasswordAction } from "@/app/(auth)/actions";
import { resetPasswordFormSchema } from "@/lib/validation/forms";

export function ResetPasswordForm({ token, passwordMinLength }: { token: string; passwordMinLength: number }) {
  const t = useTranslations("auth.resetPassword");
  const schema = useMemo(() => resetPasswordFormSchema(passwordMinLength), [passwordMinLength]);
  const { state, pending, form, errorFor, formProps } = useActionForm(schema, resetPasswordAction, { token });
  const { register } = form;
  // The link was used or expired while the page was open: the form cannot help any more.
  const tokenRejected = state.status === "error" && !!state.message && !state.fieldErrors?.password;

  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message}>
        {tokenRejected && (
          <>
            {" "}
            <Link href="/forgot-password" className={linkStyle}>
              {t("requestNew")}
            </Link>
          </>
        )}
      </FormMessage>
      <input type="hidden" name="token" value={token} />
      <div className="flex flex-col gap-1">
        <NewPasswordField
          label={t("newPassword")}
          minLength={passwordMinLength}
          error={errorFor("password")}
          {...register("password")}
        />
        <PasswordField label={t("confirmPassword")} autoComplete="new-password" error={errorFor("confirmPassword")} {...register("confirmPassword")} />
      </div>
      <SubmitButton pending={pending} pendingText={t("pending")} className="mt-1">
        {t("submit")}
      </SubmitButton>
    </form>
  );
}
