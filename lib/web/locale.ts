import { headers } from "next/headers";
import { cache } from "react";
import { config } from "@/lib/config/env";
import { translator, type Namespace } from "@/lib/i18n/catalog";
import type { Locale } from "@/lib/i18n/locales";
import { localeOf, negotiateLocale } from "@/lib/i18n/negotiate";
import { currentSession } from "./session";

/**
 * The language of this request's page: the signed-in account's choice (its profile), else the
 * browser's Accept-Language, else DEFAULT_LOCALE. Once per request: next-intl's request config,
 * the layout and the server actions all ask (and the session lookup is the page's own, cached).
 */
export const requestLocale = cache(async (): Promise<Locale> => {
  // The words must not fail the page: during a database outage, the browser's language will do.
  const session = await currentSession().catch(() => null);
  return localeOf(session?.user.locale, negotiateLocale((await headers()).get("accept-language")), config().defaultLocale);
});

/** A server action's words, in the page's language. */
export async function pageTranslator<N extends Namespace>(namespace: N) {
  return translator(await requestLocale(), namespace);
}
