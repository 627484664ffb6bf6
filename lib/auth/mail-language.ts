import { config } from "@/lib/config/env";
import type { Locale } from "@/lib/i18n/locales";
import { localeOf, negotiateLocale } from "@/lib/i18n/negotiate";
import type { ClientInfo } from "./types";

/**
 * The language of a mail to an account: the one the account chose (its profile), else the language
 * of the request that caused the mail (its Accept-Language), else DEFAULT_LOCALE. A mail without
 * a request behind it (`client` null) speaks the account's language or the default.
 */
export function mailLanguage(account: { locale: string | null } | null, client: Pick<ClientInfo, "acceptLanguage"> | null): Locale {
  return localeOf(account?.locale, negotiateLocale(client?.acceptLanguage), config().defaultLocale);
}
