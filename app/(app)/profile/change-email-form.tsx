"use client";

import { useTranslations } from "next-intl";
import { useEffect, useState } from "react";
import { confirmedFirst, useConfirmItsYou } from "@/components/confirm-its-you-context";
import { EmailField } from "@/components/email-field";
import { FormMessage } from "@/components/form-message";
import { PasswordField } from "@/components/password-field";
import { buttonStyles, mutedText } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { useActionForm } from "@/components/use-action-form";
import { ChangeEmailFormSchema } from "@/lib/validation/forms";
import { changeEmailAction } from "./actions";

/**
 * Asks for a link to the new address; nothing changes until it is opened. The current password
 * is asked for when the account has one (a signed-in session alone must not move the account);
 * an account without one confirms it's you first, before the form (lib/auth/email-change.ts).
 * Only a confirmed address can be changed.
 */
export function ChangeEmailForm({ hasPassword, verified }: { hasPassword: boolean; verified: boolean }) {
  const [open, setOpen] = useState(false);
  // Closing brings focus back to the button (after a page load it stays where it is).
  const [closed, setClosed] = useState(false);
  const confirmation = useConfirmItsYou();
  const t = useTranslations("account");
  if (!verified) return <p className={`text-sm ${mutedText}`}>{t("email.confirmFirst")}</p>;
  if (!open) {
    const openForm = async () => {
      if (hasPassword || (await confirmedFirst(confirmation))) setOpen(true);
    };
    return (
      <button type="button" autoFocus={closed} onClick={openForm} className={`${buttonStyles.secondary} w-full sm:w-auto`}>
        {t("email.change")}
      </button>
    );
  }
  return (
    <OpenForm
      hasPassword={hasPassword}
      onCancel={() => {
        setOpen(false);
        setClosed(true);
      }}
    />
  );
}

function OpenForm({ hasPassword, onCancel }: { hasPassword: boolean; onCancel: () => void }) {
  const { state, pending, form, initial, errorFor, formProps } = useActionForm(ChangeEmailFormSchema, changeEmailAction);
  const { register, resetField } = form;
  const sent = state.status === "success";
  const t = useTranslations("account");

  useEffect(() => {
    // The address stays, so "Send another link" sends to it again; the password is asked anew.
    if (sent) resetField("password");
  }, [sent, state, resetField]);

  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <div className="grid gap-x-4 gap-y-1 sm:grid-cols-2">
        <EmailField
          id="new-email"
          label={t("email.newEmail")}
          // Not the browser's idea of "your address": that is the old one.
          autoComplete="off"
          autoFocus
          defaultValue={initial.newEmail}
          error={errorFor("newEmail")}
          {...register("newEmail")}
        />
        {hasPassword && (
          <PasswordField id="email-change-password" label={t("email.currentPassword")} autoComplete="current-password" error={errorFor("password")} {...register("password")} />
        )}
      </div>
      <div className="mt-1 flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
        <button type="button" onClick={onCancel} className={`${buttonStyles.secondary} w-full sm:w-auto`}>
          {sent ? t("actions.close") : t("actions.cancel")}
        </button>
        <SubmitButton pending={pending} pendingText={t("actions.sending")} fullWidth={false} className="w-full sm:w-auto">
          {sent ? t("email.sendAgain") : t("email.send")}
        </SubmitButton>
      </div>
    </form>
  );
}
