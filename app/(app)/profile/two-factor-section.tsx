"use client";

import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { useEffect, useEffectEvent, useState } from "react";
import { Badge } from "@/components/badge";
import { AuthCodeField } from "@/components/code-field";
import { confirmedFirst, useConfirmItsYou } from "@/components/confirm-its-you-context";
import { CopyButton } from "@/components/copy-button";
import { FormMessage } from "@/components/form-message";
import { buttonStyles, linkStyle, mutedText } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { useActionForm, useConfirmedActionState } from "@/components/use-action-form";
import { useFocusOnMount } from "@/components/use-focus-on-mount";
import type { TotpSetup } from "@/lib/auth/two-factor";
import { TotpCodeFormSchema, TurnOffTwoFactorFormSchema } from "@/lib/validation/forms";
import { enableTotpAction, newRecoveryCodesAction, setUpTotpAction, turnOffTwoFactorAction } from "./actions";
import { RecoveryCodes } from "./recovery-codes";

type View =
  | { kind: "off"; notice?: string }
  | { kind: "setup"; setup: TotpSetup }
  | { kind: "codes"; codes: string[]; replaced: boolean }
  | { kind: "on" };

/**
 * Two-factor authentication: set up (QR code or key, then a first code), the recovery codes shown
 * once, then "New recovery codes" and "Turn off". Which view shows is this component's state, not
 * the page's: the codes stay on screen until the person says they saved them, whatever else
 * refreshes the page meanwhile. Its actions do not revalidate the page (that would swap the view
 * before it learns what happened); each finished step refreshes it instead.
 */
export function TwoFactorSection({ enabled, verified, appName, email }: { enabled: boolean; verified: boolean; appName: string; email: string }) {
  const router = useRouter();
  const t = useTranslations("account");
  const [view, setView] = useState<View>(enabled ? { kind: "on" } : { kind: "off" });
  // Once the person has moved between views, each new view takes focus (the old one is gone).
  const [moved, setMoved] = useState(false);
  const go = (next: View) => {
    setMoved(true);
    setView(next);
  };

  // Changed elsewhere (another tab, the API) and this page refreshed: follow, unless in the middle of something.
  const [seen, setSeen] = useState(enabled);
  if (seen !== enabled) {
    setSeen(enabled);
    if ((view.kind === "on" || view.kind === "off") && (view.kind === "on") !== enabled) setView(enabled ? { kind: "on" } : { kind: "off" });
  }

  const finished = (next: View) => {
    go(next);
    router.refresh();
  };

  switch (view.kind) {
    case "off":
      return <Off verified={verified} notice={view.notice} focus={moved} onSetUp={(setup) => go({ kind: "setup", setup })} />;
    case "setup":
      return (
        <SetUp
          setup={view.setup}
          focus={moved}
          onCancel={() => go({ kind: "off" })}
          onEnabled={(codes) => finished({ kind: "codes", codes, replaced: false })}
        />
      );
    case "codes":
      return (
        <RecoveryCodes
          codes={view.codes}
          heading={view.replaced ? t("recoveryCodes.newTitle") : t("recoveryCodes.firstTitle")}
          announcement={view.replaced ? t("twoFactor.codesReplaced") : t("twoFactor.turnedOn")}
          appName={appName}
          email={email}
          onDone={() => go({ kind: "on" })}
        />
      );
    case "on":
      return (
        <On
          focus={moved}
          onNewCodes={(codes) => finished({ kind: "codes", codes, replaced: true })}
          onTurnedOff={(message) => finished({ kind: "off", notice: message })}
        />
      );
  }
}

function Status({ on }: { on: boolean }) {
  const t = useTranslations("account.twoFactor");
  return (
    <p className="text-sm leading-6 text-slate-700 dark:text-slate-300">
      <span className="me-2 inline-flex align-[1px]">
        <Badge tone={on ? "green" : "slate"}>{on ? t("on") : t("off")}</Badge>
      </span>
      {on ? t("statusOn") : t("statusOff")}
    </p>
  );
}

function Off({ verified, notice, focus, onSetUp }: { verified: boolean; notice?: string; focus: boolean; onSetUp: (setup: TotpSetup) => void }) {
  const [state, send, pending, dispatch] = useConfirmedActionState(setUpTotpAction);
  const started = useEffectEvent((setup: TotpSetup) => onSetUp(setup));
  useEffect(() => {
    if (state.status === "success" && state.data) started(state.data);
  }, [state]);
  const statusRef = useFocusOnMount<HTMLDivElement>(focus);
  const t = useTranslations("account.twoFactor");

  return (
    <form
      action={dispatch}
      onSubmit={(event) => {
        event.preventDefault();
        if (!pending) send(new FormData(event.currentTarget));
      }}
    >
      <FormMessage status={state.status === "error" ? "error" : notice ? "success" : "idle"} message={state.status === "error" ? state.message : notice} />
      <div ref={statusRef} tabIndex={-1} className="outline-none">
        <Status on={false} />
      </div>
      {verified ? (
        <div className="mt-4 flex justify-end">
          <SubmitButton pending={pending} pendingText={t("starting")} fullWidth={false} className="w-full sm:w-auto">
            {t("setUp")}
          </SubmitButton>
        </div>
      ) : (
        <p className={`mt-4 text-sm ${mutedText}`}>{t("confirmFirst")}</p>
      )}
    </form>
  );
}

