"use client";

import { useTranslations } from "next-intl";
import { useActionState, useEffect, useRef } from "react";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { IDLE_STATE } from "@/components/use-action-form";
import { confirmLinkAction } from "@/app/(auth)/actions";
import { ResendLinkForm } from "./resend-link-form";

/**
 * Submits the token once the page has loaded in a real browser; the button is the fallback when
 * that did not happen (scripts off) or the person wants to press it.
 */
export function ConfirmForm({ token }: { token: string }) {
  const t = useTranslations("auth.confirm");
  const [state, dispatch] = useActionState(confirmLinkAction, IDLE_STATE);
  const formRef = useRef<HTMLFormElement>(null);
  const submitted = useRef(false);

  useEffect(() => {
    // Once: development's double effects must not spend the token twice.
    if (submitted.current) return;
    submitted.current = true;
    formRef.current?.requestSubmit();
  }, []);

  if (state.status === "error") {
    // The link was used or replaced between the page load and the submit: a new link is the way on.
    return (
      <>
        <FormMessage status="error" message={state.message ?? t("failed")} />
        <ResendLinkForm />
      </>
    );
  }

  return (
    <form ref={formRef} action={dispatch}>
      <input type="hidden" name="token" value={token} />
      <SubmitButton pendingText={t("pending")}>{t("submit")}</SubmitButton>
    </form>
  );
}
