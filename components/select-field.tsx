import type { ReactNode, Ref, SelectHTMLAttributes } from "react";
import { FieldError } from "./field-error";
import { inputBase, inputBorder } from "./styles";

interface SelectFieldProps extends Omit<SelectHTMLAttributes<HTMLSelectElement>, "name"> {
  label: string;
  name: string;
  error?: string;
  hint?: ReactNode;
  children: ReactNode;
  ref?: Ref<HTMLSelectElement>;
}

/** A labelled native select (the platform's own picker is the most usable one on phones). */
export function SelectField({ label, name, error, hint, id, children, ref, ...select }: SelectFieldProps) {
  const selectId = id ?? `field-${name}`;
  const hintId = `${selectId}-hint`;
  const errorId = `${selectId}-error`;
  const describedBy = [hint ? hintId : null, error ? errorId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="flex flex-col gap-1.5">
      <label htmlFor={selectId} className="text-sm font-medium text-slate-800 dark:text-slate-200">
        {label}
      </label>
      <select
        ref={ref}
        id={selectId}
        name={name}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        className={`${inputBase} ${inputBorder(!!error)}`}
        {...select}
      >
        {children}
      </select>
      {hint && (
        <p id={hintId} className="text-sm leading-5 text-slate-600 dark:text-slate-400">
          {hint}
        </p>
      )}
      <FieldError id={errorId} error={error} />
    </div>
  );
}
