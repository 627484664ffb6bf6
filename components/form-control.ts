import { createFormControl, type FieldErrors, type FieldValues, type Resolver } from "react-hook-form";
import * as z from "zod/mini";
import type { $ZodType } from "zod/v4/core";
import { wordIssue, type ErrorWords } from "@/lib/i18n/words";
import { issuesOf } from "@/lib/validation/parse";

/** What the form's render needs from react-hook-form's state. */
export interface FormControlState {
  errors: Partial<Record<string, { message?: unknown }>>;
  isSubmitted: boolean;
}

/**
 * The form's schema as react-hook-form's resolver, each field's first problem in the reader's
 * words (`t`): the schema says what is wrong (its codes), the page's language says how.
 */
function resolverOf(schema: $ZodType, t: ErrorWords): Resolver<FieldValues> {
  return async (values) => {
    const result = await z.safeParseAsync(schema, values);
    if (result.success) return { values: result.data as FieldValues, errors: {} };
    const errors: FieldErrors = {};
    for (const issue of issuesOf(result.error)) {
      const name = issue.field ?? "root";
      errors[name] ??= { type: issue.code ?? "invalid", message: wordIssue(t, issue) };
    }
    return { values: {}, errors };
  };
}

/**
 * react-hook-form for one form, validating with its zod schema on blur and then on every change
 * (onTouched). Loaded with zod on the form's first use, not with the page (`useActionForm`).
 */
export function formControl(schema: $ZodType, defaultValues: Record<string, string>, onState: (state: FormControlState) => void, t: ErrorWords) {
  const control = createFormControl<FieldValues>({ resolver: resolverOf(schema, t), mode: "onTouched", defaultValues });
  control.subscribe({
    formState: { errors: true, isSubmitted: true },
    callback: ({ errors = {}, isSubmitted = false }) => onState({ errors, isSubmitted }),
  });
  return control;
}

export type FormControl = ReturnType<typeof formControl>;
