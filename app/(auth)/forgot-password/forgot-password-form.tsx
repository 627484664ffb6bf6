"use client";

import { forgotPasswordAction } from "@/app/(auth)/actions";
import { EmailRequestForm } from "@/components/email-request-form";

/** Asks for a password reset link. */
export function ForgotPasswordForm() {
  return <EmailRequestForm action={forgotPasswordAction} submitLabel="Send reset link" againLabel="Send the link again" />;
}
