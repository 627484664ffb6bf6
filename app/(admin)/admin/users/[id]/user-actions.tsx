"use client";

import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { confirmedFirst, useConfirmItsYou } from "@/components/confirm-its-you-context";
import { FormMessage } from "@/components/form-message";
import { ModalDialog } from "@/components/modal-dialog";
import { SelectField } from "@/components/select-field";
import { buttonStyles, mutedText } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { useConfirmedActionState } from "@/components/use-action-form";
import type { FormState } from "@/lib/web/form-state";
import {
  changeRoleAction,
  deleteUserAction,
  disableUserAction,
  enableUserAction,
  resendVerificationAction,
  resetTwoFactorAction,
  revokeUserSessionAction,
  sendPasswordResetAction,
  signOutUserAction,
} from "./actions";

type ActionName = "disable" | "enable" | "signOut" | "sendReset" | "resendVerification" | "resetTwoFactor" | "changeRole" | "delete" | "revokeSession";
type FormAction = (previous: FormState, formData: FormData) => Promise<FormState>;

export interface ActionTarget {
  id: number;
  email: string;
  disabled: boolean;
  verified: boolean;
  roleId: number;
  /** Whether there is a second factor to reset: an authenticator or a passkey. */
  secondFactor: boolean;
}

/**
 * What an admin can do to the account: one button per action, each opening its confirmation
 * dialog ("Confirm it's you" first when the page knows the proof is stale, or when the action
 * says so). The last success is said above the buttons, as the page comes back changed.
 */
export function UserActions({ user, roles }: { user: ActionTarget; roles: { id: number; name: string }[] }) {
  const t = useTranslations("adminUsers.actions");
  const [done, setDone] = useState<string | undefined>();
  const boxRef = useRef<HTMLDivElement>(null);
  const succeeded = useCallback((message: string | undefined) => {
    setDone(message);
    // The button that was pressed may be gone (Disable becomes Enable): focus goes to the message's box.
    boxRef.current?.focus();
  }, []);
  // Every action stays mounted, its button shown only where it applies: the one just done may no
  // longer apply (Disable becomes Enable) and must still say that it succeeded.
  const action = (name: ActionName, formAction: FormAction, available: boolean, tone: "normal" | "danger" = "normal", fields?: ReactNode) => (
    <ConfirmedAction key={name} name={name} action={formAction} user={user} available={available} tone={tone} onDone={succeeded}>
      {fields}
    </ConfirmedAction>
  );
  return (
    <div ref={boxRef} tabIndex={-1} className="outline-none">
      <FormMessage status={done ? "success" : "idle"} message={done} />
      <div className="flex flex-col gap-3 sm:flex-row sm:flex-wrap">
        {action("disable", disableUserAction, !user.disabled, "danger")}
        {action("enable", enableUserAction, user.disabled)}
        {action("signOut", signOutUserAction, true)}
        {action("sendReset", sendPasswordResetAction, !user.disabled)}
        {action("resendVerification", resendVerificationAction, !user.disabled && !user.verified)}
        {action("resetTwoFactor", resetTwoFactorAction, user.secondFactor, "danger")}
        {action(
          "changeRole",
          changeRoleAction,
          true,
          "normal",
          <SelectField id="change-role" name="roleId" label={t("changeRole.label")} defaultValue={String(user.roleId)}>
            {roles.map((role) => (
              <option key={role.id} value={role.id}>
                {role.name}
              </option>
            ))}
          </SelectField>,
        )}
        {action("delete", deleteUserAction, true, "danger")}
      </div>
    </div>
  );
}

export interface SessionRow {
  id: string;
  /** "Chrome on macOS", "App (okhttp)"… */
  device: string;
  /** Where and when, rendered by the page. */
  details: ReactNode;
}

/**
 * The account's live sessions, each with its "Sign out" behind a confirmation dialog. Once one
 * succeeded, the list says so above the rows and fetches the page anew (the row goes).
 */
