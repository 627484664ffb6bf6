"use client";

import { resendLinkAction } from "@/app/(auth)/actions";
import { EmailRequestForm } from "@/components/email-request-form";

/** Asks for a fresh confirmation link. */
export function ResendLinkForm() {
  return <EmailRequestForm action={resendLinkAction} submitLabel="Send a new link" />;
}
