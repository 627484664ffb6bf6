import type { Metadata } from "next";
import Link from "next/link";
import { AuthCard } from "@/components/auth-card";
import { first, type SearchParams } from "@/components/search-params";
import { linkStyle } from "@/components/styles";
import { EmailSchema } from "@/lib/validation/fields";
import { authPageData } from "@/lib/web/pages";
import { safeNextPath } from "@/lib/web/session";
import { VerifyForm } from "./verify-form";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Verify your e-mail" };

export default async function VerifyPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { otpLength } = authPageData();
  const parsed = EmailSchema.safeParse(first(params.email));
  const email = parsed.success ? parsed.data : "";
  const next = safeNextPath(first(params.next));

  return (
    <AuthCard
      title="Check your e-mail"
      description={
        email ? (
          <>
            We sent a {otpLength}-digit code to <strong className="font-semibold wrap-anywhere text-slate-900 dark:text-white">{email}</strong>.
            Enter it below to confirm your address.
          </>
        ) : (
          <>Enter your e-mail address and the {otpLength}-digit code we sent to it.</>
        )
      }
      footer={
        <>
          {email ? "Wrong address?" : "No account yet?"}{" "}
          <Link href="/signup" className={linkStyle}>
            {email ? "Sign up again" : "Sign up"}
          </Link>
        </>
      }
    >
      <VerifyForm email={email} next={next} otpLength={otpLength} />
    </AuthCard>
  );
}
