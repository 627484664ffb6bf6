import type { Metadata } from "next";
import { getTranslations } from "next-intl/server";
import { connection } from "next/server";
import { AppLogo } from "@/components/app-logo";
import { buttonStyles } from "@/components/styles";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("common.notFound");
  return { title: t("title") };
}

export default async function NotFound() {
  // Rendered per request, like every page: the nonce-based CSP (proxy.ts) only lets scripts run
  // that carry this request's nonce, and a page prerendered at build time has none.
  await connection();
  const t = await getTranslations("common.notFound");
  return (
    <main className="mx-auto flex min-h-dvh max-w-md flex-col items-center justify-center gap-5 px-6 text-center">
      <AppLogo className="size-10" />
      <h1 className="text-2xl font-semibold tracking-tight">{t("title")}</h1>
      <p className="text-slate-600 dark:text-slate-400">{t("body")}</p>
      {/* A plain link: this boundary is part of every page, and next/link would load its code everywhere. */}
      {/* eslint-disable-next-line @next/next/no-html-link-for-pages -- see the line above */}
      <a href="/" className={buttonStyles.primary}>
        {t("home")}
      </a>
    </main>
  );
}
