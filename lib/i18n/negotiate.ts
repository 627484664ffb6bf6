import { match } from "@formatjs/intl-localematcher";
import Negotiator from "negotiator";
import { isLocale, LOCALES, type Locale } from "./locales";

/**
 * The best of LOCALES for an Accept-Language header (`de-CH,de;q=0.9,en;q=0.8` → de), or null when
 * the header names none of them. Parsing by negotiator, matching by the ECMA-402 "best fit"
 * algorithm (a region falls back to its language).
 */
export function negotiateLocale(acceptLanguage: string | null | undefined): Locale | null {
  if (!acceptLanguage) return null;
  const requested = new Negotiator({ headers: { "accept-language": acceptLanguage.slice(0, 512) } })
    .languages()
    .filter(isWellFormedTag);
  if (requested.length === 0) return null;
  const found = match(requested, LOCALES, "", { algorithm: "best fit" });
  return isLocale(found) ? found : null;
}

/** A tag Intl can canonicalise ("x-!!" and "*" cannot): the matcher throws on any other. */
function isWellFormedTag(tag: string): boolean {
  try {
    return Intl.getCanonicalLocales(tag).length === 1;
  } catch {
    return false;
  }
}

/** Whose language a message to a person speaks: the account's choice, else the request's, else the default. */
export function localeOf(chosen: string | null | undefined, requested: Locale | null | undefined, fallback: Locale): Locale {
  return isLocale(chosen) ? chosen : (requested ?? fallback);
}
