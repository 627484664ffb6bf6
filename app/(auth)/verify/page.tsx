import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "@/components/auth-card";
import { first, type SearchParams } from "@/components/search-params";
import { linkStyle } from "@/components/styles";
import { EmailSchema } from "@/lib/validation/fields";
import { authPageData } from "@/lib/web/pages";
import { safeNextPath } from "@/lib/web/session";
import { VerifyForm } from "./verify-form";
import { PageWords } from "@/components/page-words";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.verify");
  return { title: t("title") };
}

export default async function VerifyPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { otpLength } = authPageData();
  const parsed = EmailSchema.safeParse(first(params.email));
  const email = parsed.success ? parsed.data : "";
  const next = safeNextPath(first(params.next));
  const t = await getTranslations("auth.verify");

  return (
    <AuthCard
      title={t("title")}
      description={
        email
          ? t.rich("sentTo", {
              length: otpLength,
              email: () => (
                <bdi dir="ltr" className="inline-block max-w-full font-semibold wrap-anywhere text-slate-900 dark:text-white">
                  <strong className="font-semibold">{email}</strong>
                </bdi>
              ),
            })
          : t("enterBoth", { length: otpLength })
      }
      footer={
        <>
          {email ? t("wrongAddress") : t("noAccount")}{" "}
          <Link href="/signup" className={linkStyle}>
            {email ? t("signUpAgain") : t("signUp")}
          </Link>
        </>
      }
    >
      <PageWords auth={["verify"]}><VerifyForm email={email} next={next} otpLength={otpLength} /></PageWords>
    </AuthCard>
  );
}
