"use client";

import Link from "next/link";
import { useActionState } from "react";
import { FormMessage } from "@/components/form-message";
import { buttonStyles, linkStyle } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { IDLE_STATE } from "@/components/use-action-form";
import { confirmEmailChangeAction } from "@/app/(auth)/actions";

export function ConfirmEmailForm({ token }: { token: string }) {
  const [state, dispatch, pending] = useActionState(confirmEmailChangeAction, IDLE_STATE);

  if (state.status === "success" && state.data) {
    const { email, signedIn } = state.data;
    return (
      <>
        <FormMessage status="success" message={`${state.message} ${signedIn ? "You’re still signed in here." : "Sign in with it from now on."}`} />
        <Link
          href={signedIn ? "/profile" : `/login?email=${encodeURIComponent(email)}`}
          className={`${buttonStyles.primary} w-full`}
        >
          {signedIn ? "Go to your account" : "Sign in"}
        </Link>
      </>
    );
  }

  return (
    <form action={dispatch}>
      <FormMessage status={state.status} message={state.message}>
        {state.status === "error" && (
          <>
            {" "}
            <Link href="/profile#email" className={linkStyle}>
              Ask for a new link
            </Link>
          </>
        )}
      </FormMessage>
      <input type="hidden" name="token" value={token} />
      <SubmitButton pending={pending} pendingText="Confirming…">
        Confirm new address
      </SubmitButton>
    </form>
  );
}
