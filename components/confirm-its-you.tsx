"use client";

import { startTransition, useActionState, useCallback, useEffect, useEffectEvent, useMemo, useRef, useState, type ReactNode } from "react";
import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/browser";
import { useTranslations } from "next-intl";
import { AuthCodeField } from "@/components/code-field";
import { ConfirmItsYouContext, type ConfirmItsYou } from "@/components/confirm-its-you-context";
import { FormMessage } from "@/components/form-message";
import { ModalDialog } from "@/components/modal-dialog";
import { OrDivider } from "@/components/or-divider";
import { PasskeyIcon } from "@/components/passkey-icon";
import { PasswordField } from "@/components/password-field";
import { Spinner } from "@/components/spinner";
import { buttonStyles } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { IDLE_STATE, useActionForm, type FormAction } from "@/components/use-action-form";
import { describePasskeyError, loadWebAuthn } from "@/components/webauthn";
import type { ReauthenticationNeeds } from "@/lib/auth/reauthentication";
import type { FormState } from "@/lib/web/form-state";
import { ReauthenticateFormSchema } from "@/lib/validation/forms";

/** What a confirmation gives: how long the session's proof now lasts. */
export type FreshProof = { freshForSeconds: number };

/** The server actions behind the step (app/(app)/reauthenticate-actions.ts), handed down by the page. */
export interface ConfirmItsYouActions {
  reauthenticate: FormAction<FreshProof>;
  sendCode: FormAction;
  passkeyOptions: FormAction<{ options: PublicKeyCredentialRequestOptionsJSON }>;
  reauthenticateWithPasskey: FormAction<FreshProof>;
}

/**
 * "Confirm it's you": before a sensitive change, a fresh proof of the session with every factor
 * the account has (lib/auth/proof.ts). One modal dialog for the page, opened by any form whose
 * action answers `reauthenticate` (useActionForm sends that form again once confirmed), or
 * before a sensitive form opens when the page already knows the proof is stale (`confirmedFirst`).
 * `freshForSeconds` is how long the page's proof stays fresh, counted on this device's clock.
 */
