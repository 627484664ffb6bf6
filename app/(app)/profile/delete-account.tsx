"use client";

import { useTranslations } from "next-intl";
import { useState } from "react";
import { confirmedFirst, useConfirmItsYou } from "@/components/confirm-its-you-context";
import { EmailField } from "@/components/email-field";
import { FormMessage } from "@/components/form-message";
import { PasswordField } from "@/components/password-field";
import { buttonStyles, mutedText } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { useActionForm } from "@/components/use-action-form";
import { DeleteAccountFormSchema } from "@/lib/validation/forms";
import { deleteAccountAction } from "./actions";

/**
 * The danger zone. A button opens the confirmation, which asks for the password — or, for an
 * account without one, its own address, after "Confirm it's you" (a fresh proof of the session).
 */
export function DeleteAccount({ hasPassword, email }: { hasPassword: boolean; email: string }) {
  const [open, setOpen] = useState(false);
  const confirmation = useConfirmItsYou();
  // Closing brings focus back to the button (after a page load it stays where it is).
  const [closed, setClosed] = useState(false);
  const t = useTranslations("account");
  const close = () => {
    setOpen(false);
    setClosed(true);
  };
  if (!open) {
    return (
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <p className={`text-sm ${mutedText}`}>{t("deleteAccount.warning")}</p>
        <button
          type="button"
          autoFocus={closed}
          onClick={async () => {
            if (hasPassword || (await confirmedFirst(confirmation))) setOpen(true);
          }}
          className={`${buttonStyles.danger} w-full shrink-0 sm:w-auto`}
        >
          {t("deleteAccount.open")}
        </button>
      </div>
    );
  }
  return <Confirm hasPassword={hasPassword} email={email} onCancel={close} />;
}

function Confirm({ hasPassword, email, onCancel }: { hasPassword: boolean; email: string; onCancel: () => void }) {
  const { state, pending, form, errorFor, formProps } = useActionForm(DeleteAccountFormSchema, deleteAccountAction);
  const { register } = form;
  const t = useTranslations("account");

  return (
    <form {...formProps} className="rounded-xl border border-red-200 bg-red-50/60 p-4 sm:p-5 dark:border-red-900 dark:bg-red-950/30">
      <p className="mb-4 text-sm text-slate-800 dark:text-slate-200">
        {t("deleteAccount.explanation")}
      </p>
      <FormMessage status={state.status} message={state.message} />
      <div className="sm:max-w-sm">
        {hasPassword ? (
          <PasswordField id="delete-password" label={t("deleteAccount.currentPassword")} autoComplete="current-password" autoFocus error={errorFor("password")} {...register("password")} />
        ) : (
          <EmailField
            id="delete-email"
            autoComplete="off"
            autoFocus
            hint={t.rich("deleteAccount.typeEmail", {
              email,
              strong: (chunks) => <bdi className="font-medium wrap-anywhere text-slate-900 dark:text-white">{chunks}</bdi>,
            })}
            error={errorFor("email")}
            {...register("email")}
          />
        )}
      </div>
      <div className="mt-1 flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
        <button type="button" onClick={onCancel} className={`${buttonStyles.secondary} w-full sm:w-auto`}>
          {t("actions.cancel")}
        </button>
        <SubmitButton pending={pending} pendingText={t("deleteAccount.deleting")} variant="destructive" fullWidth={false} className="w-full sm:w-auto">
          {t("deleteAccount.submit")}
        </SubmitButton>
      </div>
    </form>
  );
}
