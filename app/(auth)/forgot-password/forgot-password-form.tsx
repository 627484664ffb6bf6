"use client";

import { useTranslations } from "next-intl";
import { forgotPasswordAction } from "@/app/(auth)/actions";
import { EmailRequestForm } from "@/components/email-request-form";

/** Asks for a password reset link. */
export function ForgotPasswordForm() {
  const t = useTranslations("auth.forgotPassword");
  return <EmailRequestForm action={forgotPasswordAction} submitLabel={t("submit")} againLabel={t("again")} />;
}
