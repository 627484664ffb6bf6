import type { Metadata } from "next";
import Link from "next/link";
import { redirect } from "next/navigation";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "@/components/auth-card";
import { first, type SearchParams } from "@/components/search-params";
import { linkStyle } from "@/components/styles";
import { hasSecondStep, safeNextPath } from "@/lib/web/session";
import { SecondStepForm } from "./second-step-form";
import { PageWords } from "@/components/page-words";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.twoFactor");
  return { title: t("title") };
}

/**
 * The second step of a sign-in: the first (password, Google, a passkey without user verification)
 * left its token in an httpOnly cookie; without it there is nothing to complete here.
 */
export default async function SecondStepPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const next = safeNextPath(first(params.next));
  if (!(await hasSecondStep())) redirect(`/login?next=${encodeURIComponent(next)}`);
  const method = first(params.method) === "recovery" ? "recovery" : "code";
  const t = await getTranslations("auth.twoFactor");

  return (
    <AuthCard
      title={t("title")}
      description={t("description")}
      footer={
        <>
          {t("stuck")}{" "}
          <Link href={`/login?next=${encodeURIComponent(next)}`} className={linkStyle}>
            {t("startAgain")}
          </Link>
        </>
      }
    >
      <PageWords auth={["twoFactor"]}><SecondStepForm key={method} method={method} next={next} /></PageWords>
    </AuthCard>
  );
}
