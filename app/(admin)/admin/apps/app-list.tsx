"use client";

import { useTranslations } from "next-intl";
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from "react";
import { Badge } from "@/components/badge";
import { confirmedFirst, useConfirmItsYou } from "@/components/confirm-its-you-context";
import { FormMessage } from "@/components/form-message";
import { ModalDialog } from "@/components/modal-dialog";
import { buttonStyles, mutedText } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { useConfirmedActionState } from "@/components/use-action-form";
import { removeClientAction } from "./actions";

export interface AppItem {
  clientId: string;
  name: string;
  isPublic: boolean;
  firstParty: boolean;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  grants: string[];
}

const KNOWN_GRANTS = ["authorization_code", "refresh_token", "client_credentials"] as const;
const isKnownGrant = (grant: string): grant is (typeof KNOWN_GRANTS)[number] => (KNOWN_GRANTS as readonly string[]).includes(grant);

/**
 * The registered apps, each with a Remove button that opens one confirmation dialog for the list
 * ("Confirm it's you" first when the page knows the proof is stale, or when the action says so).
 */
export function AppList({ apps }: { apps: AppItem[] }) {
  const t = useTranslations("admin.apps");
  const actions = useTranslations("account.actions");
  const confirmation = useConfirmItsYou();
  const [state, send, pending] = useConfirmedActionState(removeClientAction);
  const [removing, setRemoving] = useState<AppItem | null>(null);
  // The result the dialog opened after: an earlier removal's failure is not this one's.
  const [openedAfter, setOpenedAfter] = useState(state);
  const dialogRef = useRef<HTMLDialogElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  // Where focus goes back to when the dialog closes: the Remove button that opened it, or the list once that row is gone.
  const returnFocus = useRef<HTMLElement | null>(null);

  const close = () => {
    if (dialogRef.current?.open) dialogRef.current.close();
    setRemoving(null);
    if (returnFocus.current?.isConnected) returnFocus.current.focus();
    returnFocus.current = null;
  };

  // Removed: the dialog goes, and focus to the list (the row and its button went with the app).
  const [settled, setSettled] = useState(state);
  if (state !== settled) {
    setSettled(state);
    if (state.status === "success") setRemoving(null);
  }
  useEffect(() => {
    if (state.status !== "success") return;
    returnFocus.current = null;
    if (dialogRef.current?.open) dialogRef.current.close();
    listRef.current?.focus();
  }, [state]);

  const open = async (app: AppItem, button: HTMLElement) => {
    if (!(await confirmedFirst(confirmation))) return;
    returnFocus.current = button;
    setOpenedAfter(state);
    setRemoving(app);
  };

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!pending) send(new FormData(event.currentTarget));
  };

  return (
    <div ref={listRef} tabIndex={-1} className="outline-none">
      {/* Success is said here, above the list; a failure inside the dialog, where the person is. */}
      <FormMessage status={state.status === "success" ? "success" : "idle"} message={state.message} />
      {apps.length === 0 ? (
        <p className={`text-sm ${mutedText}`}>{t("none")}</p>
      ) : (
        <ul className="-my-5 divide-y divide-slate-200 dark:divide-slate-800">
          {apps.map((app) => (
            <li key={app.clientId} className="py-5">
              <div className="flex flex-wrap items-start justify-between gap-3">
                <h3 className="flex min-w-0 flex-wrap items-center gap-2 text-base font-semibold text-slate-900 dark:text-white">
                  <bdi className="wrap-anywhere">{app.name}</bdi>
                  <Badge tone="slate">{app.isPublic ? t("public") : t("confidential")}</Badge>
                  {app.firstParty && <Badge tone="indigo">{t("firstParty")}</Badge>}
                </h3>
                <button type="button" onClick={(event) => void open(app, event.currentTarget)} className={`${buttonStyles.danger} min-h-9 py-1.5`}>
                  {t.rich("remove", { name: app.name, hidden: (chunks) => <span className="sr-only">{chunks}</span> })}
                </button>
              </div>
              <dl className="mt-3 grid gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_minmax(0,1fr)]">
                <Detail term={t("clientId")}>
                  <code className="font-mono text-[0.8125rem] wrap-anywhere">
                    <bdi dir="ltr">{app.clientId}</bdi>
                  </code>
                </Detail>
                <Detail term={t("redirectUris")}>
                  <UriList uris={app.redirectUris} />
                </Detail>
                {app.postLogoutRedirectUris.length > 0 && (
                  <Detail term={t("postLogoutRedirectUris")}>
                    <UriList uris={app.postLogoutRedirectUris} />
                  </Detail>
                )}
                <Detail term={t("grants")}>{app.grants.map((grant) => (isKnownGrant(grant) ? t(`grant.${grant}`) : grant)).join(", ")}</Detail>
              </dl>
            </li>
          ))}
        </ul>
      )}

      <ModalDialog ref={dialogRef} open={removing !== null} onDismiss={close} titleId="remove-app-title" descriptionId="remove-app-description">
        {removing && (
          <form onSubmit={submit} className="px-5 py-6 sm:px-7 sm:py-7">
            <input type="hidden" name="clientId" value={removing.clientId} />
            <h2 id="remove-app-title" className="text-lg font-semibold wrap-anywhere text-slate-900 dark:text-white">
              {t("removeTitle", { name: removing.name })}
            </h2>
            <p id="remove-app-description" className={`mt-1 mb-5 text-sm ${mutedText}`}>
              {t("removeExplanation")}
            </p>
            <FormMessage status={state.status === "error" && state !== openedAfter ? "error" : "idle"} message={state.message} />
            <div className="flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
              <button type="button" data-autofocus onClick={close} className={`${buttonStyles.secondary} w-full sm:w-auto`}>
                {actions("cancel")}
              </button>
              <SubmitButton variant="destructive" pending={pending} pendingText={t("removing")} fullWidth={false} className="w-full sm:w-auto">
                {t("removeSubmit")}
              </SubmitButton>
            </div>
          </form>
        )}
      </ModalDialog>
    </div>
  );
}

function Detail({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="contents">
      <dt className="font-medium text-slate-700 dark:text-slate-300">{term}</dt>
      <dd className="mb-1 min-w-0 text-slate-900 sm:mb-0 dark:text-slate-100">{children}</dd>
    </div>
  );
}

function UriList({ uris }: { uris: string[] }) {
  return (
    <ul className="flex flex-col gap-0.5">
      {uris.map((uri) => (
        <li key={uri} className="font-mono text-[0.8125rem] wrap-anywhere">
          {/* An address reads left to right in every language. */}
          <bdi dir="ltr">{uri}</bdi>
        </li>
      ))}
    </ul>
  );
}
