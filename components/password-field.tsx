"use client";

import { useLocale, useTranslations } from "next-intl";
import { useState } from "react";
import { TextField, type TextFieldProps } from "./text-field";

export type PasswordFieldProps = Omit<TextFieldProps, "type" | "trailing">;

/**
 * A password input with a show/hide toggle. The toggle is a real button: aria-pressed says whether
 * the password is visible, and its name stays the same ("Show password"), as the pattern asks.
 */
export function PasswordField({ label, name, id, ...props }: PasswordFieldProps) {
  const t = useTranslations("common.password");
  const locale = useLocale();
  const [visible, setVisible] = useState(false);
  const inputId = id ?? `field-${name}`;

  return (
    <TextField
      {...props}
      id={inputId}
      label={label}
      name={name}
      type={visible ? "text" : "password"}
      // Browsers' own spelling and capitalisation fixes would corrupt a visible password.
      autoCapitalize="none"
      autoCorrect="off"
      spellCheck={false}
      trailing={
        <button
          type="button"
          aria-pressed={visible}
          aria-controls={inputId}
          // "Show password"; German keeps its nouns' capital ("Passwort anzeigen").
          aria-label={t("show", { label: locale === "de" ? label : label.charAt(0).toLocaleLowerCase(locale) + label.slice(1) })}
          onClick={() => setVisible((v) => !v)}
          className="absolute inset-y-0 end-0 flex w-11 items-center justify-center rounded-e-lg text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100"
        >
          <EyeIcon crossed={visible} />
        </button>
      }
    />
  );
}

function EyeIcon({ crossed }: { crossed: boolean }) {
  return (
    <svg className="size-5" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true">
      <path d="M2.04 12.32a1 1 0 0 1 0-.64C3.42 7.51 7.36 4.5 12 4.5s8.57 3.01 9.96 7.18a1 1 0 0 1 0 .64C20.58 16.49 16.64 19.5 12 19.5s-8.57-3.01-9.96-7.18Z" />
      <circle cx="12" cy="12" r="3" />
      {crossed && <path d="M4 4l16 16" />}
    </svg>
  );
}