/** "ABCD EFGH …": the key in groups of four, as authenticator apps show it. */
const grouped = (secret: string) => secret.replace(/(.{4})(?=.)/g, "$1 ");

function SetUp({ setup, focus, onCancel, onEnabled }: { setup: TotpSetup; focus: boolean; onCancel: () => void; onEnabled: (codes: string[]) => void }) {
  const { state, pending, form, errorFor, formProps } = useActionForm(TotpCodeFormSchema, enableTotpAction);
  const enabled = useEffectEvent((codes: string[]) => onEnabled(codes));
  useEffect(() => {
    if (state.status === "success" && state.data) enabled(state.data.recoveryCodes);
  }, [state]);
  const headingRef = useFocusOnMount<HTMLHeadingElement>(focus);
  // The SVG comes from the qrcode library on the server; as an image it can run nothing.
  const t = useTranslations("account");
  const qr = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(setup.qrSvg)}`;

  return (
    <div>
      <h3 ref={headingRef} tabIndex={-1} className="text-base outline-none font-semibold text-slate-900 dark:text-white">
        {t("twoFactor.setUpTitle")}
      </h3>
      <ol className="mt-4 flex flex-col gap-6">
        <li className="flex flex-col gap-4 sm:flex-row sm:items-start sm:gap-6">
          {/* A data: URL, which next/image has nothing to optimise. */}
          {/* eslint-disable-next-line @next/next/no-img-element */}
          <img
            src={qr}
            alt={t("twoFactor.qrAlt")}
            width={176}
            height={176}
            // On a phone the instructions come first: the code is for another device's camera.
            className="order-last size-44 shrink-0 self-center rounded-lg border border-slate-200 bg-white p-1 sm:order-first sm:self-start dark:border-slate-700"
          />
          <div className="flex min-w-0 flex-col gap-2 text-sm text-slate-700 dark:text-slate-300">
            <p>
              <span className="font-semibold text-slate-900 dark:text-white">1. </span>
              {t("twoFactor.scan")}
            </p>
            <p>{t("twoFactor.cantScan")}</p>
            <div className="flex flex-wrap items-center gap-2">
              <code
                dir="ltr"
                className="min-w-0 rounded-lg bg-slate-100 px-3 py-2 font-mono text-sm font-semibold tracking-wider wrap-anywhere text-slate-900 dark:bg-slate-800 dark:text-slate-100"
              >
                {grouped(setup.secret)}
              </code>
              <CopyButton text={setup.secret} label={t("twoFactor.copyKey")} className="min-h-9 py-1.5" />
            </div>
            {/* On a phone the QR code is on the screen it would have to scan. */}
            <a href={setup.otpauthUrl} className={`${linkStyle} mt-1 self-start sm:hidden`}>
              {t("twoFactor.openOnPhone")}
            </a>
          </div>
        </li>
        <li>
          <form {...formProps}>
            <p className="mb-3 text-sm text-slate-700 dark:text-slate-300">
              <span className="font-semibold text-slate-900 dark:text-white">2. </span>
              {t("twoFactor.enterCode")}
            </p>
            <FormMessage status={state.status === "error" ? "error" : "idle"} message={state.message} />
            <div className="sm:max-w-xs">
              <AuthCodeField id="totp-enable-code" error={errorFor("code")} {...form.register("code")} />
            </div>
            <div className="mt-1 flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
              <button type="button" onClick={onCancel} className={`${buttonStyles.secondary} w-full sm:w-auto`}>
                {t("actions.cancel")}
              </button>
              <SubmitButton pending={pending} pendingText={t("twoFactor.turningOn")} fullWidth={false} className="w-full sm:w-auto">
                {t("twoFactor.turnOn")}
              </SubmitButton>
            </div>
          </form>
        </li>
      </ol>
    </div>
  );
}

function On({ focus, onNewCodes, onTurnedOff }: { focus: boolean; onNewCodes: (codes: string[]) => void; onTurnedOff: (message: string) => void }) {
  const [open, setOpen] = useState<"codes" | "off" | null>(null);
  const statusRef = useFocusOnMount<HTMLDivElement>(focus);
  const confirmation = useConfirmItsYou();
  const t = useTranslations("account.twoFactor");
  // Both need a fresh proof: when the page knows it is stale, "Confirm it's you" comes before the form.
  const [justConfirmed, setJustConfirmed] = useState(false);
  const toggle = async (which: "codes" | "off") => {
    if (open === which) return setOpen(null);
    const asking = !!confirmation && !confirmation.isFresh();
    if (!(await confirmedFirst(confirmation))) return;
    setJustConfirmed(asking);
    setOpen(which);
  };
  return (
    <div className="flex flex-col gap-4">
      <div ref={statusRef} tabIndex={-1} className="outline-none">
        <Status on />
      </div>
      <div className="flex flex-col gap-3 sm:flex-row">
        <button
          type="button"
          aria-expanded={open === "codes"}
          aria-controls="two-factor-codes-form"
          onClick={() => toggle("codes")}
          className={`${buttonStyles.secondary} w-full sm:w-auto`}
        >
          {t("newCodes")}
        </button>
        <button
          type="button"
          aria-expanded={open === "off"}
          aria-controls="two-factor-off-form"
          onClick={() => toggle("off")}
          className={`${buttonStyles.danger} w-full sm:w-auto`}
        >
          {t("turnOff")}
        </button>
      </div>
      {open === "codes" && <NewCodesForm justConfirmed={justConfirmed} onDone={onNewCodes} onCancel={() => setOpen(null)} />}
      {open === "off" && <TurnOffForm justConfirmed={justConfirmed} onDone={onTurnedOff} onCancel={() => setOpen(null)} />}
    </div>
  );
}

function NewCodesForm({ justConfirmed, onDone, onCancel }: { justConfirmed: boolean; onDone: (codes: string[]) => void; onCancel: () => void }) {
  const { state, pending, form, errorFor, formProps } = useActionForm(TotpCodeFormSchema, newRecoveryCodesAction);
  const t = useTranslations("account.twoFactor");
  const done = useEffectEvent((codes: string[]) => onDone(codes));
  useEffect(() => {
    if (state.status === "success" && state.data) done(state.data.recoveryCodes);
  }, [state]);
  return (
    <form id="two-factor-codes-form" {...formProps} className="rounded-xl border border-slate-200 p-4 sm:p-5 dark:border-slate-700">
      <p className={`mb-3 text-sm ${mutedText}`}>{t("newCodesIntro")}</p>
      <FormMessage status={state.status === "error" ? "error" : "idle"} message={state.message} />
      <div className="sm:max-w-xs">
        <AuthCodeField
          id="totp-codes-code"
          autoFocus
          // Each code works once: the one just entered in "Confirm it's you" is spent.
          hint={justConfirmed ? t("nextCode") : undefined}
          error={errorFor("code")}
          {...form.register("code")}
        />
      </div>
      <FormButtons pending={pending} pendingText={t("makingCodes")} label={t("makeCodes")} onCancel={onCancel} />
    </form>
  );
}

function TurnOffForm({ justConfirmed, onDone, onCancel }: { justConfirmed: boolean; onDone: (message: string) => void; onCancel: () => void }) {
  const { state, pending, form, errorFor, formProps } = useActionForm(TurnOffTwoFactorFormSchema, turnOffTwoFactorAction);
  const t = useTranslations("account.twoFactor");
  const done = useEffectEvent((message?: string) => onDone(message ?? t("turnedOff")));
  useEffect(() => {
    if (state.status === "success") done(state.message);
  }, [state]);
  return (
    <form id="two-factor-off-form" {...formProps} className="rounded-xl border border-slate-200 p-4 sm:p-5 dark:border-slate-700">
      <p className={`mb-3 text-sm ${mutedText}`}>{t("turnOffIntro")}</p>
      <FormMessage status={state.status === "error" ? "error" : "idle"} message={state.message} />
      <div className="sm:max-w-xs">
        <AuthCodeField
          id="totp-off-code"
          // A recovery code has letters too.
          inputMode="text"
          autoFocus
          hint={justConfirmed ? `${t("orRecoveryCode")} ${t("nextCode")}` : t("orRecoveryCode")}
          error={errorFor("code")}
          {...form.register("code")}
        />
      </div>
      <FormButtons pending={pending} pendingText={t("turningOff")} label={t("turnOffSubmit")} variant="danger" onCancel={onCancel} />
    </form>
  );
}

function FormButtons({
  pending,
  pendingText,
  label,
  variant = "primary",
  onCancel,
}: {
  pending: boolean;
  pendingText: string;
  label: string;
  variant?: "primary" | "danger";
  onCancel: () => void;
}) {
  const t = useTranslations("account.actions");
  return (
    <div className="mt-1 flex flex-col-reverse gap-3 sm:flex-row sm:justify-end">
      <button type="button" onClick={onCancel} className={`${buttonStyles.secondary} w-full sm:w-auto`}>
        {t("cancel")}
      </button>
      <SubmitButton pending={pending} pendingText={pendingText} variant={variant} fullWidth={false} className="w-full sm:w-auto">
        {label}
      </SubmitButton>
    </div>
  );
}
