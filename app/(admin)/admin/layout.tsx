import Link from "next/link";
import { NextIntlClientProvider } from "next-intl";
import { getMessages, getTranslations } from "next-intl/server";
import { Badge } from "@/components/badge";
import { SignedInHeader } from "@/components/signed-in-header";
import { linkStyle } from "@/components/styles";
import { pick } from "@/lib/i18n/catalog";
import { admitToConsole } from "@/lib/web/admin";
import { authPageData } from "@/lib/web/pages";
import { currentSession } from "@/lib/web/session";
import { signOutAction } from "../../(app)/profile/actions";
import { ConsoleNav } from "./console-nav";

/**
 * The operator's console (/admin): the signed-in header with the console's sections under it.
 * Only an admin sees any of it (admitToConsole); each page checks again, as the layout is not
 * rendered anew on every navigation.
 */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const session = await currentSession();
  // Signed out: the page sends the visitor to sign in, and back to that very page.
  if (!session) return children;
  admitToConsole(session);
  const { appName } = authPageData();
  const [t, messages] = await Promise.all([getTranslations("admin.layout"), getMessages()]);
  const sections = [
    { href: "/admin", label: t("dashboard") },
    { href: "/admin/users", label: t("users") },
    { href: "/admin/apps", label: t("apps") },
    { href: "/admin/audit", label: t("audit") },
  ];
  return (
    <div className="flex min-h-dvh flex-col">
      <SignedInHeader
        appName={appName}
        home="/admin"
        width="max-w-6xl"
        email={session.user.email}
        signOut={signOutAction}
        label={<Badge tone="indigo">{t("badge")}</Badge>}
        aside={
          <Link href="/profile" className={`${linkStyle} shrink-0 rounded text-sm`}>
            {t("yourAccount")}
          </Link>
        }
      >
        <ConsoleNav label={t("navLabel")} sections={sections} />
      </SignedInHeader>
      <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 sm:px-6 sm:py-10">
        {/* The console's forms, and the "Confirm it's you" step before its changes, word themselves in the browser. */}
        <NextIntlClientProvider messages={pick(messages, ["common", "errors", "account", "admin", "adminUsers"])}>{children}</NextIntlClientProvider>
      </main>
    </div>
  );
}
