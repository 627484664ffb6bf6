import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "@/components/auth-card";
import { Notice } from "@/components/form-message";
import { GoogleButton } from "@/components/google-button";
import { OrDivider } from "@/components/or-divider";
import { first, type SearchParams } from "@/components/search-params";
import { linkStyle } from "@/components/styles";
import { authPageData } from "@/lib/web/pages";
import { safeNextPath } from "@/lib/web/session";
import { LoginForm } from "./login-form";
import { PasskeySignIn } from "./passkey-sign-in";
import { PageWords } from "@/components/page-words";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.login");
  return { title: t("title") };
}

type SignInError = "googleCancelled" | "googleStart" | "googleEmailUnverified" | "accountDisabled" | "googleAccountConflict" | "googleNotAllowed" | "sessionRequired" | "signInAgain";

/** What next-auth's `?error=` codes mean to the person who just came back from Google (their words: auth.login.errors). */
const SIGN_IN_ERRORS: Record<string, SignInError> = {
  OAuthCallback: "googleCancelled",
  Callback: "googleCancelled",
  OAuthSignin: "googleStart",
  GoogleEmailUnverified: "googleEmailUnverified",
  AccountDisabled: "accountDisabled",
  GoogleAccountConflict: "googleAccountConflict",
  AccessDenied: "googleNotAllowed",
  SessionRequired: "sessionRequired",
  // Ours: the second step of a sign-in expired (5 minutes) or took too many wrong codes.
  SignInAgain: "signInAgain",
};

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const { googleEnabled } = authPageData();
  // Only a path on this site is ever passed on (the action checks again).
  const next = safeNextPath(first(params.next));
  const error = first(params.error);
  const t = await getTranslations("auth.login");

  return (
    <AuthCard
      title={t("title")}
      description={t("description")}
      footer={
        <>
          {t("newHere")}{" "}
          <a href="/signup" className={linkStyle}>
            {t("createAccount")}
          </a>
        </>
      }
    >
      {first(params.reset) === "1" && <Notice tone="success">{t("passwordChanged")}</Notice>}
      {first(params.signedout) === "all" && <Notice tone="success">{t("signedOutEverywhere")}</Notice>}
      {first(params.emailchanged) === "1" && <Notice tone="success">{t("emailChanged")}</Notice>}
      {/* An app asked for a fresh proof (OpenID Connect's prompt=login or max_age, lib/oauth/interaction.ts): a signed-in visitor signs in again here, and the session's proof is renewed. */}
      {first(params.prompt) === "login" && <Notice tone="info">{t("proveAgain")}</Notice>}
      {error && (
        <div role="alert">
          <Notice tone="error">{t(`errors.${(Object.hasOwn(SIGN_IN_ERRORS, error) && SIGN_IN_ERRORS[error]) || "other"}`)}</Notice>
        </div>
      )}
      <div className="flex flex-col gap-3">
        {googleEnabled && <GoogleButton callbackUrl={next} />}
        <PageWords auth={["passkey"]}><PasskeySignIn next={next} /></PageWords>
      </div>
      <OrDivider />
      <PageWords auth={["login"]}><LoginForm next={next} defaultEmail={first(params.email)} /></PageWords>
    </AuthCard>
  );
}
