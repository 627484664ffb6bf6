import { addPasskey, passkeyLoginOptions, passkeyRegistrationOptions, passkeysOf, removePasskey, signInWithPasskey } from "@/lib/auth/passkeys";
import { BAD_REQUEST, endpoint, RATE_LIMITED, REAUTHENTICATE, UNAUTHORIZED, UNVERIFIED } from "../endpoint";
import { presentLogin, presentPasskey } from "../presenters";
import { AddPasskeyRequest, PasskeyLoginRequest } from "../requests";
import { LOGIN_FAILURE } from "./failure-shapes";

/** Passkeys (WebAuthn): adding, listing, removing, and signing in with one. */

/** Credential ids are base64url; anything else names no passkey. */
const passkeyIdParam = (raw: Record<string, string>) =>
  typeof raw.id === "string" && /^[A-Za-z0-9_-]{1,1024}$/.test(raw.id) ? { id: raw.id } : null;

export const passkeyRegistrationOptionsEndpoint = endpoint({
  method: "POST",
  path: "/auth/passkeys/register/options/",
  summary: "WebAuthn creation options for a new passkey",
  auth: "access",
  async handle(_input, ctx) {
    return { options: await passkeyRegistrationOptions(ctx.caller) };
  },
  success: { description: "`options` (PublicKeyCredentialCreationOptionsJSON)" },
  failures: [UNAUTHORIZED, UNVERIFIED, REAUTHENTICATE],
});

export const passkeyRegister = endpoint({
  method: "POST",
  path: "/auth/passkeys/register/",
  summary: "Add the passkey the browser created",
  auth: "access",
  body: AddPasskeyRequest,
  async handle({ response, name }, ctx) {
    return { passkey: presentPasskey(await addPasskey(ctx.caller, response, name, ctx.client)) };
  },
  success: { description: "`passkey`: id, name, created_at" },
  failures: [BAD_REQUEST("errors.response"), UNAUTHORIZED, UNVERIFIED, REAUTHENTICATE],
});

export const passkeyList = endpoint({
  method: "GET",
  path: "/auth/passkeys/",
  summary: "The caller's passkeys",
  auth: "access",
  async handle(_input, ctx) {
    return { passkeys: (await passkeysOf(ctx.caller)).map(presentPasskey) };
  },
  success: { description: "`passkeys`" },
  failures: [UNAUTHORIZED],
});

export const passkeyRemove = endpoint({
  method: "DELETE",
  path: "/auth/passkeys/{id}/",
  summary: "Remove one of the caller's passkeys",
  auth: "access",
  params: passkeyIdParam,
  async handle(_input, ctx) {
    await removePasskey(ctx.caller, ctx.params.id, ctx.client);
    return {};
  },
  success: { description: "Removed" },
  failures: [UNAUTHORIZED, { status: 404, description: "No such passkey of the caller's" }],
});

export const passkeyLoginOptionsEndpoint = endpoint({
  method: "POST",
  path: "/auth/passkeys/login/options/",
  summary: "WebAuthn request options for signing in with a passkey",
  auth: "none",
  async handle(_input, ctx) {
    return { options: await passkeyLoginOptions(ctx.client) };
  },
  success: { description: "`options` (PublicKeyCredentialRequestOptionsJSON)" },
  failures: [RATE_LIMITED],
});

export const passkeyLogin = endpoint({
  method: "POST",
  path: "/auth/passkeys/login/",
  summary: "Sign in with a passkey (with user verification it is both factors)",
  auth: "none",
  body: PasskeyLoginRequest,
  ...LOGIN_FAILURE,
  async handle({ response }, ctx) {
    return presentLogin(await signInWithPasskey(response, ctx.client));
  },
  success: { description: "The login's body" },
  failures: [BAD_REQUEST("errors.response"), { status: 403, description: "Account disabled" }, RATE_LIMITED],
});
