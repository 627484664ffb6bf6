import Link from "next/link";
import { getTranslations } from "next-intl/server";
import type { ReactNode } from "react";
import { AppLogo } from "@/components/app-logo";
import { SubmitButton } from "@/components/submit-button";

/**
 * The signed-in pages' header: the app (a link to `home`), after it `label` (the console's
 * badge), at the end `aside` (a link elsewhere), who is signed in, and Sign out. `width`: the
 * max-width class its content shares with the page's.
 */
export async function SignedInHeader({
  appName,
  home,
  width,
  email,
  signOut,
  label,
  aside,
  children,
}: {
  appName: string;
  home: string;
  width: string;
  email: string | null;
  signOut: () => Promise<void>;
  label?: ReactNode;
  aside?: ReactNode;
  /** Under the header's row, inside it (the console's navigation). */
  children?: ReactNode;
}) {
  const t = await getTranslations("account.layout");
  return (
    <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <div className={`mx-auto flex h-16 ${width} items-center gap-3 px-4 sm:px-6`}>
        <div className="me-auto flex min-w-0 items-center gap-2">
          <Link href={home} className="flex shrink-0 items-center gap-2 rounded-lg font-semibold tracking-tight">
            <AppLogo className="size-7" />
            {/* With a link beside Sign out, a phone's row has no room for the name: screen readers still read it. */}
            <span className={aside ? "max-sm:sr-only" : undefined}>{appName}</span>
          </Link>
          {label}
        </div>
        {aside}
        {email !== null && (
          <>
            <bdi className="hidden min-w-0 truncate text-sm text-slate-600 sm:block dark:text-slate-400" title={email}>
              {email}
            </bdi>
            <form action={signOut}>
              <SubmitButton variant="secondary" fullWidth={false} pendingText={t("signingOut")} className="min-h-9 py-1.5 whitespace-nowrap">
                {t("signOut")}
              </SubmitButton>
            </form>
          </>
        )}
      </div>
      {children}
    </header>
  );
}
