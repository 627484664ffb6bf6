import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "@/components/auth-card";
import { first, type SearchParams } from "@/components/search-params";
import { buttonStyles } from "@/components/styles";
import { emailChangeLinkState } from "@/lib/web/pages";
import { ConfirmEmailForm } from "./confirm-email-form";
import { PageWords } from "@/components/page-words";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.confirmEmail");
  // The token is in the URL: keep it out of Referer headers to any other site.
  return { title: t("title"), referrer: "no-referrer" };
}

/**
 * The landing page of the link sent to a new address. Opening it changes nothing (mail scanners
 * fetch links, and some run their scripts): only the button spends the token.
 */
export default async function ConfirmEmailPage({ searchParams }: { searchParams: SearchParams }) {
  const token = first((await searchParams).token);
  const state = await emailChangeLinkState(token);
  const t = await getTranslations("auth.confirmEmail");

  if (state !== "usable") {
    return (
      <AuthCard title={t(`${state}.title`)} description={t(`${state}.description`)}>
        {state === "used" ? (
          <Link href="/login" className={`${buttonStyles.primary} w-full`}>
            {t("signIn")}
          </Link>
        ) : (
          <Link href="/profile#email" className={`${buttonStyles.primary} w-full`}>
            {t("goToAccount")}
          </Link>
        )}
      </AuthCard>
    );
  }

  return (
    <AuthCard title={t("title")} description={t("description")}>
      <PageWords auth={["confirmEmail"]}><ConfirmEmailForm token={token} /></PageWords>
    </AuthCard>
  );
}
