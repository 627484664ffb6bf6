import { unstable_rethrow } from "next/navigation";
import type { z } from "zod";
import { AppError, isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { fieldErrorsOf } from "@/lib/validation/parse";

/**
 * What a server action returns to its form. Values are echoed back so a failed submit keeps what
 * the person typed — except passwords, which never travel back to the browser.
 */
export interface FormState {
  status: "idle" | "error" | "success";
  /** A message for the whole form (shown above the submit button). */
  message?: string;
  fieldErrors?: Record<string, string[]>;
  values?: Record<string, string>;
  /** Seconds until the action may be tried again (rate limits, resend countdowns). */
  retryAfterSeconds?: number;
}

export const idleState: FormState = { status: "idle" };

const isSecretField = (name: string) => /password|code|token/i.test(name);

export function echoedValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [k, v] of formData) if (typeof v === "string" && !isSecretField(k) && !k.startsWith("$")) values[k] = v;
  return values;
}

/**
 * A service error as form state. API field names map onto form field names where they differ
 * (`old_password` is the form's `currentPassword`); errors tied to no field become the message.
 */
export function formStateFromError(error: AppError, formData: FormData, fieldNames: Record<string, string> = {}): FormState {
  const fieldErrors: Record<string, string[]> = {};
  let message: string | undefined;
  for (const [field, messages] of Object.entries(error.fieldErrors)) {
    if (field === "errors") message = messages.join(" ");
    else fieldErrors[fieldNames[field] ?? field] = messages;
  }
  const retry = error.headers["retry-after"];
  return {
    status: "error",
    message: message ?? (Object.keys(fieldErrors).length ? undefined : error.message),
    fieldErrors,
    values: echoedValues(formData),
    ...(retry ? { retryAfterSeconds: Number(retry) } : {}),
  };
}

/**
 * Wraps a server action: validates the form with `schema` (the same field schemas as the API),
 * runs `fn`, and turns service errors into form state. Redirects pass through.
 */
export function validatedAction<S extends z.ZodType>(
  schema: S,
  fn: (input: z.output<S>, formData: FormData) => Promise<FormState | void>,
  fieldNames: Record<string, string> = {},
) {
  return async (_previous: FormState, formData: FormData): Promise<FormState> => {
    const parsed = schema.safeParse(Object.fromEntries(formData));
    if (!parsed.success) return { status: "error", fieldErrors: fieldErrorsOf(parsed.error), values: echoedValues(formData) };
    try {
      return (await fn(parsed.data, formData)) ?? { status: "success" };
    } catch (error) {
      unstable_rethrow(error);
      if (isAppError(error)) return formStateFromError(error, formData, fieldNames);
      log.error("server action failed", { error });
      return { status: "error", message: "Something went wrong on our side. Please try again.", values: echoedValues(formData) };
    }
  };
}
