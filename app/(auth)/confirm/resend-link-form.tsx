"use client";

import { useTranslations } from "next-intl";
import { resendLinkAction } from "@/app/(auth)/actions";
import { EmailRequestForm } from "@/components/email-request-form";

/** Asks for a fresh confirmation link. */
export function ResendLinkForm() {
  const t = useTranslations("auth.confirm");
  return <EmailRequestForm action={resendLinkAction} submitLabel={t("sendNew")} />;
}
