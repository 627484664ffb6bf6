import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "@/components/auth-card";
import { first, type SearchParams } from "@/components/search-params";
import { buttonStyles, linkStyle } from "@/components/styles";
import { confirmLinkState } from "@/lib/web/pages";
import { ConfirmForm } from "./confirm-form";
import { ResendLinkForm } from "./resend-link-form";
import { PageWords } from "@/components/page-words";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.confirm");
  // The token is in the URL: keep it out of Referer headers to any other site.
  return { title: t("title"), referrer: "no-referrer" };
}

/**
 * The landing page of the e-mailed link. Opening it changes nothing: mail scanners fetch links
 * without running scripts, so the token is only spent by the form below, which the browser
 * submits by itself (or the person, with the button).
 */
export default async function ConfirmPage({ searchParams }: { searchParams: SearchParams }) {
  const token = first((await searchParams).token);
  const state = await confirmLinkState(token);
  const t = await getTranslations("auth.confirm");

  if (state === "used") {
    return (
      <AuthCard title={t("used.title")} description={t("used.description")}>
        <Link href="/login" className={`${buttonStyles.primary} w-full`}>
          {t("signIn")}
        </Link>
      </AuthCard>
    );
  }

  if (state !== "usable") {
    return (
      <AuthCard
        title={t(`${state}.title`)}
        description={t(`${state}.description`)}
        footer={
          <>
            {t("alreadyConfirmed")}{" "}
            <Link href="/login" className={linkStyle}>
              {t("signIn")}
            </Link>
          </>
        }
      >
        <PageWords auth={["confirm"]}><ResendLinkForm /></PageWords>
      </AuthCard>
    );
  }

  return (
    <AuthCard title={t("title")} description={t("description")}>
      <PageWords auth={["confirm"]}><ConfirmForm token={token} /></PageWords>
    </AuthCard>
  );
}
