"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { FormMessage } from "@/components/form-message";
import { SubmitButton } from "@/components/submit-button";
import { IDLE_STATE } from "@/components/use-action-form";
import { requestPasswordLinkAction } from "./actions";

/**
 * An account that signs in with Google sets its first password through an e-mailed link, as a
 * reset does: being signed in alone is not enough (a stolen session must not become a password).
 */
export function SetPasswordLinkForm({ email }: { email: string }) {
  const [state, dispatch, pending] = useActionState(requestPasswordLinkAction, IDLE_STATE);
  const sent = state.status === "success";
  const t = useTranslations("account");
  return (
    <form action={dispatch} className="flex flex-col gap-3">
      <FormMessage status={state.status} message={state.message} />
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {t.rich("password.linkIntro", {
          email,
          strong: (chunks) => (
            <bdi className="font-medium wrap-anywhere text-slate-900 dark:text-white">{chunks}</bdi>
          ),
        })}
      </p>
      <div className="flex justify-end">
        <SubmitButton pending={pending} pendingText={t("actions.sending")} variant={sent ? "secondary" : "primary"} fullWidth={false} className="w-full sm:w-auto">
          {sent ? t("password.linkSendAgain") : t("password.linkSend")}
        </SubmitButton>
      </div>
    </form>
  );
}
