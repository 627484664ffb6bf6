import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { AuthCard } from "@/components/auth-card";
import { first, type SearchParams } from "@/components/search-params";
import { buttonStyles } from "@/components/styles";
import { consentRequest } from "@/lib/oauth/consent";
import { INTERACTION_PATH } from "@/lib/oauth/provider";
import { requireSession } from "@/lib/web/session";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("auth.oauthConsent");
  return { title: t("title") };
}

/** Scopes the page has words for; any other is shown by its name. */
const KNOWN_SCOPES = new Set(["openid", "profile", "email", "offline_access"]);

/**
 * The OpenID provider's consent (ADR 015): which app asks, and what for, with Allow and Deny. The
 * provider's interaction handler (lib/oauth/interaction.ts) sends the signed-in person here; a
 * first-party app never does. Allow and Deny are a plain form post to the interaction's door,
 * which answers with the provider's redirects for the browser to follow (ADR 015).
 */
export default async function OAuthConsentPage({ searchParams }: { searchParams: SearchParams }) {
  const uid = first((await searchParams).interaction);
  const session = await requireSession(`/oauth/consent?interaction=${encodeURIComponent(uid)}`);
  const request = await consentRequest(uid, session.user.id);
  const t = await getTranslations("auth.oauthConsent");

  if (!request) return <AuthCard title={t("expired.title")} description={t("expired.description")}>{null}</AuthCard>;

  return (
    <AuthCard title={t("title")} description={t("description", { client: request.clientName, email: session.user.email })}>
      <ul className="mb-6 list-disc space-y-1 ps-5 text-sm text-slate-700 dark:text-slate-300">
        {request.scopes.map((scope) => (
          <li key={scope}>{KNOWN_SCOPES.has(scope) ? t(`scopes.${scope as "openid"}`) : scope}</li>
        ))}
      </ul>
      <form method="post" action={`${INTERACTION_PATH}${request.uid}`} className="flex flex-col gap-3 sm:flex-row-reverse">
        <button type="submit" name="decision" value="allow" className={`${buttonStyles.primary} w-full sm:w-auto sm:flex-1`}>
          {t("allow")}
        </button>
        <button type="submit" name="decision" value="deny" className={`${buttonStyles.secondary} w-full sm:w-auto sm:flex-1`}>
          {t("deny")}
        </button>
      </form>
    </AuthCard>
  );
}
