"use client";

import { useTranslations } from "next-intl";
import { useActionState, useCallback, useEffect, useRef, useState } from "react";
import { Badge } from "@/components/badge";
import { FormMessage } from "@/components/form-message";
import { PasskeyIcon } from "@/components/passkey-icon";
import { buttonStyles, mutedText } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { TextField } from "@/components/text-field";
import { IDLE_STATE, useActionForm } from "@/components/use-action-form";
import { describePasskeyError, loadWebAuthn, type PasskeyWords } from "@/components/webauthn";
import type { FormState } from "@/lib/web/form-state";
import { PasskeyNameFormSchema } from "@/lib/validation/forms";
import { addPasskeyAction, passkeyOptionsAction, removePasskeyAction } from "./actions";

export interface PasskeyItem {
  id: string;
  name: string;
  backedUp: boolean;
  createdAt: string;
  /** "5 minutes ago", "3 Dec 2026": worded on the server, so the page reads the same after hydration. */
  addedWhen: string;
  lastUsedAt: string | null;
  lastUsedWhen: string | null;
}

/** The caller's passkeys, each removable after a confirmation, and a form to add one (once the address is confirmed). */
export function PasskeysSection({ passkeys, verified }: { passkeys: PasskeyItem[]; verified: boolean }) {
  const [removal, remove] = useActionState(removePasskeyAction, IDLE_STATE);
  const listRef = useRef<HTMLDivElement>(null);
  const t = useTranslations("account.passkeys");

  // The removed row took the focused button with it: carry on from the list.
  useEffect(() => {
    if (removal.status === "success") listRef.current?.focus();
  }, [removal]);

  return (
    <div className="flex flex-col gap-6">
      <div ref={listRef} tabIndex={-1} className="outline-none">
        <FormMessage status={removal.status} message={removal.message} />
        {passkeys.length > 0 ? (
          <ul aria-label={t("listLabel")} className="-my-3 divide-y divide-slate-200 dark:divide-slate-800">
            {passkeys.map((passkey) => (
              <PasskeyRow key={passkey.id} passkey={passkey} remove={remove} />
            ))}
          </ul>
        ) : (
          <p className={`text-sm ${mutedText}`}>{t("none")}</p>
        )}
      </div>
      {verified ? (
        <AddPasskeyForm />
      ) : (
        <p className={`border-t border-slate-200 pt-5 text-sm dark:border-slate-800 ${mutedText}`}>
          {t("confirmFirst")}
        </p>
      )}
    </div>
  );
}

function PasskeyRow({ passkey, remove }: { passkey: PasskeyItem; remove: (formData: FormData) => void }) {
  const [confirming, setConfirming] = useState(false);
  // After "Cancel", focus goes back to the button that opened the question.
  const [returned, setReturned] = useState(false);
  const questionId = `remove-${passkey.id}-question`;
  const t = useTranslations("account");

  return (
    <li className="flex flex-wrap items-center gap-x-4 gap-y-3 py-3">
      <span className="hidden size-10 shrink-0 items-center justify-center rounded-full bg-slate-100 text-slate-600 sm:flex dark:bg-slate-800 dark:text-slate-300">
        <PasskeyIcon />
      </span>
      <div className="min-w-0 flex-1">
        <p className="flex flex-wrap items-center gap-2 text-sm font-medium wrap-anywhere text-slate-900 dark:text-white">
          <bdi>{passkey.name}</bdi>
          {passkey.backedUp && <Badge tone="indigo">{t("passkeys.synced")}</Badge>}
        </p>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {t.rich("passkeys.added", { when: passkey.addedWhen, time: (chunks) => <time dateTime={passkey.createdAt}>{chunks}</time> })} ·{" "}
          {passkey.lastUsedAt
            ? t.rich("passkeys.lastUsed", { when: passkey.lastUsedWhen ?? "", time: (chunks) => <time dateTime={passkey.lastUsedAt!}>{chunks}</time> })
            : t("passkeys.neverUsed")}
        </p>
      </div>
      {confirming ? (
        <form action={remove} className="flex w-full flex-col gap-3 rounded-xl border border-red-200 bg-red-50/60 p-4 sm:flex-row sm:items-center dark:border-red-900 dark:bg-red-950/30">
          <input type="hidden" name="passkeyId" value={passkey.id} />
          <p id={questionId} className="flex-1 text-sm text-slate-800 dark:text-slate-200">
            {t("passkeys.removeQuestion", { name: passkey.name })}
          </p>
          <div className="flex flex-col-reverse gap-3 sm:flex-row">
            <button
              type="button"
              autoFocus
              onClick={() => {
                setConfirming(false);
                setReturned(true);
              }}
              className={`${buttonStyles.secondary} min-h-9 w-full py-1.5 sm:w-auto`}
            >
              {t("actions.cancel")}
            </button>
            <SubmitButton variant="destructive" fullWidth={false} pendingText={t("passkeys.removing")} aria-describedby={questionId} className="min-h-9 w-full py-1.5 sm:w-auto">
              {t("passkeys.removeSubmit")}
            </SubmitButton>
          </div>
        </form>
      ) : (
        <button type="button" autoFocus={returned} onClick={() => setConfirming(true)} className={`${buttonStyles.secondary} min-h-9 py-1.5`}>
          {t.rich("passkeys.remove", { name: passkey.name, hidden: (chunks) => <span className="sr-only">{chunks}</span> })}
        </button>
      )}
    </li>
  );
}

