import { unstable_rethrow } from "next/navigation";
import * as z from "zod/mini";
import type { Caller, ClientInfo } from "@/lib/auth/types";
import { isDatabaseUnavailable } from "@/lib/db/errors";
import { isAppError, ValidationError } from "@/lib/errors";
import { log } from "@/lib/log";
import { issuesOf } from "@/lib/validation/parse";
import { echoedValues, formStateFromError, type ErrorPlacement, type FormState } from "./form-state";
import { pageTranslator } from "./locale";
import { requestClient, requireSession } from "./session";

/**
 * How the browser's server actions are declared: `export const xAction = validatedAction(schema, fn)`,
 * or `signedInAction(schema, fn)` for the account's own forms. What they return is an async
 * function, the shape Next.js requires of every export of a "use server" file.
 */

/**
 * A form's schema, or a function that builds it on each call: a schema that reads configuration
 * (the password's minimum length) must not read it while the module loads (`next build` loads it).
 */
export type ActionSchema<S extends z.core.$ZodType> = S | (() => S);

const schemaOf = <S extends z.core.$ZodType>(source: ActionSchema<S>): S => (typeof source === "function" ? source() : source);

/**
 * Wraps a server action: validates the form with `schema` (the same field schemas as the API),
 * runs `fn`, and turns service errors into form state. Redirects pass through.
 */
export function validatedAction<S extends z.core.$ZodType, Data = unknown>(
  schema: ActionSchema<S>,
  fn: (input: z.output<S>, formData: FormData) => Promise<FormState<Data> | void>,
  placement: ErrorPlacement = {},
) {
  return async (_previous: FormState<Data>, formData: FormData): Promise<FormState<Data>> => {
    // Failures are worded in the page's language; success needs no words of this layer.
    const words = () => pageTranslator("errors");
    // An action can be called with any arguments a client sends, not only the form's.
    if (!(formData instanceof FormData)) return { status: "error", message: (await words())("FORM_UNREADABLE") };
    const parsed = z.safeParse(schemaOf(schema), Object.fromEntries(formData));
    if (!parsed.success) return formStateFromError(new ValidationError(issuesOf(parsed.error)), formData, await words(), placement);
    try {
      return (await fn(parsed.data, formData)) ?? { status: "success" };
    } catch (error) {
      unstable_rethrow(error);
      const t = await words();
      if (isAppError(error)) return formStateFromError(error, formData, t, placement);
      if (isDatabaseUnavailable(error)) {
        log.warn("server action: database unavailable", {});
        return { status: "error", message: t("SERVICE_UNAVAILABLE"), values: echoedValues(formData), retryAfterSeconds: 5 };
      }
      log.error("server action failed", { error });
      return { status: "error", message: t("INTERNAL"), values: echoedValues(formData) };
    }
  };
}

/** Who sends a signed-in action: this browser's session (with its user), and the request's client. */
export interface SignedIn {
  session: Caller;
  client: ClientInfo;
}

/** Every signed-in form lives on the profile page (its "Confirm it's you" step too): sign-in comes back there. */
const SIGNED_IN_PAGE = "/profile";

async function signedIn(): Promise<SignedIn> {
  const session = await requireSession(SIGNED_IN_PAGE);
  return { session, client: await requestClient() };
}

/**
 * validatedAction for the account's own forms: `fn` also gets this browser's session. Without one
 * (signed out, or the session ended elsewhere) the browser goes to sign in. The session is looked
 * up once the form is valid, inside the same error handling: a database outage is form state too.
 */
export function signedInAction<S extends z.core.$ZodType, Data = unknown>(
  schema: ActionSchema<S>,
  fn: (input: z.output<S>, signedIn: SignedIn) => Promise<FormState<Data> | void>,
  placement: ErrorPlacement = {},
) {
  return validatedAction(schema, async (input: z.output<S>) => fn(input, await signedIn()), placement);
}

/**
 * For a signed-in form that is only a button (`<form action>`: no fields, no state to show).
 * Its errors are thrown, to the page's error boundary, as from any server component.
 */
export function signedInButtonAction(fn: (signedIn: SignedIn) => Promise<void>) {
  return async (): Promise<void> => fn(await signedIn());
}
