import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { Notice } from "@/components/form-message";
import { PageSection } from "@/components/page-section";
import { clientsForAdmin } from "@/lib/admin/clients";
import { requireAdminPage } from "@/lib/web/admin";
import { confirmItsYouData } from "@/lib/web/pages";
import { ConfirmItsYou } from "../../../(app)/confirm-its-you";
import { PageTitle } from "../page-title";
import { AddAppForm } from "./add-app-form";
import { AppList, type AppItem } from "./app-list";

export const dynamic = "force-dynamic";

export async function generateMetadata(): Promise<Metadata> {
  // Rendered beside the page: its title would tell a non-admin what the 404 hides.
  await requireAdminPage("/admin/apps");
  const t = await getTranslations("admin.apps");
  return { title: t("title") };
}

/** The OpenID provider's clients: each with what it may do, a way to remove it, and a form to add one. */
export default async function AppsPage() {
  const session = await requireAdminPage("/admin/apps");
  const [clients, confirmation, t] = await Promise.all([clientsForAdmin(session), confirmItsYouData(session), getTranslations("admin.apps")]);
  const apps: AppItem[] | null =
    clients?.map((c) => ({
      clientId: c.client_id,
      name: c.client_name || c.client_id,
      isPublic: c.token_endpoint_auth_method === "none",
      firstParty: c.first_party,
      redirectUris: c.redirect_uris,
      postLogoutRedirectUris: c.post_logout_redirect_uris,
      grants: c.grant_types,
    })) ?? null;

  return (
    <ConfirmItsYou
      {...confirmation}
    >
      <div className="flex flex-col gap-8">
        <PageTitle title={t("title")} intro={t("intro")} />
        {apps === null ? (
          <Notice tone="info">{t("providerOff")}</Notice>
        ) : (
          <>
            <PageSection id="apps" title={t("listTitle")}>
              <AppList apps={apps} />
            </PageSection>
            <PageSection id="add-app" title={t("addTitle")}>
              <AddAppForm />
            </PageSection>
          </>
        )}
      </div>
    </ConfirmItsYou>
  );
}
