"use client";

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
  const close = () => {
    setOpen(false);
    setClosed(true);
  };
  if (!open) {
    return (
      <div className="flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <p className={`text-sm ${mutedText}`}>This erases your details, passkeys and sessions. It can’t be undone.</p>
        <button
          type="button"
          autoFocus={closed}
          onClick={async () => {
            if (hasPassword || (await confirmedFirst(confirmation))) setOpen(true);
          }}
          className={`${buttonStyles.danger} w-full shrink-0 sm:w-auto`}
        >
          Delete account…
        </button>
      </div>
    );
  }
  return <Confirm hasPassword={hasPassword} email={email} onCancel={close} />;
}

function Confirm({ hasPassword, email, onCancel }: { hasPassword: boolean; email: string; onCancel: () => void }) {
  const { state, pending, form, errorFor, formProps } = useActionForm(DeleteAccountFormSchema, deleteAccountAction);
  const { register } = form;

  return (
    <form {...formProps} className="rounded-xl border border-red-200 bg-red-50/60 p-4 sm:p-5 dark:border-red-900 dark:bg-red-950/30">
      <p className="mb-4 text-sm text-slate-800 dark:text-slate-200">
        Your account and its personal details will be deleted at once, and every device signed out. You can sign up again with the same
        address later, as a new account.
      </p>
      <FormMessage status={state.status} message={state.message} />
      <div className="sm:max-w-sm">
        {hasPassword ? (
          <PasswordField id="delete-password" label="Current password" autoComplete="current-password" autoFocus error={errorFor("password")} {...register("password")} />
        ) : (
          <EmailField
            id="delete-email"
            autoComplete="off"
            autoFocus
            hint={
              <>
                Type <span className="font-medium wrap-anywhere text-slate-900 dark:text-white">{email}</span> to confirm.
              </>
            }
            error={errorFor("email")}
            {...register("email")}
          />
        )}
      </div>
      <div className="mt-1 flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
        <button type="button" onClick={onCancel} className={`${buttonStyles.secondary} w-full sm:w-auto`}>
          Cancel
        </button>
        <SubmitButton pending={pending} pendingText="Deleting…" variant="destructive" fullWidth={false} className="w-full sm:w-auto">
          Delete my account
        </SubmitButton>
      </div>
    </form>
  );
}
