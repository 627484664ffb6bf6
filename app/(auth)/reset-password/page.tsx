import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "@/components/auth-card";
import { first, type SearchParams } from "@/components/search-params";
import { buttonStyles, linkStyle } from "@/components/styles";
import { authPageData, resetLinkState } from "@/lib/web/pages";
import { ResetPasswordForm } from "./reset-password-form";
import { PageWords } from "@/components/page-words";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.resetPassword");
  // The token is in the URL: keep it out of Referer headers to any other site.
  return { title: t("title"), referrer: "no-referrer" };
}

export default async function ResetPasswordPage({ searchParams }: { searchParams: SearchParams }) {
  const token = first((await searchParams).token);
  const { passwordMinLength } = authPageData();
  const state = await resetLinkState(token);
  const t = await getTranslations("auth.resetPassword");

  if (state !== "usable") {
    return (
      <AuthCard
        title={t(`${state}.title`)}
        description={t(`${state}.description`)}
        footer={
          <>
            {t("remembered")}{" "}
            <Link href="/login" className={linkStyle}>
              {t("signIn")}
            </Link>
          </>
        }
      >
        <Link href="/forgot-password" className={`${buttonStyles.primary} w-full`}>
          {t("requestNew")}
        </Link>
      </AuthCard>
    );
  }

  return (
    <AuthCard title={t("title")} description={t("description")}>
      <PageWords auth={["resetPassword"]}><ResetPasswordForm token={token} passwordMinLength={passwordMinLength} /></PageWords>
    </AuthCard>
  );
}
