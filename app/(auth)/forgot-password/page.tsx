import type { Metadata } from "next";
import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "@/components/auth-card";
import { linkStyle } from "@/components/styles";
import { ForgotPasswordForm } from "./forgot-password-form";
import { PageWords } from "@/components/page-words";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.forgotPassword");
  return { title: t("title") };
}

export default async function ForgotPasswordPage() {
  const t = await getTranslations("auth.forgotPassword");
  return (
    <AuthCard
      title={t("title")}
      description={t("description")}
      footer={
        <>
          {t("remembered")}{" "}
          <Link href="/login" className={linkStyle}>
            {t("backToSignIn")}
          </Link>
        </>
      }
    >
      <PageWords auth={["forgotPassword"]}><ForgotPasswordForm /></PageWords>
    </AuthCard>
  );
}
