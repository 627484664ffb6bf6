"use client";

import { useRouter } from "next/navigation";
import { useActionState, useEffect, type ReactNode } from "react";
import { SubmitButton } from "@/components/submit-button";
import { IDLE_STATE } from "@/components/use-action-form";
import type { FormState } from "@/lib/web/form-state";

/**
 * One button that ends one row of a list (another session's "Sign out", a connected app's
 * "Revoke"): it posts the row's id under `name`, and the list is rendered again afterwards,
 * without it. The words come from the page (the button's label names the row for screen readers).
 */
export function RowActionForm({
  action,
  name,
  value,
  pendingText,
  children,
}: {
  action: (state: FormState, formData: FormData) => Promise<FormState>;
  name: string;
  value: string;
  pendingText: string;
  children: ReactNode;
}) {
  const [state, dispatch] = useActionState(action, IDLE_STATE);
  const router = useRouter();

  useEffect(() => {
    if (state.status === "success") router.refresh();
  }, [state, router]);

  return (
    <form action={dispatch} className="flex flex-col items-end gap-1">
      <input type="hidden" name={name} value={value} />
      <SubmitButton variant="secondary" fullWidth={false} pendingText={pendingText} className="min-h-9 py-1.5">
        {children}
      </SubmitButton>
      {state.status === "error" && state.message && (
        <p role="alert" className="text-xs text-red-700 dark:text-red-400">
          {state.message}
        </p>
      )}
    </form>
  );
}
