import { confirmLink, resendCode, resendVerificationLink, verifyCode } from "@/lib/auth/email-verification";
import { loginWithGoogle, registerWithGoogle } from "@/lib/auth/google";
import { loginWithPassword } from "@/lib/auth/login";
import { changePassword, requestPasswordReset, resetPassword } from "@/lib/auth/password";
import { readUser, updateUser } from "@/lib/auth/profile";
import { endSessionOfRefreshToken, refreshSession, startAppSession } from "@/lib/auth/sessions";
import { createAccount } from "@/lib/auth/signup";
import { config } from "@/lib/config/env";
import { pingDatabase } from "@/lib/db/health";
import { isShuttingDown } from "@/lib/lifecycle";
import { AppError, ValidationError } from "@/lib/errors";
import { bearerTokenFrom } from "@/lib/http/authorization";
import { messageFor } from "@/lib/messages";
import { publicJwks } from "@/lib/tokens/keys";
import { sameSecret } from "@/lib/tokens/hash";
import { metricsContentType, scrapeMetrics } from "./metrics";
import { BAD_REQUEST, endpoint, RATE_LIMITED, UNAUTHORIZED, type Endpoint } from "./endpoint";
import { openApiDocument } from "./openapi";
import { exposedOtp, presentLogin, presentLoginErrors, presentTokens, presentUser } from "./presenters";
import {
  ChangePasswordRequest,
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
    const { user, code } = await createAccount({ email, password }, ctx.client);
    const { tokens } = await startAppSession(user, ctx.client, "signup");
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
    return { tokens: presentTokens(await loginWithGoogle(auth_token, ctx.client)) };
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
  getUser,
  putUser,
  passwordChange,
  health,
  live,
  ready,
  metricsEndpoint,
  openApi,
  jwks,
] as unknown as Endpoint<never, never, unknown>[];
