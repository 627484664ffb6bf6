"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { FormMessage } from "@/components/form-message";
import { linkStyle } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { IDLE_STATE } from "@/components/use-action-form";
import { confirmEmailChangeAction } from "@/app/(auth)/actions";

/** The button that spends the token; on success the action sends the person on (account or sign-in). */
export function ConfirmEmailForm({ token }: { token: string }) {
  const t = useTranslations("auth.confirmEmail");
  const [state, dispatch, pending] = useActionState(confirmEmailChangeAction, IDLE_STATE);

  return (
    <form action={dispatch}>
      <FormMessage status={state.status} message={state.message}>
        {state.status === "error" && (
          <>
            {" "}
            <Link href="/profile#email" className={linkStyle}>
              {t("askAgain")}
            </Link>
          </>
        )}
      </FormMessage>
      <input type="hidden" name="token" value={token} />
      <SubmitButton pending={pending} pendingText={t("pending")}>
        {t("submit")}
      </SubmitButton>
    </form>
  );
}
