import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "@/components/auth-card";
import { GoogleButton } from "@/components/google-button";
import { OrDivider } from "@/components/or-divider";
import { linkStyle } from "@/components/styles";
import { signupPageData } from "@/lib/web/pages";
import { SignUpForm } from "./signup-form";
import { PageWords } from "@/components/page-words";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.signup");
  return { title: t("title") };
}

export default async function SignUpPage() {
  const { fields, roles, passwordMinLength, googleEnabled } = await signupPageData();
  const t = await getTranslations("auth.signup");
  return (
    <AuthCard
      title={t("title")}
      description={t("description")}
      footer={
        <>
          {t("haveAccount")}{" "}
          <a href="/login" className={linkStyle}>
            {t("signIn")}
          </a>
        </>
      }
    >
      {googleEnabled && (
        <>
          <GoogleButton callbackUrl="/profile" />
          <OrDivider />
        </>
      )}
      <PageWords auth={["signup"]}><SignUpForm fields={fields} roles={roles} passwordMinLength={passwordMinLength} /></PageWords>
    </AuthCard>
  );
}
