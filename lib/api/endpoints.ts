import { confirmLink, resendCode, resendVerificationLink, verifyCode } from "@/lib/auth/email-verification";
import { loginWithGoogle, registerWithGoogle } from "@/lib/auth/google";
import { deleteAccount } from "@/lib/auth/account-deletion";
import { confirmEmailChange, requestEmailChange } from "@/lib/auth/email-change";
import { loginWithPassword } from "@/lib/auth/login";
import {
  addPasskey,
  passkeyLoginOptions,
  passkeyReauthenticationOptions,
  passkeyRegistrationOptions,
  passkeysOf,
  removePasskey,
  signInWithPasskey,
} from "@/lib/auth/passkeys";
import { reauthenticate, sendReauthenticationCode } from "@/lib/auth/reauthentication";
import { changePassword, requestPasswordReset, resetPassword } from "@/lib/auth/password";
import { readUser, updateUser } from "@/lib/auth/profile";
import { endSessionOfRefreshToken, moreTokensFor, refreshSession } from "@/lib/auth/sessions";
import { completeSignIn } from "@/lib/auth/sign-in";
import { createAccount, createSignedInAccount } from "@/lib/auth/signup";
import { disableTwoFactor, enableTotp, replaceRecoveryCodesWith, setUpTotp } from "@/lib/auth/two-factor";
import { config } from "@/lib/config/env";
import { pingDatabase } from "@/lib/db/health";
import { isShuttingDown } from "@/lib/lifecycle";
import { AppError, ValidationError } from "@/lib/errors";
import { bearerTokenFrom } from "@/lib/http/authorization";
import { messageFor } from "@/lib/messages";
import { publicJwks } from "@/lib/tokens/keys";
import { sameSecret } from "@/lib/tokens/hash";
import { metricsContentType, scrapeMetrics } from "./metrics";
import { BAD_REQUEST, endpoint, RATE_LIMITED, REAUTHENTICATE, UNAUTHORIZED, UNVERIFIED, type Endpoint } from "./endpoint";
import { openApiDocument } from "./openapi";
import { exposedOtp, presentGoogleLogin, presentLogin, presentLoginErrors, presentPasskey, presentTokens, presentUser } from "./presenters";
import {
  AddPasskeyRequest,
  ChangeEmailRequest,
  ChangePasswordRequest,
  CodeRequest,
  DeleteAccountRequest,
  PasskeyLoginRequest,
  ReauthenticateRequest,
  SecondStepRequest,
  EmailOnlyRequest,
  GenerateLinkRequest,
  GoogleTokenRequest,
  LoginRequest,
  READ_ONLY_USER_FIELDS,
  RefreshRequest,
  RegisterRequest,
  ResetPasswordRequest,
  SignUpRequest,
  UpdateUserRequest,
  verifyOtpRequest,
} from "./requests";

/**
 * Every endpoint of the JSON API. Each is a thin door: validate, call one service, present the
 * result in the contract's shape. Adding an endpoint is one declaration here, one service function
 * and a one-line route file.
 */

// ---- From the Django service's document

const signUp = endpoint({
  method: "POST",
  path: "/auth/",
  summary: "Sign up (confirmation e-mail with code and link)",
  auth: "none",
  body: SignUpRequest,
  async handle(input, ctx) {
    const { user } = await createAccount(
      { email: input.email, password: input.password, name: input.name, dob: input.dob, mobile: input.mobile, roleId: input.roleid },
      ctx.client,
    );
    return { message: "sign up successfull & confirmation mail has been sent", userid: user.id };
  },
  success: { status: 201, description: "Created; `userid`" },
  failures: [BAD_REQUEST("Field errors; e-mail taken; role not allowed"), RATE_LIMITED],
});

const confirmUser = endpoint({
  method: "POST",
  path: "/auth/confirm-user",
  summary: "Confirm an account with the e-mailed link token",
  auth: "link",
  async handle(_input, ctx) {
    await confirmLink(ctx.linkToken, ctx.client);
    return { message: "user confirmed and active" };
  },
  success: { description: "user confirmed and active" },
  failures: [BAD_REQUEST("errors.token: link invalid or expired")],
});

const generateLink = endpoint({
  method: "POST",
  path: "/auth/generate-link",
  summary: "request_type 1: new confirmation e-mail; 3: password reset link",
  auth: "none",
  body: GenerateLinkRequest,
  async handle({ email, request_type }, ctx) {
    if (request_type === 1) await resendVerificationLink(email, ctx.client);
    else await requestPasswordReset(email, ctx.client);
    return { message: "email_sent_successfully" };
  },
  success: { description: "email_sent_successfully (also for unknown e-mails)" },
  failures: [BAD_REQUEST("Field errors"), RATE_LIMITED],
});

