"use client";

import { useTranslations } from "next-intl";
import { useActionState } from "react";
import { FormMessage } from "@/components/form-message";
import { SelectField } from "@/components/select-field";
import { SubmitButton } from "@/components/submit-button";
import { IDLE_STATE } from "@/components/use-action-form";
import { LANGUAGE_NAMES, LOCALES, type Locale } from "@/lib/i18n/locales";
import { setLanguageAction } from "./actions";

/**
 * The language of the pages for this account: the browser's (nothing chosen, "") or one of ours,
 * each named in its own language. Saved, the page comes back in it (the action redirects).
 */
export function LanguageForm({ chosen }: { chosen: Locale | null }) {
  const t = useTranslations("account");
  const [state, dispatch, pending] = useActionState(setLanguageAction, IDLE_STATE);
  return (
    <form action={dispatch} className="flex flex-col gap-x-4 sm:flex-row sm:items-start">
      <div className="min-w-0 flex-1">
        <FormMessage status={state.status} message={state.message} />
        <SelectField
          label={t("language.label")}
          name="locale"
          id="language-choice"
          defaultValue={state.values?.locale ?? chosen ?? ""}
          error={state.fieldErrors?.locale?.[0]}
        >
          <option value="">{t("language.automatic")}</option>
          {LOCALES.map((locale) => (
            <option key={locale} value={locale} lang={locale}>
              {LANGUAGE_NAMES[locale]}
            </option>
          ))}
        </SelectField>
      </div>
      <SubmitButton pending={pending} pendingText={t("actions.saving")} fullWidth={false} className="mt-4 w-full sm:mt-7 sm:w-auto">
        {t("language.save")}
      </SubmitButton>
    </form>
  );
}
