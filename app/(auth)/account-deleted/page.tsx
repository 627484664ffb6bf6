import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "@/components/auth-card";
import { linkStyle } from "@/components/styles";
import { authPageData } from "@/lib/web/pages";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.accountDeleted");
  return { title: t("title") };
}

/** Where the person lands after deleting their account (signed out; the page itself shows nothing of theirs). */
export default async function AccountDeletedPage() {
  const { appName } = authPageData();
  const t = await getTranslations("auth.accountDeleted");
  return (
    <AuthCard
      title={t("title")}
      description={t("description")}
      footer={
        <>
          {t("changedMind")}{" "}
          <Link href="/signup" className={linkStyle}>
            {t("createNew")}
          </Link>
        </>
      }
    >
      <p className="text-sm leading-6 text-slate-600 dark:text-slate-400">{t("thanks", { appName })}</p>
    </AuthCard>
  );
}
