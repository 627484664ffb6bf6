"use client";

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
  return (
    <form action={dispatch} className="flex flex-col gap-3">
      <FormMessage status={state.status} message={state.message} />
      <p className="text-sm text-slate-600 dark:text-slate-400">
        We’ll e-mail a link to <span className="font-medium text-slate-900 dark:text-white">{email}</span>. Open it to choose your password.
      </p>
      <div className="flex justify-end">
        <SubmitButton pending={pending} pendingText="Sending…" variant={sent ? "secondary" : "primary"} fullWidth={false} className="w-full sm:w-auto">
          {sent ? "Send the link again" : "E-mail me a link"}
        </SubmitButton>
      </div>
    </form>
  );
}
