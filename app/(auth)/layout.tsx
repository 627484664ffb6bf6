import { AppLogo } from "@/components/app-logo";
import { authPageData } from "@/lib/web/pages";

/**
 * Signed-out pages: the app's name on top, one centred card, nothing else to distract. Their links
 * are plain <a>: next/link's code and its prefetches would weigh more than the pages they open.
 * Each page hands its forms only its own part of the `auth` words (components/page-words.tsx).
 */
export default function AuthLayout({ children }: { children: React.ReactNode }) {
  const { appName } = authPageData();
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="flex justify-center px-4 pt-8 sm:pt-14">
        {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- on purpose, see above */}
        <a
          href="/"
          className="flex items-center gap-2.5 rounded-lg text-lg font-semibold tracking-tight text-slate-900 dark:text-white"
        >
          <AppLogo />
          {appName}
        </a>
      </header>
      <main className="flex flex-1 justify-center px-4 pt-6 pb-10 sm:pt-8">
        <div className="w-full max-w-md">
          {children}
        </div>
      </main>
    </div>
  );
}
