import Link from "next/link";
import { NextIntlClientProvider } from "next-intl";
import { getMessages, getTranslations } from "next-intl/server";
import { AppLogo } from "@/components/app-logo";
import { SubmitButton } from "@/components/submit-button";
import { pick } from "@/lib/i18n/catalog";
import { authPageData } from "@/lib/web/pages";
import { currentSession } from "@/lib/web/session";
import { signOutAction } from "./profile/actions";

/** Signed-in pages: a header with the app, who is signed in, and a way out. */
export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const { appName } = authPageData();
  // The page itself requires the session (and redirects); the header only shows it when present.
  const [session, t, messages] = await Promise.all([currentSession(), getTranslations("account.layout"), getMessages()]);
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <div className="mx-auto flex h-16 max-w-3xl items-center gap-3 px-4 sm:px-6">
          <Link href="/profile" className="me-auto flex shrink-0 items-center gap-2 rounded-lg font-semibold tracking-tight">
            <AppLogo className="size-7" />
            <span>{appName}</span>
          </Link>
          {session && (
            <>
              <bdi className="hidden min-w-0 truncate text-sm text-slate-600 sm:block dark:text-slate-400" title={session.user.email}>
                {session.user.email}
              </bdi>
              <form action={signOutAction}>
                <SubmitButton variant="secondary" fullWidth={false} pendingText={t("signingOut")} className="min-h-9 py-1.5">
                  {t("signOut")}
                </SubmitButton>
              </form>
            </>
          )}
        </div>
      </header>
      <main className="mx-auto w-full max-w-3xl flex-1 px-4 py-8 sm:px-6 sm:py-10">
        {/* The account centre's forms and its "Confirm it's you" step word themselves in the browser. */}
        <NextIntlClientProvider messages={pick(messages, ["common", "errors", "account"])}>{children}</NextIntlClientProvider>
      </main>
    </div>
  );
}