export function SessionList({ user, sessions }: { user: Pick<ActionTarget, "id" | "email">; sessions: SessionRow[] }) {
  const t = useTranslations("adminUsers.user");
  const router = useRouter();
  const [done, setDone] = useState<string | undefined>();
  const boxRef = useRef<HTMLDivElement>(null);
  const succeeded = useCallback(
    (message: string | undefined) => {
      setDone(message);
      boxRef.current?.focus();
      router.refresh();
    },
    [router],
  );
  return (
    <div ref={boxRef} tabIndex={-1} className="outline-none">
      <FormMessage status={done ? "success" : "idle"} message={done} />
      {sessions.length === 0 ? (
        <p className={`text-sm ${mutedText}`}>{t("noSessions")}</p>
      ) : (
        <ul className="-my-4 divide-y divide-slate-200 dark:divide-slate-800">
          {sessions.map((s) => (
            <li key={s.id} className="flex flex-col gap-3 py-4 sm:flex-row sm:items-start sm:justify-between">
              <div className="min-w-0">
                <p className="font-medium text-slate-900 dark:text-white">{s.device}</p>
                {s.details}
              </div>
              <ConfirmedAction
                name="revokeSession"
                formKey={s.id}
                action={revokeUserSessionAction}
                user={user}
                available
                tone="normal"
                words={{ device: s.device }}
                buttonLabel={t("revokeSessionLabel", { device: s.device })}
                onDone={succeeded}
              >
                <input type="hidden" name="sessionId" value={s.id} />
              </ConfirmedAction>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function ConfirmedAction({
  name,
  formKey,
  action,
  user,
  available,
  tone,
  words = {},
  buttonLabel,
  onDone,
  children,
}: {
  name: ActionName;
  /** Tells apart the dialogs of one action shown many times (a session's "Sign out"). */
  formKey?: string;
  action: FormAction;
  user: Pick<ActionTarget, "id" | "email">;
  available: boolean;
  tone: "normal" | "danger";
  /** More values for the title's and explanation's words ({device}). */
  words?: Record<string, string>;
  /** The button's accessible name, where its words alone do not say what it acts on. */
  buttonLabel?: string;
  onDone: (message: string | undefined) => void;
  children?: ReactNode;
}) {
  const t = useTranslations("adminUsers.actions");
  const common = useTranslations("account.actions");
  const confirmation = useConfirmItsYou();
  const [state, send, pending] = useConfirmedActionState(action);
  const [open, setOpen] = useState(false);
  // The result the dialog opened after: an earlier attempt's failure is not this one's.
  const [openedAfter, setOpenedAfter] = useState(state);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const idBase = formKey ? `${name}-${formKey}` : name;
  const titleId = `${idBase}-title`;
  const descriptionId = `${idBase}-description`;

  const close = () => {
    if (dialogRef.current?.open) dialogRef.current.close();
    setOpen(false);
    buttonRef.current?.focus();
  };

  // Done: the dialog goes, and the page (rendered anew by the action) says so.
  const [settled, setSettled] = useState(state);
  if (state !== settled) {
    setSettled(state);
    if (state.status === "success") setOpen(false);
  }
  useEffect(() => {
    if (state.status !== "success") return;
    if (dialogRef.current?.open) dialogRef.current.close();
    onDone(state.message);
  }, [state, onDone]);

  const start = async () => {
    if (!(await confirmedFirst(confirmation))) return;
    setOpenedAfter(state);
    setOpen(true);
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!pending) send(new FormData(event.currentTarget));
  };

  if (!available) return null;
  return (
    <>
      <button
        ref={buttonRef}
        type="button"
        onClick={() => void start()}
        // Many "Sign out" buttons: each says which device it is for.
        aria-label={buttonLabel}
        className={`${tone === "danger" ? buttonStyles.danger : buttonStyles.secondary} w-full shrink-0 sm:w-auto`}
      >
        {t(`${name}.button`)}
      </button>
      <ModalDialog ref={dialogRef} open={open} onDismiss={close} titleId={titleId} descriptionId={descriptionId}>
        {open && (
          <form onSubmit={submit} className="px-5 py-6 sm:px-7 sm:py-7">
            <input type="hidden" name="userId" value={user.id} />
            <h2 id={titleId} className="text-lg font-semibold wrap-anywhere text-slate-900 dark:text-white">
              {t(`${name}.title`, { email: user.email, ...words })}
            </h2>
            <p id={descriptionId} className={`mt-1 mb-5 text-sm ${mutedText}`}>
              {t(`${name}.explanation`, words)}
            </p>
            {children}
            <FormMessage status={state.status === "error" && state !== openedAfter ? "error" : "idle"} message={state.message} />
            <div className="mt-2 flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
              <button type="button" data-autofocus onClick={close} className={`${buttonStyles.secondary} w-full sm:w-auto`}>
                {common("cancel")}
              </button>
              <SubmitButton variant={tone === "danger" ? "destructive" : "primary"} pending={pending} pendingText={t(`${name}.pending`)} fullWidth={false} className="w-full sm:w-auto">
                {t(`${name}.submit`)}
              </SubmitButton>
            </div>
          </form>
        )}
      </ModalDialog>
    </>
  );
}
