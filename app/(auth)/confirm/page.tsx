import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth-card";
import { first, type SearchParams } from "@/components/search-params";
import { linkStyle } from "@/components/styles";
import { confirmTokenUsable } from "@/lib/web/pages";
import { ConfirmForm } from "./confirm-form";
import { ResendLinkForm } from "./resend-link-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Confirm your e-mail", referrer: "no-referrer" };

/**
 * The landing page of the e-mailed link. Opening it changes nothing: mail scanners fetch links
 * without running scripts, so the token is only spent by the form below, which the browser
 * submits by itself (or the person, with the button).
 */
export default async function ConfirmPage({ searchParams }: { searchParams: SearchParams }) {
  const token = first((await searchParams).token);
  const usable = await confirmTokenUsable(token);

  if (!usable) {
    return (
      <AuthCard
        title="This link has expired"
        description="Confirmation links work once, for 24 hours. Enter your e-mail address and we’ll send you a new one."
        footer={
          <>
            Already confirmed?{" "}
            <Link href="/login" className={linkStyle}>
              Sign in
            </Link>
          </>
        }
      >
        <ResendLinkForm />
      </AuthCard>
    );
  }

  return (
    <AuthCard title="Confirm your e-mail" description="We’re confirming your e-mail address. If nothing happens in a moment, press the button.">
      <ConfirmForm token={token} />
    </AuthCard>
  );
}
