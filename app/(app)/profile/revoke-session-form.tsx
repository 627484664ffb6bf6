"use client";

import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import { SubmitButton } from "@/components/submit-button";
import { IDLE_STATE } from "@/components/use-action-form";
import { revokeSessionAction } from "./actions";

/** "Sign out" for one other session; the list is rendered again afterwards, without it. */
export function RevokeSessionForm({ sessionId, device }: { sessionId: string; device: string }) {
  const [state, dispatch] = useActionState(revokeSessionAction, IDLE_STATE);
  const router = useRouter();
  const t = useTranslations("account");

  useEffect(() => {
    if (state.status === "success") router.refresh();
  }, [state, router]);

  return (
    <form action={dispatch} className="flex flex-col items-end gap-1">
      <input type="hidden" name="sessionId" value={sessionId} />
      <SubmitButton variant="secondary" fullWidth={false} pendingText={t("layout.signingOut")} className="min-h-9 py-1.5">
        {t.rich("sessions.signOut", { device, hidden: (chunks) => <span className="sr-only">{chunks}</span> })}
      </SubmitButton>
      {state.status === "error" && state.message && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-400">
          {state.message}
        </p>
      )}
    </form>
  );
}
