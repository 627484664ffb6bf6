import type { AppError } from "@/lib/errors";
import { wordIssue, type ErrorWords } from "@/lib/i18n/words";

/**
 * What a server action returns to its form. Values are echoed back so a failed submit keeps what
 * the person typed — except passwords, which never travel back to the browser.
 */
export interface FormState<Data = unknown> {
  /** "info": an outcome the browser itself reports, never the server (a cancelled passkey prompt). */
  status: "idle" | "error" | "success" | "info";
  /** A message for the whole form (shown above the submit button). */
  message?: string;
  fieldErrors?: Record<string, string[]>;
  values?: Record<string, string>;
  /** Seconds until the action may be tried again (rate limits, resend countdowns). */
  retryAfterSeconds?: number;
  /** What the action hands back besides messages: a TOTP set-up, recovery codes (shown once), WebAuthn options. */
  data?: Data;
  /**
   * The action needs a fresh proof of the session (REAUTHENTICATION_REQUIRED): the browser opens
   * its "Confirm it's you" step, then sends the same form again.
   */
  reauthenticate?: true;
}

const isSecretField = (name: string) => /password|code|otp|token/i.test(name);

export function echoedValues(formData: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [k, v] of formData) if (typeof v === "string" && !isSecretField(k) && !k.startsWith("$")) values[k] = v;
  return values;
}

/** Where errors of fields the form does not show (a hidden token) go: the form's message. */
const FORM_LEVEL = "";

export interface ErrorPlacement {
  /** Fields the form does not show (a hidden token): their errors become the form's message. */
  messageFields?: readonly string[];
  /** A service's field under the form's name for it (`code` → `recoveryCode`). */
  fieldNames?: Readonly<Record<string, string>>;
}

/**
 * A service error as form state, in the page's words (`t`, the reader's `errors` namespace).
 * Services name fields as the forms do; errors tied to no field, and those of `messageFields`,
 * become the form's message.
 */
export function formStateFromError(
  error: AppError,
  formData: FormData,
  t: ErrorWords,
  { messageFields = [], fieldNames = {} }: ErrorPlacement = {},
): FormState<never> {
  const fieldErrors: Record<string, string[]> = {};
  const messages: string[] = [];
  for (const [serviceField, list] of Object.entries(error.byField(FORM_LEVEL, (issue) => wordIssue(t, issue)))) {
    const field = Object.hasOwn(fieldNames, serviceField) ? fieldNames[serviceField]! : serviceField;
    if (field === FORM_LEVEL || messageFields.includes(field)) messages.push(...list);
    else fieldErrors[field] = [...(fieldErrors[field] ?? []), ...list];
  }
  return {
    status: "error",
    message: messages.length ? messages.join(" ") : undefined,
    fieldErrors,
    values: echoedValues(formData),
    ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    ...(error.code === "REAUTHENTICATION_REQUIRED" ? { reauthenticate: true as const } : {}),
  };
}
