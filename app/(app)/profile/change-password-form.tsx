"use client";

import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { FormMessage } from "@/components/form-message";
import { NewPasswordField } from "@/components/new-password-field";
import { PasswordField } from "@/components/password-field";
import { SubmitButton } from "@/components/submit-button";
import { useActionForm } from "@/components/use-action-form";
import { changePasswordAction } from "./actions";
import { changePasswordFormSchema } from "@/lib/validation/forms";

/** Change the password; the current one is required (a session alone never sets a password). */
export function ChangePasswordForm({ passwordMinLength }: { passwordMinLength: number }) {
  const schema = useMemo(() => changePasswordFormSchema(passwordMinLength), [passwordMinLength]);
  const { state, pending, form, errorFor, formProps } = useActionForm(schema, changePasswordAction);
  const { register, reset } = form;
  const router = useRouter();
  const t = useTranslations("account");

  // After a change the fields are emptied (new inputs, so the strength meter starts over too).
  const [round, setRound] = useState({ state, key: 0 });
  if (round.state !== state) setRound({ state, key: state.status === "success" ? round.key + 1 : round.key });

  useEffect(() => {
    if (state.status !== "success") return;
    // No values: react-hook-form resets the <form> itself, emptying the inputs, and its own store.
    reset();
    // The list of sessions changed (the others were signed out).
    router.refresh();
  }, [state, reset, router]);

  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <div key={round.key} className="flex flex-col gap-1">
        <PasswordField label={t("password.currentPassword")} autoComplete="current-password" error={errorFor("currentPassword")} {...register("currentPassword")} />
        <div className="grid gap-x-4 gap-y-1 sm:grid-cols-2">
          <NewPasswordField
            label={t("password.newPassword")}
            minLength={passwordMinLength}
            error={errorFor("newPassword")}
            {...register("newPassword")}
          />
          <PasswordField label={t("password.confirmPassword")} autoComplete="new-password" error={errorFor("confirmPassword")} {...register("confirmPassword")} />
        </div>
      </div>
      <div className="mt-1 flex justify-end">
        <SubmitButton pending={pending} pendingText={t("actions.saving")} fullWidth={false} className="w-full sm:w-auto">
          {t("password.submit")}
        </SubmitButton>
      </div>
    </form>
  );
}