/**
 * The browser's passkey prompt between two server actions: the options (with a challenge the
 * server remembers), then the browser's answer with the name. A client function, so the form's
 * pending state covers the prompt too. Both actions need a fresh proof: their `reauthenticate`
 * goes back to the form, which confirms it's you and runs this again.
 */
async function addWithBrowser(failed: string, common: PasskeyWords, previous: FormState, formData: FormData): Promise<FormState> {
  const [webauthn, options] = await Promise.all([loadWebAuthn(), passkeyOptionsAction(IDLE_STATE, new FormData())]);
  const values = { name: String(formData.get("name") ?? "") };
  if (options.status !== "success" || !options.data) {
    return { status: "error", message: options.message ?? failed, values, reauthenticate: options.reauthenticate };
  }
  try {
    formData.set("response", JSON.stringify(await webauthn.startRegistration({ optionsJSON: options.data.options })));
  } catch (error) {
    const { cancelled, message } = describePasskeyError(error, "add", common);
    return { status: cancelled ? "info" : "error", message, values };
  }
  return addPasskeyAction(previous, formData);
}

function AddPasskeyForm() {
  const t = useTranslations("account.passkeys");
  const common = useTranslations("common");
  const failed = t("addFailed");
  const add = useCallback((previous: FormState, formData: FormData) => addWithBrowser(failed, common, previous, formData), [failed, common]);
  const { state, pending, form, errorFor, formProps } = useActionForm(PasskeyNameFormSchema, add);
  const { register, reset } = form;

  useEffect(() => {
    // No values: react-hook-form resets the <form> itself, emptying the name.
    if (state.status === "success") reset();
  }, [state, reset]);

  return (
    <form {...formProps} className="border-t border-slate-200 pt-5 dark:border-slate-800">
      <h3 className="mb-3 text-base font-semibold text-slate-900 dark:text-white">{t("addTitle")}</h3>
      <FormMessage status={state.status} message={state.message} />
      <div className="flex flex-col gap-x-4 sm:flex-row sm:items-start">
        <TextField
          id="passkey-name"
          label={t("nameLabel")}
          className="min-w-0 flex-1"
          autoComplete="off"
          maxLength={60}
          placeholder={t("namePlaceholder")}
          hint={t("nameHint")}
          error={errorFor("name")}
          {...register("name")}
        />
        <SubmitButton pending={pending} pendingText={t("waiting")} fullWidth={false} className="w-full sm:mt-7 sm:w-auto">
          <PasskeyIcon />
          {t("add")}
        </SubmitButton>
      </div>
    </form>
  );
}
