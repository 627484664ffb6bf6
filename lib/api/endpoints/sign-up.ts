import { confirmLink, resendCode, verifyCode } from "@/lib/auth/email-verification";
import { registerWithGoogle } from "@/lib/auth/google";
import { createAccount, createSignedInAccount } from "@/lib/auth/signup";
import { config } from "@/lib/config/env";
import { BAD_REQUEST, endpoint, RATE_LIMITED } from "../endpoint";
import { exposedOtp, presentTokens } from "../presenters";
import { EmailOnlyRequest, GoogleTokenRequest, RegisterRequest, SignUpRequest, verifyOtpRequest } from "../requests";
import { NO_TOKENS, GOOGLE_FAILURES } from "./failure-shapes";

/** Creating and confirming an account: the Django service's sign-up, VASITUM's register and Google register, and the e-mailed code. */

export const signUp = endpoint({
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

export const confirmUser = endpoint({
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

export const register = endpoint({
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

export const googleRegister = endpoint({
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

export const verifyOtp = endpoint({
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

export const resendOtp = endpoint({
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
