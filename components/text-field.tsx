import type { InputHTMLAttributes, ReactNode, Ref } from "react";
import { FieldError } from "./field-error";
import { inputBase, inputBorder } from "./styles";

export interface TextFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, "name"> {
  /** The visible label; tests and screen readers find the field by this exact text. */
  label: string;
  name: string;
  /** The message to show under the field; it also marks the input aria-invalid. */
  error?: string;
  /** Help shown under the input (and read with it). */
  hint?: ReactNode;
  /** Something placed inside the input's end edge (the show-password toggle). */
  trailing?: ReactNode;
  /** Under the input, above the hint (the strength meter's bars). */
  below?: ReactNode;
  /** At the end of the label's line, outside the label (the strength meter's word). */
  labelAside?: ReactNode;
  ref?: Ref<HTMLInputElement>;
}

/** A labelled input with its hint and its error line, wired together for assistive technology. */
export function TextField({ label, name, error, hint, trailing, below, labelAside, id, className, ref, ...input }: TextFieldProps) {
  const inputId = id ?? `field-${name}`;
  const hintId = `${inputId}-hint`;
  const errorId = `${inputId}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`flex flex-col gap-1.5 ${className ?? ""}`}>
      {/* The aside (a link, the strength word) goes under the label when both do not fit on one line. */}
      <div className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-1">
        <label htmlFor={inputId} className="text-sm font-medium text-slate-800 dark:text-slate-200">
          {label}
        </label>
        {labelAside}
      </div>
      <div className="relative">
        <input
          ref={ref}
          id={inputId}
          name={name}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          className={`${inputBase} ${inputBorder(!!error)} ${trailing ? "pe-12" : ""}`}
          {...input}
        />
        {trailing}
      </div>
      {below}
      {hint && (
        <p id={hintId} className="text-sm leading-5 text-slate-600 dark:text-slate-400">
          {hint}
        </p>
      )}
      <FieldError id={errorId} error={error} />
    </div>
  );
}