export function ConfirmItsYouProvider({
  needs,
  email,
  freshForSeconds,
  actions,
  children,
}: {
  needs: ReauthenticationNeeds;
  email: string;
  freshForSeconds: number;
  actions: ConfirmItsYouActions;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const asking = useRef<{ promise: Promise<boolean>; resolve: (ok: boolean) => void } | null>(null);
  // performance.now(), not Date.now(): a device clock that is off, or set, does not matter.
  const freshUntil = useRef(0);
  useEffect(() => {
    freshUntil.current = performance.now() + freshForSeconds * 1000;
  }, [freshForSeconds]);

  // Where focus goes back to when the dialog closes: what the person last used, which may have lost
  // focus meanwhile (a submit button is disabled while its form is on its way).
  const returnFocus = useRef<HTMLElement | null>(null);
  const confirm = useCallback((returnFocusTo?: HTMLElement | null) => {
    // Asked means stale, whatever the page thought.
    freshUntil.current = 0;
    if (!asking.current) {
      const active = document.activeElement;
      returnFocus.current = returnFocusTo?.isConnected ? returnFocusTo : active instanceof HTMLElement && active !== document.body ? active : null;
      let resolve!: (ok: boolean) => void;
      const promise = new Promise<boolean>((r) => (resolve = r));
      asking.current = { promise, resolve };
      setOpen(true);
    }
    return asking.current.promise;
  }, []);

  // Closed here, before the asking form hears the answer: the page is inert while the dialog is
  // open, and what the form does next (open, focus a field) must find it usable again.
  const dialogRef = useRef<HTMLDialogElement>(null);
  const finish = useCallback((ok: boolean, freshFor = 0) => {
    const current = asking.current;
    if (!current) return;
    asking.current = null;
    if (ok) freshUntil.current = performance.now() + freshFor * 1000;
    if (dialogRef.current?.open) dialogRef.current.close();
    if (returnFocus.current?.isConnected) returnFocus.current.focus();
    returnFocus.current = null;
    setOpen(false);
    current.resolve(ok);
  }, []);

  const value = useMemo<ConfirmItsYou>(() => ({ isFresh: () => performance.now() < freshUntil.current, confirm }), [confirm]);

  return (
    <>
      <ConfirmItsYouContext value={value}>{children}</ConfirmItsYouContext>
      <ModalDialog ref={dialogRef} open={open} onDismiss={() => finish(false)} titleId="confirm-its-you-title" descriptionId="confirm-its-you-description">
        {/* Each opening starts over: nothing typed last time stays. */}
        {open && (
          <ConfirmSteps
            needs={needs}
            email={email}
            actions={actions}
            onConfirmed={(seconds) => finish(true, seconds)}
            onCancel={() => finish(false)}
          />
        )}
      </ModalDialog>
    </>
  );
}

type PasskeyPrompt = { status: "idle" } | { status: "waiting" | "checking" } | { status: "error" | "info"; message: string };

function ConfirmSteps({
  needs,
  email,
  actions,
  onConfirmed,
  onCancel,
}: {
  needs: ReauthenticationNeeds;
  email: string;
  actions: ConfirmItsYouActions;
  onConfirmed: (freshForSeconds: number) => void;
  onCancel: () => void;
}) {
  const t = useTranslations("account");
  const common = useTranslations("common");
  const byEmail = needs.firstFactor === "emailed-code";
  const { state, pending, form, errorFor, formProps } = useActionForm(ReauthenticateFormSchema, actions.reauthenticate);
  const formRef = useRef<HTMLFormElement>(null);
  const [sendState, sendCode, sending] = useActionState(actions.sendCode, IDLE_STATE);
  // Once a code went out the field stays, whatever a later "Send another code" answers.
  const [codeSent, setCodeSent] = useState(false);
  if (sendState.status === "success" && !codeSent) setCodeSent(true);
  const [prompt, setPrompt] = useState<PasskeyPrompt>({ status: "idle" });

  const confirmed = useEffectEvent((freshFor: number) => onConfirmed(freshFor));
  useEffect(() => {
    if (state.status === "success") confirmed(state.data?.freshForSeconds ?? 0);
  }, [state]);

  // A passkey prompt still open when the dialog closes goes with it.
  const prompting = prompt.status === "waiting";
  useEffect(() => {
    if (!prompting) return;
    return () => void loadWebAuthn().then((webauthn) => webauthn.WebAuthnAbortService.cancelCeremony());
  }, [prompting]);

  const requestCode = () => startTransition(() => sendCode(new FormData()));

  const confirmWithPasskey = async () => {
    setPrompt({ status: "waiting" });
    let result: FormState<FreshProof>;
    try {
      const [webauthn, options] = await Promise.all([loadWebAuthn(), actions.passkeyOptions(IDLE_STATE, new FormData())]);
      if (options.status !== "success" || !options.data) {
        setPrompt({ status: "error", message: options.message ?? t("confirm.passkeyFailed") });
        return;
      }
      const response = await webauthn.startAuthentication({ optionsJSON: options.data.options });
      setPrompt({ status: "checking" });
      const answer = new FormData();
      answer.set("response", JSON.stringify(response));
      // A passkey that did not verify its user is one factor: a code typed here is the second.
      const code = formRef.current ? new FormData(formRef.current).get("code") : null;
      if (typeof code === "string" && code.trim()) answer.set("code", code);
      result = await actions.reauthenticateWithPasskey(IDLE_STATE, answer);
    } catch (error) {
      const { cancelled, message } = describePasskeyError(error, "sign-in", common);
      setPrompt(cancelled ? { status: "info", message: t("confirm.passkeyClosed") } : { status: "error", message });
      return;
    }
    if (result.status === "success") return onConfirmed(result.data?.freshForSeconds ?? 0);
    // A passkey that did not check its user asks for the code too: the action says so in its message.
    setPrompt({ status: "error", message: result.fieldErrors?.code?.[0] ?? result.message ?? t("confirm.passkeyFailed") });
  };

  const busy = prompt.status === "waiting" || prompt.status === "checking";
  const cancelButton = (
    <button type="button" onClick={onCancel} className={`${buttonStyles.secondary} w-full sm:w-auto`}>
      {t("actions.cancel")}
    </button>
  );

  return (
    <div className="px-5 py-6 sm:px-7 sm:py-7">
      <h2 id="confirm-its-you-title" className="text-lg font-semibold text-slate-900 dark:text-white">
        {t("confirm.title")}
      </h2>
      <p id="confirm-its-you-description" className="mt-1 mb-5 text-sm text-slate-600 dark:text-slate-400">
        {byEmail ? (
          <>
            {t.rich(codeSent ? "confirm.enterEmailedCode" : "confirm.willEmailCode", {
              email,
              // On a line of its own rather than broken, when it fits one.
              address: (chunks) => (
                <bdi className="inline-block max-w-full font-medium wrap-anywhere text-slate-900 dark:text-white">{chunks}</bdi>
              ),
            })}
            {needs.secondFactor && ` ${t("confirm.appCodeToo")}`}
          </>
        ) : needs.secondFactor ? (
          t("confirm.enterPasswordAndCode")
        ) : (
          t("confirm.enterPassword")
        )}
      </p>

      {byEmail && <FormMessage status={sendState.status} message={sendState.message} />}
      {byEmail && !codeSent ? (
        <div className="flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
          {cancelButton}
          <button
            type="button"
            data-autofocus
            onClick={requestCode}
            disabled={sending}
            aria-busy={sending || undefined}
            className={`${buttonStyles.primary} w-full sm:w-auto`}
          >
            {sending && <Spinner />}
            {sending ? t("actions.sending") : t("confirm.sendCode")}
          </button>
        </div>
      ) : (
        <form ref={formRef} {...formProps}>
          <FormMessage status={state.status} message={state.message} />
          {/* For password managers: whose password this is. */}
          <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
          {byEmail ? (
            <AuthCodeField
              id="reauth-otp"
              label={t("confirm.emailedCode")}
              autoFocus
              labelAside={
                <button type="button" onClick={requestCode} disabled={sending} className={buttonStyles.link}>
                  {sending ? t("actions.sending") : t("confirm.sendAnother")}
                </button>
              }
              error={errorFor("otp")}
              {...form.register("otp")}
            />
          ) : (
            <PasswordField id="reauth-password" label={t("confirm.currentPassword")} autoComplete="current-password" error={errorFor("password")} {...form.register("password")} />
          )}
          {needs.secondFactor && (
            <AuthCodeField
              id="reauth-code"
              // A recovery code has letters too.
              inputMode="text"
              hint={t("confirm.secondFactorHint")}
              error={errorFor("code")}
              {...form.register("code")}
            />
          )}
          <div className="mt-1 flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
            {cancelButton}
            <SubmitButton pending={pending} disabled={busy} pendingText={t("confirm.confirming")} fullWidth={false} className="w-full sm:w-auto">
              {t("confirm.submit")}
            </SubmitButton>
          </div>
        </form>
      )}

      {needs.hasPasskeys && (
        <>
          <OrDivider />
          {prompt.status === "error" || prompt.status === "info" ? (
            <FormMessage status={prompt.status} message={prompt.message} />
          ) : (
            <FormMessage status="idle" />
          )}
          <button
            type="button"
            onClick={confirmWithPasskey}
            disabled={busy || pending}
            aria-busy={busy || undefined}
            className={`${buttonStyles.secondary} w-full`}
          >
            {busy ? <Spinner /> : <PasskeyIcon />}
            {prompt.status === "waiting" ? t("confirm.waiting") : prompt.status === "checking" ? t("confirm.confirming") : t("confirm.usePasskey")}
          </button>
        </>
      )}
    </div>
  );
}
