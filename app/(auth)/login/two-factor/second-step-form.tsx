"use client";

import Link from "next/link";
import { useTranslations } from "next-intl";
import { AuthCodeField, RecoveryCodeField } from "@/components/code-field";
import { FormMessage } from "@/components/form-message";
import { linkStyle } from "@/components/styles";
import { SubmitButton } from "@/components/submit-button";
import { useActionForm } from "@/components/use-action-form";
import { secondStepCodeAction, secondStepRecoveryAction } from "@/app/(auth)/actions";
import { SecondStepCodeFormSchema, SecondStepRecoveryFormSchema } from "@/lib/validation/forms";

/**
 * The code from the authenticator app, or — for a lost phone — one of the recovery codes. The
 * switch between the two is a link beside the label (it works before the page's scripts have
 * loaded, and an error appearing under the field cannot move it from under a finger); the field
 * it brings takes focus, as it is the one thing to do on this page.
 */
export function SecondStepForm({ method, next }: { method: "code" | "recovery"; next: string }) {
  const other = `/login/two-factor?${new URLSearchParams({ next, ...(method === "code" ? { method: "recovery" } : {}) })}`;
  return method === "code" ? <CodeForm next={next} switchTo={other} /> : <RecoveryForm next={next} switchTo={other} />;
}

function CodeForm({ next, switchTo }: { next: string; switchTo: string }) {
  const t = useTranslations("auth.twoFactor");
  const { state, pending, form, errorFor, formProps } = useActionForm(SecondStepCodeFormSchema, secondStepCodeAction, { next });
  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <input type="hidden" name="next" value={next} />
      <AuthCodeField
        autoFocus
        labelAside={<Switch href={switchTo}>{t("useRecoveryCode")}</Switch>}
        hint={t("codeHint")}
        error={errorFor("code")}
        {...form.register("code")}
      />
      <SubmitButton pending={pending} pendingText={t("pending")} className="mt-1">
        {t("submit")}
      </SubmitButton>
    </form>
  );
}

function RecoveryForm({ next, switchTo }: { next: string; switchTo: string }) {
  const t = useTranslations("auth.twoFactor");
  const { state, pending, form, errorFor, formProps } = useActionForm(SecondStepRecoveryFormSchema, secondStepRecoveryAction, { next });
  return (
    <form {...formProps}>
      <FormMessage status={state.status} message={state.message} />
      <input type="hidden" name="next" value={next} />
      <RecoveryCodeField
        autoFocus
        labelAside={<Switch href={switchTo}>{t("useApp")}</Switch>}
        hint={t("recoveryHint")}
        error={errorFor("recoveryCode")}
        {...form.register("recoveryCode")}
      />
      <SubmitButton pending={pending} pendingText={t("pending")} className="mt-1">
        {t("submit")}
      </SubmitButton>
    </form>
  );
}

function Switch({ href, children }: { href: string; children: string }) {
  return (
    <Link href={href} replace className={`text-sm ${linkStyle}`}>
      {children}
    </Link>
  );
}
