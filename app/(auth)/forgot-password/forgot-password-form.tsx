"use client";

import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { EmailField } from "@/components/email-field";
import { useActionForm } from "@/components/use-action-form";
import { forgotPasswordAction } from "@/app/(auth)/actions";
import { EmailFormSchema } from "@/lib/validation/forms";

/** The answer is the same whether or not an account exists, so it tells nobody who has one. */
export function ForgotPasswordForm() {
  const { state, pending, form, initial, errorFor, formProps } = useActionForm(EmailFormSchema, forgotPasswordAction);
  const sent = state.status === "success";
  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <EmailField
        defaultValue={initial.email}
        error={errorFor("email")}
        {...form.register("email")}
      />
      <SubmitButton pending={pending} pendingText="Sending…" variant={sent ? "secondary" : "primary"} className="mt-1">
        {sent ? "Send the link again" : "Send reset link"}
      </SubmitButton>
    </form>
  );
}
