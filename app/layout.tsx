import type { Metadata, Viewport } from "next";
import { NextIntlClientProvider } from "next-intl";
import { getMessages, getTranslations } from "next-intl/server";
import { pick } from "@/lib/i18n/catalog";
import { directionOf } from "@/lib/i18n/locales";
import { requestLocale } from "@/lib/web/locale";
import "./globals.css";

const appName = process.env.APP_NAME ?? "Auth";

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations("common");
  return {
    title: { default: appName, template: `%s · ${appName}` },
    description: t("description", { appName }),
    icons: { icon: [{ url: "/icon.svg", type: "image/svg+xml" }, { url: "/favicon.ico", sizes: "any" }] },
  };
}

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f8fafc" },
    { media: "(prefers-color-scheme: dark)", color: "#020617" },
  ],
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const locale = await requestLocale();
  return (
    <html lang={locale} dir={directionOf(locale)}>
      <body className="min-h-dvh font-sans">
        {/* The browser gets only the words its components read; the groups' layouts add their own. */}
        <NextIntlClientProvider messages={pick(await getMessages(), ["common", "errors"])}>{children}</NextIntlClientProvider>
      </body>
    </html>
  );
}
