import { zodResolver } from "@hookform/resolvers/zod";
import { createFormControl, type FieldValues, type Resolver } from "react-hook-form";
import type { $ZodType } from "zod/v4/core";

/** What the form's render needs from react-hook-form's state. */
export interface FormControlState {
  errors: Partial<Record<string, { message?: unknown }>>;
  isSubmitted: boolean;
}

/**
 * react-hook-form for one form, validating with its zod schema on blur and then on every change
 * (onTouched). Loaded with zod on the form's first use, not with the page (`useActionForm`).
 */
export function formControl(schema: $ZodType, defaultValues: Record<string, string>, onState: (state: FormControlState) => void) {
  const control = createFormControl<FieldValues>({
    resolver: zodResolver(schema as $ZodType<unknown, FieldValues>) as Resolver<FieldValues>,
    mode: "onTouched",
    defaultValues,
  });
  control.subscribe({
    formState: { errors: true, isSubmitted: true },
    callback: ({ errors = {}, isSubmitted = false }) => onState({ errors, isSubmitted }),
  });
  return control;
}

export type FormControl = ReturnType<typeof formControl>;
