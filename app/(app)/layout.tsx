import Link from "next/link";
import { NextIntlClientProvider } from "next-intl";
import { getMessages, getTranslations } from "next-intl/server";
import { SignedInHeader } from "@/components/signed-in-header";
import { linkStyle } from "@/components/styles";
import { adminAccessOf } from "@/lib/admin/access";
import { pick } from "@/lib/i18n/catalog";
import { authPageData } from "@/lib/web/pages";
import { currentSession } from "@/lib/web/session";
import { signOutAction } from "./profile/actions";

/** Signed-in pages: a header with the app, who is signed in, and a way out; for an admin, the way to the console. */
export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const { appName } = authPageData();
  // The page itself requires the session (and redirects); the header only shows it when present.
  const [session, t, messages] = await Promise.all([currentSession(), getTranslations("account.layout"), getMessages()]);
  const isAdmin = !!session && adminAccessOf(session.user) !== "not_admin";
  return (
    <div className="flex min-h-dvh flex-col">
      <SignedInHeader
        appName={appName}
        home="/profile"
        width="max-w-3xl"
        email={session?.user.email ?? null}
        signOut={signOutAction}
        aside={
          isAdmin && (
            <Link href="/admin" className={`${linkStyle} shrink-0 rounded text-sm`}>
              {t("adminConsole")}
            </Link>
          )
        }
      />
      <main className="mx-auto w-full max-w-3xl flex-1 px-4 py-8 sm:px-6 sm:py-10">
        {/* The account centre's forms and its "Confirm it's you" step word themselves in the browser. */}
        <NextIntlClientProvider messages={pick(messages, ["common", "errors", "account"])}>{children}</NextIntlClientProvider>
      </main>
    </div>
  );
}