const passwordReset = endpoint({
  method: "POST",
  path: "/auth/reset-password",
  summary: "Set a new password with the reset link token",
  auth: "link",
  body: ResetPasswordRequest,
  async handle({ password }, ctx) {
    await resetPassword(ctx.linkToken, password, ctx.client);
    return { message: "reset_password_successfully" };
  },
  success: { description: "reset_password_successfully" },
  failures: [BAD_REQUEST("errors.token or errors.password"), RATE_LIMITED],
});

/** Only numeric ids name users; any other single segment under /auth is an unknown endpoint. */
const userIdParam = (raw: Record<string, string | string[]>) =>
  typeof raw.userId === "string" && /^\d{1,9}$/.test(raw.userId) ? { userId: Number(raw.userId) } : null;

const getUser = endpoint({
  method: "GET",
  path: "/auth/{user_id}/",
  summary: "Read a user (own, or any as admin)",
  auth: "access",
  params: userIdParam,
  async handle(_input, ctx) {
    return { user: presentUser(await readUser(ctx.caller, ctx.params.userId)) };
  },
  success: { description: "`user`" },
  failures: [UNAUTHORIZED, { status: 403, description: "Another user's id" }, { status: 404, description: "Unknown id" }],
});

const putUser = endpoint({
  method: "PUT",
  path: "/auth/{user_id}/",
  summary: "Update name, mobile, date of birth",
  auth: "access",
  params: userIdParam,
  body: UpdateUserRequest,
  // Whose record this is settles 403/404 before the body can earn a 400, as DRF's get_object does.
  async precheck(ctx, body) {
    await readUser(ctx.caller, ctx.params.userId);
    const readOnly = READ_ONLY_USER_FIELDS.filter((f) => f in body);
    if (readOnly.length) throw new ValidationError(Object.fromEntries(readOnly.map((f) => [f, [messageFor("READ_ONLY")]])));
  },
  async handle(changes, ctx) {
    return { message: "successful_updated", user: presentUser(await updateUser(ctx.caller, ctx.params.userId, changes)) };
  },
  success: { description: "successful_updated, `user`" },
  failures: [BAD_REQUEST("Field errors; read-only fields"), UNAUTHORIZED, { status: 403, description: "Another user's id" }, { status: 404, description: "Unknown id" }],
});

// ---- From VASITUM's document (its `Authorization: Token <client token>` is checked when configured)

/** VASITUM's failures always carry `tokens: {}`. */
const NO_TOKENS = { tokens: {} };

const register = endpoint({
  method: "POST",
  path: "/auth/register/",
  summary: "Register with e-mail and password (OTP e-mailed)",
  auth: "client",
  body: RegisterRequest,
  failure: NO_TOKENS,
  errorFields: { EMAIL_TAKEN: "errors" },
  async handle({ email, password }, ctx) {
    const { code, session } = await createSignedInAccount({ email, password }, ctx.client);
    const { tokens } = session;
    return { tokens: presentTokens(tokens), ...exposedOtp(code) };
  },
  success: { description: "`tokens`" },
  failures: [BAD_REQUEST("Field errors; e-mail taken (errors.errors)"), RATE_LIMITED],
});

const GOOGLE_FAILURES = { failure: NO_TOKENS, errorFields: { EMAIL_TAKEN: "auth_token", GOOGLE_NOT_REGISTERED: "auth_token" } } as const;

const googleRegister = endpoint({
  method: "POST",
  path: "/auth/register/google/",
  summary: "Register with a Google id_token",
  auth: "client",
  body: GoogleTokenRequest,
  ...GOOGLE_FAILURES,
  async handle({ auth_token }, ctx) {
    return { tokens: presentTokens(await registerWithGoogle(auth_token, ctx.client)) };
  },
  success: { description: "`tokens`" },
  failures: [BAD_REQUEST("errors.auth_token"), RATE_LIMITED, { status: 503, description: "The issuer's keys could not be fetched" }],
});

const googleLogin = endpoint({
  method: "POST",
  path: "/auth/login/google/",
  summary: "Log in with a Google id_token",
  auth: "client",
  body: GoogleTokenRequest,
  ...GOOGLE_FAILURES,
  async handle({ auth_token }, ctx) {
    return presentGoogleLogin(await loginWithGoogle(auth_token, ctx.client));
  },
  success: { description: "`tokens`" },
  failures: [BAD_REQUEST("errors.auth_token"), RATE_LIMITED, { status: 503, description: "The issuer's keys could not be fetched" }],
});

