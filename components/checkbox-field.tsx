import type { InputHTMLAttributes, ReactNode, Ref } from "react";
import { FieldError } from "./field-error";

interface CheckboxFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "name" | "type"> {
  label: string;
  name: string;
  error?: string;
  hint?: ReactNode;
  ref?: Ref<HTMLInputElement>;
}

/** A checkbox with its label beside it (the whole label ticks it), a hint under the label, and an error line. */
export function CheckboxField({ label, name, error, hint, id, ref, ...input }: CheckboxFieldProps) {
  const fieldId = id ?? `field-${name}`;
  const hintId = `${fieldId}-hint`;
  const errorId = `${fieldId}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="flex flex-col gap-1">
      <div className="flex items-start gap-3">
        {/* 20 px, in a row as tall as the label's first line. */}
        <div className="flex h-6 shrink-0 items-center">
          <input
            ref={ref}
            type="checkbox"
            id={fieldId}
            name={name}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy}
            className="size-5 rounded border-slate-500 accent-indigo-600 disabled:cursor-not-allowed disabled:opacity-60 dark:accent-indigo-400"
            {...input}
          />
        </div>
        <div className="text-sm leading-6">
          <label htmlFor={fieldId} className="font-medium text-slate-800 dark:text-slate-200">
            {label}
          </label>
          {hint && (
            <p id={hintId} className="text-slate-600 dark:text-slate-400">
              {hint}
            </p>
          )}
        </div>
      </div>
      <FieldError id={errorId} error={error} />
    </div>
  );
}
