"use server";

import { passkeyReauthenticationOptions } from "@/lib/auth/passkeys";
import { reauthenticate, REAUTHENTICATION_CODE_LIFETIME_SECONDS, sendReauthenticationCode } from "@/lib/auth/reauthentication";
import { config } from "@/lib/config/env";
import { isAppError } from "@/lib/errors";
import { signedInAction } from "@/lib/web/actions";
import type { FormState } from "@/lib/web/form-state";
import { pageTranslator } from "@/lib/web/locale";
import { NoFieldsFormSchema, PasskeyReauthenticateFormSchema, ReauthenticateFormSchema } from "@/lib/validation/forms";

/**
 * The "Confirm it's you" step (components/confirm-its-you.tsx): a fresh proof of this browser's
 * session before a sensitive change, through the same service as POST /auth/reauthenticate/.
 */

/** How long the proof now lasts, so the page can tell before asking again. */
export type FreshProof = { freshForSeconds: number };
const renewed = (): FormState<FreshProof> => ({ status: "success", data: { freshForSeconds: config().reauthMaxAgeSeconds } });

/** E-mails a code (an account without a password). */
export const sendReauthenticationCodeAction = signedInAction(NoFieldsFormSchema, async (_, { session, client }) => {
  await sendReauthenticationCode(session, client);
  // The step names the address already.
  const t = await pageTranslator("account");
  return { status: "success", message: t("confirm.codeSent", { minutes: REAUTHENTICATION_CODE_LIFETIME_SECONDS / 60 }) };
});

/** The password or the e-mailed code, with an authenticator or recovery code when two-factor is on. */
export const reauthenticateAction = signedInAction(ReauthenticateFormSchema, async ({ password, otp, code }, { session, client }) => {
  await reauthenticate(session, { password, otp, code }, client);
  return renewed();
});

/** Options for the browser's passkey prompt, for this account's own passkeys. */
export const passkeyReauthenticationOptionsAction = signedInAction(
  NoFieldsFormSchema,
  async (_, { session }) => ({ status: "success", data: { options: await passkeyReauthenticationOptions(session) } }),
  { messageFields: ["response"] },
);

/** The passkey's answer (a passkey that verified its user is both factors). */
export const reauthenticateWithPasskeyAction = signedInAction(
  PasskeyReauthenticateFormSchema,
  async ({ response, code }, { session, client }) => {
    try {
      await reauthenticate(session, { passkeyResponse: response, code }, client);
    } catch (error) {
      // A passkey that did not check its user (no PIN, no fingerprint) is one factor: the
      // authenticator code is then required, which the step explains in its own words.
      if (!isAppError(error) || !error.issues.some((issue) => issue.field === "code" && issue.code === "REQUIRED")) throw error;
      const t = await pageTranslator("account");
      return { status: "error", message: t("confirm.passkeyNeedsCode") };
    }
    return renewed();
  },
  { messageFields: ["response"] },
);
