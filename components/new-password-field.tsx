"use client";

import { useTranslations } from "next-intl";
import { useState, type ChangeEvent } from "react";
import { PasswordField, type PasswordFieldProps } from "./password-field";
import { passwordStrength, type StrengthScore } from "./password-strength";

/**
 * A password being chosen: the password manager may suggest one, and the meter shows its strength.
 * A module of its own, so pages that only ask for a password (sign-in) do not carry the meter.
 */
export function NewPasswordField({
  minLength = 8,
  onChange,
  ...props
}: Omit<PasswordFieldProps, "autoComplete" | "below" | "labelAside" | "hint"> & { minLength?: number }) {
  const t = useTranslations("common.password");
  const [value, setValue] = useState("");
  const strength = passwordStrength(value, minLength);
  return (
    <PasswordField
      autoComplete="new-password"
      {...props}
      onChange={(event: ChangeEvent<HTMLInputElement>) => {
        onChange?.(event);
        setValue(event.target.value);
      }}
      hint={t("hint", { min: minLength })}
      below={<StrengthBars score={strength?.score ?? null} />}
      labelAside={<StrengthWord label={strength ? t(strength.label) : ""} />}
    />
  );
}

const BAR_COLOURS: Record<StrengthScore, string> = {
  0: "bg-red-600 dark:bg-red-400",
  1: "bg-red-600 dark:bg-red-400",
  2: "bg-amber-500 dark:bg-amber-400",
  3: "bg-green-600 dark:bg-green-400",
  4: "bg-green-600 dark:bg-green-400",
};

/** Four bars under the input; decorative, the word beside the label says the same. */
function StrengthBars({ score }: { score: StrengthScore | null }) {
  const filled = score === null ? 0 : Math.max(score, 1);
  return (
    <div className="flex gap-1" aria-hidden="true">
      {[1, 2, 3, 4].map((i) => (
        <span
          key={i}
          className={`h-1 flex-1 rounded-full transition-colors ${score !== null && i <= filled ? BAR_COLOURS[score] : "bg-slate-200 dark:bg-slate-700"}`}
        />
      ))}
    </div>
  );
}

/** "Strong", on the label's line; read out when it changes (not on every keystroke). */
function StrengthWord({ label }: { label: string }) {
  const t = useTranslations("common.password");
  return (
    <p aria-live="polite" className="text-xs font-medium text-slate-600 dark:text-slate-400">
      {label && <span className="sr-only">{t("strength")} </span>}
      {label}
    </p>
  );
}
