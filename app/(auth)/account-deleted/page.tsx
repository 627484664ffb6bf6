import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth-card";
import { linkStyle } from "@/components/styles";
import { authPageData } from "@/lib/web/pages";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Account deleted" };

/** Where the person lands after deleting their account (signed out; the page itself shows nothing of theirs). */
export default function AccountDeletedPage() {
  const { appName } = authPageData();
  return (
    <AuthCard
      title="Your account is deleted"
      description="We erased your personal details, your passkeys and your sessions, and signed you out everywhere. A last e-mail to your address confirms it."
      footer={
        <>
          Changed your mind?{" "}
          <Link href="/signup" className={linkStyle}>
            Create a new account
          </Link>
        </>
      }
    >
      <p className="text-sm leading-6 text-slate-600 dark:text-slate-400">Thank you for having used {appName}.</p>
    </AuthCard>
  );
}
