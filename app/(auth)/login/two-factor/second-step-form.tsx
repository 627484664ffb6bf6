"use client";

import { useState } from "react";
import { AuthCodeField, RecoveryCodeField } from "@/components/code-field";
import { FormMessage } from "@/components/form-message";
import { buttonStyles } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { useActionForm } from "@/components/use-action-form";
import { secondStepCodeAction, secondStepRecoveryAction } from "@/app/(auth)/actions";
import { SecondStepCodeFormSchema, SecondStepRecoveryFormSchema } from "@/lib/validation/forms";

/**
 * The code from the authenticator app, or — for a lost phone — one of the recovery codes. The
 * switch between the two keeps focus on the field it brings.
 */
export function SecondStepForm({ next }: { next: string }) {
  const [mode, setMode] = useState<"code" | "recovery">("code");
  const toggle = () => setMode((m) => (m === "code" ? "recovery" : "code"));
  // The field is the one thing to do on this page, and the switch replaces the field it was for.
  return mode === "code" ? <CodeForm next={next} onSwitch={toggle} /> : <RecoveryForm next={next} onSwitch={toggle} />;
}

function CodeForm({ next, onSwitch }: { next: string; onSwitch: () => void }) {
  const { state, pending, form, errorFor, formProps } = useActionForm(SecondStepCodeFormSchema, secondStepCodeAction, { next });
  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <input type="hidden" name="next" value={next} />
      <AuthCodeField
        autoFocus
        hint="The 6-digit code your authenticator app shows for this account."
        error={errorFor("code")}
        {...form.register("code")}
      />
      <SubmitButton pending={pending} pendingText="Verifying…" className="mt-1">
        Verify
      </SubmitButton>
      <Switch onClick={onSwitch}>Lost your phone? Use a recovery code</Switch>
    </form>
  );
}

function RecoveryForm({ next, onSwitch }: { next: string; onSwitch: () => void }) {
  const { state, pending, form, errorFor, formProps } = useActionForm(SecondStepRecoveryFormSchema, secondStepRecoveryAction, { next });
  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <input type="hidden" name="next" value={next} />
      <RecoveryCodeField
        autoFocus
        hint="One of the codes you saved when you turned on two-factor authentication. Each works once."
        error={errorFor("recoveryCode")}
        {...form.register("recoveryCode")}
      />
      <SubmitButton pending={pending} pendingText="Verifying…" className="mt-1">
        Verify
      </SubmitButton>
      <Switch onClick={onSwitch}>Use your authenticator app instead</Switch>
    </form>
  );
}

function Switch({ onClick, children }: { onClick: () => void; children: string }) {
  return (
    <div className="mt-5 text-center">
      <button type="button" onClick={onClick} className={buttonStyles.link}>
        {children}
      </button>
    </div>
  );
}
