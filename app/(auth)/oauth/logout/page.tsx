import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "@/components/auth-card";
import { first, type SearchParams } from "@/components/search-params";
import { buttonStyles, linkStyle } from "@/components/styles";
import { clientDisplayName } from "@/lib/oauth/clients";
import { OAUTH_ROUTES } from "@/lib/oauth/provider";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.oauthLogout");
  return { title: t("title") };
}

/**
 * RP-initiated logout (ADR 015, lib/oauth/logout.ts): the provider sends the browser here to ask
 * whether to sign out, and again once it is done. The form posts the provider's own CSRF value to
 * its confirm endpoint; "Sign out" ends the provider's session and this service's browser session.
 */
export default async function OAuthLogoutPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  const t = await getTranslations("auth.oauthLogout");
  const client = await clientDisplayName(first(params.client));

  if (first(params.done) === "1") {
    return (
      <AuthCard title={t("done.title")} description={client ? t("done.descriptionClient", { client }) : t("done.description")}>
        <a href="/login" className={linkStyle}>
          {t("done.signIn")}
        </a>
      </AuthCard>
    );
  }

  const xsrf = first(params.xsrf);
  if (!/^[A-Za-z0-9_-]{1,128}$/.test(xsrf)) return <AuthCard title={t("expired.title")} description={t("expired.description")}>{null}</AuthCard>;

  return (
    <AuthCard title={t("title")} description={client ? t("descriptionClient", { client }) : t("description")}>
      <form method="post" action={`${OAUTH_ROUTES.end_session}/confirm`} className="flex flex-col gap-3 sm:flex-row-reverse">
        <input type="hidden" name="xsrf" value={xsrf} />
        <button type="submit" name="logout" value="yes" className={`${buttonStyles.primary} w-full sm:w-auto sm:flex-1`}>
          {t("signOut")}
        </button>
        <button type="submit" className={`${buttonStyles.secondary} w-full sm:w-auto sm:flex-1`}>
          {t("stay")}
        </button>
      </form>
    </AuthCard>
  );
}
