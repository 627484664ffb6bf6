"use server";

import { passkeyReauthenticationOptions } from "@/lib/auth/passkeys";
import { reauthenticate, REAUTHENTICATION_CODE_LIFETIME_SECONDS, sendReauthenticationCode } from "@/lib/auth/reauthentication";
import { config } from "@/lib/config/env";
import { signedInAction } from "@/lib/web/actions";
import type { FormState } from "@/lib/web/form-state";
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
  return { status: "success", message: `Code sent. It works for ${REAUTHENTICATION_CODE_LIFETIME_SECONDS / 60} minutes.` };
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
    await reauthenticate(session, { passkeyResponse: response, code }, client);
    return renewed();
  },
  { messageFields: ["response"] },
);