const resendOtp = endpoint({
  method: "POST",
  path: "/auth/resend/otp/",
  summary: "E-mail a new code",
  auth: "client",
  body: EmailOnlyRequest,
  failure: { otp: 0 },
  async handle({ email }, ctx) {
    const { code } = await resendCode(email, ctx.client);
    return { ...exposedOtp(code) };
  },
  success: { description: "Sent" },
  failures: [BAD_REQUEST("No such unverified account"), RATE_LIMITED],
});

// ---- Both documents: the merged login

const login = endpoint({
  method: "POST",
  path: "/auth/login",
  summary: "Log in (both documents' merged login)",
  auth: "none",
  body: LoginRequest,
  failure: { is_verified: false, tokens: {} },
  presentErrors: presentLoginErrors,
  async handle({ email, password }, ctx) {
    return presentLogin(await loginWithPassword(email, password, ctx.client));
  },
  success: { description: "`is_verified`, `tokens`, `user`" },
  failures: [BAD_REQUEST("Unknown e-mail or wrong password"), { status: 403, description: "Account disabled" }, RATE_LIMITED],
});

// ---- Added for a complete system

const verifyOtp = endpoint({
  method: "POST",
  path: "/auth/verify/otp/",
  summary: "Verify the e-mailed code",
  auth: "none",
  body: () => verifyOtpRequest(config().otpLength),
  async handle({ email, otp }, ctx) {
    return { is_verified: true, tokens: presentTokens(await verifyCode(email, otp, ctx.client)) };
  },
  success: { description: "`is_verified: true`, `tokens`" },
  failures: [BAD_REQUEST("errors.otp: Invalid OTP / OTP has expired"), RATE_LIMITED],
});

const refresh = endpoint({
  method: "POST",
  path: "/auth/token/refresh/",
  summary: "Rotate a refresh token",
  auth: "none",
  body: RefreshRequest,
  async handle({ refresh }, ctx) {
    return { tokens: presentTokens(await refreshSession(refresh, ctx.client)) };
  },
  success: { description: "`tokens` (a token used again within REFRESH_REUSE_INTERVAL_SECONDS gets a pair too)" },
  failures: [{ status: 401, description: "errors.refresh: invalid, expired or reused (reuse ends the session)" }, RATE_LIMITED],
});

const logout = endpoint({
  method: "POST",
  path: "/auth/logout/",
  summary: "End the session of a refresh token",
  auth: "none",
  body: RefreshRequest,
  async handle({ refresh }, ctx) {
    await endSessionOfRefreshToken(refresh, ctx.client);
    return {};
  },
  success: { description: "Ended (also for unknown tokens)" },
  failures: [BAD_REQUEST("Field errors")],
});

const me = endpoint({
  method: "GET",
  path: "/auth/me/",
  summary: "The signed-in user",
  auth: "access",
  async handle(_input, ctx) {
    return { user: presentUser(ctx.caller.user) };
  },
  success: { description: "`user`" },
  failures: [UNAUTHORIZED],
});

const passwordChange = endpoint({
  method: "POST",
  path: "/auth/password/change/",
  summary: "Change the password (an account without one sets it through the reset link)",
  auth: "access",
  body: ChangePasswordRequest,
  async handle({ old_password, new_password }, ctx) {
    await changePassword(ctx.caller, { currentPassword: old_password, newPassword: new_password }, ctx.client);
    return { message: "password_changed_successfully" };
  },
  success: { description: "Changed; other sessions ended; a notice e-mailed" },
  failures: [BAD_REQUEST("errors.old_password / errors.new_password"), UNAUTHORIZED, RATE_LIMITED],
});

// ---- Account centre

/** The account centre's codes are `code` on the wire (the e-mailed one of the old APIs is `otp`). */
const CODE_FIELD = { fieldNames: { code: "code" } } as const;
const LOGIN_FAILURE = { failure: { is_verified: false, tokens: {} }, presentErrors: presentLoginErrors, ...CODE_FIELD } as const;

const totpSetup = endpoint({
  method: "POST",
  path: "/auth/2fa/totp/setup/",
  summary: "Start setting up an authenticator app (nothing is on until enabled)",
  auth: "access",
  async handle(_input, ctx) {
    const setup = await setUpTotp(ctx.caller, ctx.client);
    return { secret: setup.secret, otpauth_url: setup.otpauthUrl, qr_svg: setup.qrSvg };
  },
  success: { description: "`secret`, `otpauth_url`, `qr_svg`" },
  failures: [BAD_REQUEST("errors.errors: already on"), UNAUTHORIZED, UNVERIFIED, REAUTHENTICATE],
});

