"use server";

import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import { z } from "zod";
import { passkeyReauthenticationOptions } from "@/lib/auth/passkeys";
import { reauthenticate, REAUTHENTICATION_CODE_LIFETIME_SECONDS, sendReauthenticationCode } from "@/lib/auth/reauthentication";
import { config } from "@/lib/config/env";
import { validatedAction } from "@/lib/web/actions";
import type { FormState } from "@/lib/web/form-state";
import { requestClient, requireSession } from "@/lib/web/session";
import { PasskeyReauthenticateFormSchema, ReauthenticateFormSchema } from "@/lib/validation/forms";

/**
 * The "Confirm it's you" step (components/confirm-its-you.tsx): a fresh proof of this browser's
 * session before a sensitive change, through the same service as POST /auth/reauthenticate/.
 */

const signedIn = () => requireSession("/profile");

/** How long the proof now lasts, so the page can tell before asking again. */
export type FreshProof = { freshForSeconds: number };
const renewed = (): FormState<FreshProof> => ({ status: "success", data: { freshForSeconds: config().reauthMaxAgeSeconds } });

/** E-mails a code (an account without a password). */
export async function sendReauthenticationCodeAction(previous: FormState, formData: FormData): Promise<FormState> {
  return validatedAction(z.object({}), async () => {
    const session = await signedIn();
    await sendReauthenticationCode(session, await requestClient());
    // The step names the address already.
    return { status: "success", message: `Code sent. It works for ${REAUTHENTICATION_CODE_LIFETIME_SECONDS / 60} minutes.` };
  })(previous, formData);
}

/** The password or the e-mailed code, with an authenticator or recovery code when two-factor is on. */
export async function reauthenticateAction(previous: FormState<FreshProof>, formData: FormData): Promise<FormState<FreshProof>> {
  return validatedAction(ReauthenticateFormSchema, async ({ password, otp, code }) => {
    await reauthenticate(await signedIn(), { password, otp, code }, await requestClient());
    return renewed();
  })(previous, formData);
}

type RequestOptions = { options: PublicKeyCredentialRequestOptionsJSON };

/** Options for the browser's passkey prompt, for this account's own passkeys. */
export async function passkeyReauthenticationOptionsAction(previous: FormState<RequestOptions>, formData: FormData): Promise<FormState<RequestOptions>> {
  return validatedAction(
    z.object({}),
    async () => ({ status: "success", data: { options: await passkeyReauthenticationOptions(await signedIn()) } }),
    { messageFields: ["response"] },
  )(previous, formData);
}

/** The passkey's answer (a passkey that verified its user is both factors). */
export async function reauthenticateWithPasskeyAction(previous: FormState<FreshProof>, formData: FormData): Promise<FormState<FreshProof>> {
  return validatedAction(
    PasskeyReauthenticateFormSchema,
    async ({ response, code }) => {
      await reauthenticate(await signedIn(), { passkeyResponse: response, code }, await requestClient());
      return renewed();
    },
    { messageFields: ["response"] },
  )(previous, formData);
}
