import { deleteAccount } from "@/lib/auth/account-deletion";
import { passkeyReauthenticationOptions } from "@/lib/auth/passkeys";
import { reauthenticate, sendReauthenticationCode } from "@/lib/auth/reauthentication";
import { moreTokensFor } from "@/lib/auth/sessions";
import { BAD_REQUEST, endpoint, RATE_LIMITED, REAUTHENTICATE, UNAUTHORIZED } from "../endpoint";
import { presentTokens } from "../presenters";
import { DeleteAccountRequest, ReauthenticateRequest } from "../requests";
import { CODE_FIELD } from "./failure-shapes";

/** Confirming it's you (a fresh proof for sensitive changes) and deleting the account. */

export const reauthenticateEndpoint = endpoint({
  ...CODE_FIELD,
  method: "POST",
  path: "/auth/reauthenticate/",
  summary: "Confirm it's you: a fresh proof for sensitive changes (an empty body e-mails a code to an account without a password)",
  auth: "access",
  body: ReauthenticateRequest,
  async handle({ password, code, otp, response }, ctx) {
    if (password === undefined && code === undefined && otp === undefined && response === undefined) {
      await sendReauthenticationCode(ctx.caller, ctx.client);
      return { message: "reauthentication_code_sent" };
    }
    const caller = await reauthenticate(ctx.caller, { password, code, otp, passkeyResponse: response }, ctx.client);
    return { tokens: presentTokens(await moreTokensFor(caller)) };
  },
  success: { description: "`tokens` (the session's proof is now); for an empty body, `message: reauthentication_code_sent`" },
  failures: [BAD_REQUEST("errors.password / errors.code / errors.otp / errors.response: missing or wrong"), UNAUTHORIZED, RATE_LIMITED],
});

export const reauthenticatePasskeyOptions = endpoint({
  method: "POST",
  path: "/auth/reauthenticate/passkey/options/",
  summary: "WebAuthn request options to confirm it's you with one of your passkeys",
  auth: "access",
  async handle(_input, ctx) {
    return { options: await passkeyReauthenticationOptions(ctx.caller) };
  },
  success: { description: "`options` (PublicKeyCredentialRequestOptionsJSON)" },
  failures: [BAD_REQUEST("errors.response: the account has no passkey"), UNAUTHORIZED],
});

export const deleteMe = endpoint({
  method: "DELETE",
  path: "/auth/me/",
  summary: "Delete the account (with the password, or its address and a fresh proof)",
  auth: "access",
  body: DeleteAccountRequest,
  async handle({ password, email }, ctx) {
    await deleteAccount(ctx.caller, { password, email }, ctx.client);
    return {};
  },
  success: { description: "Deleted; every session ended" },
  failures: [BAD_REQUEST("errors.password / errors.email"), UNAUTHORIZED, REAUTHENTICATE],
});