const totpEnable = endpoint({
  ...CODE_FIELD,
  method: "POST",
  path: "/auth/2fa/totp/enable/",
  summary: "Turn two-factor on with a first code; the recovery codes are shown once",
  auth: "access",
  body: CodeRequest,
  async handle({ code }, ctx) {
    return { recovery_codes: (await enableTotp(ctx.caller, code, ctx.client)).recoveryCodes };
  },
  success: { description: "`recovery_codes` (10)" },
  failures: [BAD_REQUEST("errors.code: Invalid code"), UNAUTHORIZED, RATE_LIMITED, UNVERIFIED, REAUTHENTICATE],
});

const recoveryCodes = endpoint({
  ...CODE_FIELD,
  method: "POST",
  path: "/auth/2fa/recovery-codes/",
  summary: "New recovery codes for an authenticator code; the old ones stop working",
  auth: "access",
  body: CodeRequest,
  async handle({ code }, ctx) {
    return { recovery_codes: (await replaceRecoveryCodesWith(ctx.caller, code, ctx.client)).recoveryCodes };
  },
  success: { description: "`recovery_codes` (10)" },
  failures: [BAD_REQUEST("errors.code"), UNAUTHORIZED, RATE_LIMITED, REAUTHENTICATE],
});

const twoFactorOff = endpoint({
  ...CODE_FIELD,
  method: "POST",
  path: "/auth/2fa/disable/",
  summary: "Turn two-factor off with an authenticator code or a recovery code",
  auth: "access",
  body: CodeRequest,
  async handle({ code }, ctx) {
    await disableTwoFactor(ctx.caller, code, ctx.client);
    return {};
  },
  success: { description: "Off" },
  failures: [BAD_REQUEST("errors.code"), UNAUTHORIZED, RATE_LIMITED, REAUTHENTICATE],
});

const secondStep = endpoint({
  method: "POST",
  path: "/auth/login/2fa/",
  summary: "The second step of a login: the mfa_token and an authenticator code or a recovery code",
  auth: "none",
  body: SecondStepRequest,
  ...LOGIN_FAILURE,
  async handle({ mfa_token, code, recovery_code }, ctx) {
    return presentLogin(await completeSignIn(mfa_token, recovery_code !== undefined ? { recoveryCode: recovery_code } : { code }, ctx.client, "api"));
  },
  success: { description: "The login's body" },
  failures: [BAD_REQUEST("errors.code: Invalid code; errors.mfa_token: Sign in again"), RATE_LIMITED],
});

/** Credential ids are base64url; anything else names no passkey. */
const passkeyIdParam = (raw: Record<string, string | string[]>) =>
  typeof raw.id === "string" && /^[A-Za-z0-9_-]{1,1024}$/.test(raw.id) ? { id: raw.id } : null;

