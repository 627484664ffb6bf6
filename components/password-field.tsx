"use client";

import { useState, type ChangeEvent } from "react";
import { passwordStrength, type StrengthScore } from "./password-strength";
import { TextField, type TextFieldProps } from "./text-field";

interface PasswordFieldProps extends Omit<TextFieldProps, "type" | "trailing" | "below"> {
  /** Show the strength meter and advice (for new passwords). */
  showStrength?: boolean;
  minLength?: number;
}

/**
 * A password input with a show/hide toggle. The toggle is a real button: aria-pressed says whether
 * the password is visible, and its name stays the same ("Show password"), as the pattern asks.
 */
export function PasswordField({ showStrength = false, minLength = 8, onChange, label, name, id, ...props }: PasswordFieldProps) {
  const [visible, setVisible] = useState(false);
  const [value, setValue] = useState("");
  const inputId = id ?? `field-${name}`;
  const strength = showStrength ? passwordStrength(value, minLength) : null;

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
      onChange={(event: ChangeEvent<HTMLInputElement>) => {
        onChange?.(event);
        if (showStrength) setValue(event.target.value);
      }}
      hint={showStrength ? `At least ${minLength} characters; 12 or more is better, and a passphrase of a few words works well.` : props.hint}
      trailing={
        <button
          type="button"
          aria-pressed={visible}
          aria-controls={inputId}
          aria-label={`Show ${label.toLowerCase()}`}
          onClick={() => setVisible((v) => !v)}
          className="absolute inset-y-0 right-0 flex w-11 items-center justify-center rounded-r-lg text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100"
        >
          <EyeIcon crossed={visible} />
        </button>
      }
      below={showStrength ? <StrengthBars score={strength?.score ?? null} /> : undefined}
      labelAside={showStrength ? <StrengthWord label={strength?.label ?? ""} /> : undefined}
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
  return (
    <p aria-live="polite" className="text-xs font-medium text-slate-600 dark:text-slate-400">
      {label && <span className="sr-only">Password strength: </span>}
      {label}
    </p>
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

/** A password being chosen: the password manager may suggest one, and the meter shows its strength. */
export function NewPasswordField(props: Omit<PasswordFieldProps, "autoComplete" | "showStrength">) {
  return <PasswordField autoComplete="new-password" showStrength {...props} />;
}
