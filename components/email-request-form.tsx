"use client";

import { useTranslations } from "next-intl";
import { EmailField } from "@/components/email-field";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { useActionForm } from "@/components/use-action-form";
import type { FormState } from "@/lib/web/form-state";
import { EmailFormSchema } from "@/lib/validation/forms";

/**
 * A form that asks for one e-mail address and sends something to it (a new confirmation link, a
 * reset link). Its answer reads the same whether or not an account exists.
 */
export function EmailRequestForm({
  action,
  submitLabel,
  againLabel,
}: {
  action: (previous: FormState, formData: FormData) => Promise<FormState>;
  submitLabel: string;
  /** The button's label once something was sent, offering to send it again. */
  againLabel?: string;
}) {
  const t = useTranslations("common");
  const { state, pending, form, initial, errorFor, formProps } = useActionForm(EmailFormSchema, action);
  const sent = state.status === "success" && againLabel !== undefined;
  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <EmailField defaultValue={initial.email} error={errorFor("email")} {...form.register("email")} />
      <SubmitButton pending={pending} pendingText={t("sending")} variant={sent ? "secondary" : "primary"} className="mt-1">
        {sent ? againLabel : submitLabel}
      </SubmitButton>
    </form>
  );
}
