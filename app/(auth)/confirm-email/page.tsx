import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth-card";
import { first, type SearchParams } from "@/components/search-params";
import { buttonStyles } from "@/components/styles";
import { emailChangeTokenUsable } from "@/lib/web/pages";
import { ConfirmEmailForm } from "./confirm-email-form";

export const dynamic = "force-dynamic";
// The token is in the URL: keep it out of Referer headers to any other site.
export const metadata: Metadata = { title: "Confirm your new e-mail address", referrer: "no-referrer" };

/**
 * The landing page of the link sent to a new address. Opening it changes nothing (mail scanners
 * fetch links, and some run their scripts): only the button spends the token.
 */
export default async function ConfirmEmailPage({ searchParams }: { searchParams: SearchParams }) {
  const token = first((await searchParams).token);

  if (!(await emailChangeTokenUsable(token))) {
    return (
      <AuthCard
        title="This link has expired"
        description="Links to confirm a new e-mail address work once, for 24 hours. Sign in and ask for a new one on your account page."
      >
        <Link href="/profile#email" className={`${buttonStyles.primary} w-full`}>
          Go to your account
        </Link>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Confirm your new e-mail address"
      description="Press the button to make this address your account’s. You’ll sign in with it from now on, and other devices will be signed out."
    >
      <ConfirmEmailForm token={token} />
    </AuthCard>
  );
}
