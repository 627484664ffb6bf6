"use client";

import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useActionState, useEffect } from "react";
import { SubmitButton } from "@/components/submit-button";
import { IDLE_STATE } from "@/components/use-action-form";
import { revokeAppAction } from "./actions";

/** "Revoke" for one connected app; the list is rendered again afterwards, without it. */
export function RevokeAppForm({ clientId, app }: { clientId: string; app: string }) {
  const [state, dispatch] = useActionState(revokeAppAction, IDLE_STATE);
  const router = useRouter();
  const t = useTranslations("account");

  useEffect(() => {
    if (state.status === "success") router.refresh();
  }, [state, router]);

  return (
    <form action={dispatch} className="flex flex-col items-end gap-1">
      <input type="hidden" name="clientId" value={clientId} />
      <SubmitButton variant="secondary" fullWidth={false} pendingText={t("connectedApps.revoking")} className="min-h-9 py-1.5">
        {t.rich("connectedApps.revoke", { app, hidden: (chunks) => <span className="sr-only">{chunks}</span> })}
      </SubmitButton>
      {state.status === "error" && state.message && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-400">
          {state.message}
        </p>
      )}
    </form>
  );
}
