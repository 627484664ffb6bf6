import { resendVerificationLink } from "@/lib/auth/email-verification";
import { changePassword, requestPasswordReset, resetPassword } from "@/lib/auth/password";
import { BAD_REQUEST, endpoint, RATE_LIMITED, UNAUTHORIZED } from "../endpoint";
import { ChangePasswordRequest, GenerateLinkRequest, ResetPasswordRequest } from "../requests";

/** Passwords: the e-mailed links (reset, and a new confirmation link), the reset and the change. */

export const generateLink = endpoint({
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

export const passwordReset = endpoint({
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

export const passwordChange = endpoint({
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
