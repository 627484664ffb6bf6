"use client";

import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { EmailField } from "@/components/email-field";
import { useActionForm } from "@/components/use-action-form";
import { resendLinkAction } from "@/app/(auth)/actions";
import { EmailFormSchema } from "@/lib/validation/forms";

/** Asks for a fresh confirmation link; the answer reads the same whether or not the account exists. */
export function ResendLinkForm() {
  const { state, pending, form, initial, errorFor, formProps } = useActionForm(EmailFormSchema, resendLinkAction);
  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <EmailField
        defaultValue={initial.email}
        error={errorFor("email")}
        {...form.register("email")}
      />
      <SubmitButton pending={pending} pendingText="Sending…" className="mt-1">
        Send a new link
      </SubmitButton>
    </form>
  );
}
