import type { ReactNode, Ref, TextareaHTMLAttributes } from "react";
import { FieldError } from "./field-error";
import { inputBase, inputBorder } from "./styles";

interface TextAreaFieldProps extends Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, "name"> {
  label: string;
  name: string;
  error?: string;
  hint?: ReactNode;
  ref?: Ref<HTMLTextAreaElement>;
}

/** A labelled textarea with its hint and error line, wired as TextField's input is (several lines: a list of URIs). */
export function TextAreaField({ label, name, error, hint, id, className, ref, ...textarea }: TextAreaFieldProps) {
  const fieldId = id ?? `field-${name}`;
  const hintId = `${fieldId}-hint`;
  const errorId = `${fieldId}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className={`flex flex-col gap-1.5 ${className ?? ""}`}>
      <label htmlFor={fieldId} className="text-sm font-medium text-slate-800 dark:text-slate-200">
        {label}
      </label>
      <textarea
        ref={ref}
        id={fieldId}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={`${inputBase} ${inputBorder(!!error)} font-mono`}
        // One item a line (a URI), never broken across two.
        wrap="off"
        {...textarea}
      />
      {hint && (
        <p id={hintId} className="text-sm leading-5 text-slate-600 dark:text-slate-400">
          {hint}
        </p>
      )}
      <FieldError id={errorId} error={error} />
    </div>
  );
}
