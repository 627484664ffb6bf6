import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth-card";
import { first, type SearchParams } from "@/components/search-params";
import { buttonStyles, linkStyle } from "@/components/styles";
import { authPageData, resetTokenUsable } from "@/lib/web/pages";
import { ResetPasswordForm } from "./reset-password-form";

export const dynamic = "force-dynamic";
// The token is in the URL: keep it out of Referer headers to any other site.
export const metadata: Metadata = { title: "Choose a new password", referrer: "no-referrer" };

export default async function ResetPasswordPage({ searchParams }: { searchParams: SearchParams }) {
  const token = first((await searchParams).token);
  const { passwordMinLength } = authPageData();

  if (!(await resetTokenUsable(token))) {
    return (
      <AuthCard
        title="This link has expired"
        description="Password reset links work once, for one hour. Ask for a new one and use the newest e-mail."
        footer={
          <>
            Remembered your password?{" "}
            <Link href="/login" className={linkStyle}>
              Sign in
            </Link>
          </>
        }
      >
        <Link href="/forgot-password" className={`${buttonStyles.primary} w-full`}>
          Request a new link
        </Link>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Choose a new password"
      description="After the change, every device signed in to your account is signed out."
    >
      <ResetPasswordForm token={token} passwordMinLength={passwordMinLength} />
    </AuthCard>
  );
}