const passkeyRegistrationOptionsEndpoint = endpoint({
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

const passkeyRegister = endpoint({
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

const passkeyList = endpoint({
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

const passkeyRemove = endpoint({
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

const passkeyLoginOptionsEndpoint = endpoint({
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

const passkeyLogin = endpoint({
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

const emailChange = endpoint({
  method: "POST",
  path: "/auth/email/change/",
  summary: "Ask to change the e-mail address (a link goes to the new one)",
  auth: "access",
  body: ChangeEmailRequest,
  async handle({ new_email, password }, ctx) {
    await requestEmailChange(ctx.caller, { newEmail: new_email, password }, ctx.client);
    return { message: "email_change_link_sent" };
  },
  success: { description: "A link was sent to the new address" },
  failures: [BAD_REQUEST("errors.new_email: taken or unchanged; errors.password"), UNAUTHORIZED, RATE_LIMITED, UNVERIFIED, REAUTHENTICATE],
});

const emailConfirm = endpoint({
  method: "POST",
  path: "/auth/email/confirm/",
  summary: "Confirm the new address with the e-mailed link's token",
  auth: "link",
  async handle(_input, ctx) {
    return { user: presentUser(await confirmEmailChange(ctx.linkToken, ctx.client)) };
  },
  success: { description: "`user`, with the new address; other sessions ended" },
  failures: [BAD_REQUEST("errors.token"), RATE_LIMITED],
});

const deleteMe = endpoint({
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

const reauthenticateEndpoint = endpoint({
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

const reauthenticatePasskeyOptions = endpoint({
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

// ---- The service itself

const health = endpoint({
  method: "GET",
  path: "/healthz",
  summary: "Health, including the database",
  auth: "none",
  async handle() {
    const up = await pingDatabase();
    const body = { success: up, errors: up ? {} : { errors: ["Database unreachable"] }, status: up ? "ok" : "error", db: up ? "ok" : "unreachable" };
    return Response.json(body, { status: up ? 200 : 503, headers: { "cache-control": "no-store", ...(up ? {} : { "retry-after": "5" }) } });
  },
  success: { description: "`status: ok`, `db: ok`" },
  failures: [{ status: 503, description: "Database unreachable" }],
});

/** Liveness for an orchestrator: the process answers; the database is not asked (an outage is no reason to restart). */
const live = endpoint({
  method: "GET",
  path: "/livez",
  summary: "Liveness: the process serves requests (the database is not checked)",
  auth: "none",
  async handle() {
    return Response.json({ success: true, errors: {}, status: "ok" }, { headers: { "cache-control": "no-store" } });
  },
  success: { description: "`status: ok`" },
  failures: [],
});

/** Readiness: send traffic here only while the database answers and the process is not shutting down. */
const ready = endpoint({
  method: "GET",
  path: "/readyz",
  summary: "Readiness: the database answers and the process is not shutting down",
  auth: "none",
  async handle() {
    const stopping = isShuttingDown();
    const up = !stopping && (await pingDatabase());
    const reason = stopping ? "Shutting down" : "Database unreachable";
    const body = { success: up, errors: up ? {} : { errors: [reason] }, status: up ? "ok" : "error", db: stopping ? "unknown" : up ? "ok" : "unreachable" };
    return Response.json(body, { status: up ? 200 : 503, headers: { "cache-control": "no-store", ...(up ? {} : { "retry-after": "5" }) } });
  },
  success: { description: "`status: ok`" },
  failures: [{ status: 503, description: "Database unreachable, or shutting down" }],
});

/**
 * Prometheus metrics, for the operator's scraper only: off (404) without METRICS_TOKEN, and then
 * only with `Authorization: Bearer <METRICS_TOKEN>`. Gauges read from the database are taken at
 * scrape time.
 */
const metricsEndpoint = endpoint({
  method: "GET",
  path: "/metrics",
  summary: "Prometheus metrics (requires METRICS_TOKEN)",
  auth: "none",
  async handle(_input, ctx) {
    const { metricsToken } = config();
    if (!metricsToken) throw new AppError("NOT_FOUND");
    if (!sameSecret(bearerTokenFrom(ctx.request.headers) ?? "", metricsToken)) throw new AppError("NOT_AUTHENTICATED");
    return new Response(await scrapeMetrics(), { headers: { "content-type": metricsContentType(), "cache-control": "no-store" } });
  },
  success: { description: "Prometheus text format" },
  failures: [UNAUTHORIZED, { status: 404, description: "METRICS_TOKEN is not set" }],
});

const openApi = endpoint({
  method: "GET",
  path: "/auth/openapi.json",
  summary: "This document",
  auth: "none",
  async handle() {
    return Response.json(openApiDocument(ENDPOINTS), { headers: { "cache-control": "public, max-age=300" } });
  },
  success: { description: "OpenAPI 3.1" },
  failures: [],
});

/**
 * The JSON Web Key Set (RFC 7517) other services verify access tokens with: a standard document,
 * so the bare `{ keys: [...] }`, not the envelope. Verifiers may cache it for five minutes; a key
 * rotation must publish the new key at least that long before signing with it.
 */
const jwks = endpoint({
  method: "GET",
  path: "/.well-known/jwks.json",
  summary: "Public keys of the access-token signatures",
  auth: "none",
  async handle() {
    return Response.json(await publicJwks(), { headers: { "cache-control": "public, max-age=300" } });
  },
  success: { description: "`{ keys: [...] }`" },
  failures: [],
});

export const ENDPOINTS: readonly Endpoint<never, never, unknown>[] = [
  signUp,
  confirmUser,
  register,
  googleRegister,
  login,
  googleLogin,
  verifyOtp,
  resendOtp,
  generateLink,
  passwordReset,
  refresh,
  logout,
  me,
  deleteMe,
  getUser,
  putUser,
  passwordChange,
  totpSetup,
  totpEnable,
  recoveryCodes,
  twoFactorOff,
  secondStep,
  passkeyRegistrationOptionsEndpoint,
  passkeyRegister,
  passkeyList,
  passkeyRemove,
  passkeyLoginOptionsEndpoint,
  passkeyLogin,
  emailChange,
  emailConfirm,
  reauthenticateEndpoint,
  reauthenticatePasskeyOptions,
  health,
  live,
  ready,
  metricsEndpoint,
  openApi,
  jwks,
] as unknown as Endpoint<never, never, unknown>[];
