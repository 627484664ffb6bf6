import { loginWithGoogle } from "@/lib/auth/google";
import { loginWithPassword } from "@/lib/auth/login";
import { completeSignIn } from "@/lib/auth/sign-in";
import { BAD_REQUEST, endpoint, RATE_LIMITED } from "../endpoint";
import { presentGoogleLogin, presentLogin, presentLoginErrors } from "../presenters";
import { SecondStepRequest, GoogleTokenRequest, LoginRequest } from "../requests";
import { GOOGLE_FAILURES, LOGIN_FAILURE } from "./failure-shapes";

/** Signing in: the merged login of both documents, Google, and the second step of two-factor. */

export const login = endpoint({
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

export const googleLogin = endpoint({
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

export const secondStep = endpoint({
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
