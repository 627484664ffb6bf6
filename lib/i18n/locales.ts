/**
 * The languages the pages and the mail speak. English is the source every other catalog is
 * checked against (catalog.test.ts); Arabic proves the right-to-left layout. The JSON API does not
 * translate: its documented strings are its clients' contract (lib/messages.ts).
 */
export const LOCALES = ["en", "de", "fr", "es", "pt", "ar"] as const;
export type Locale = (typeof LOCALES)[number];

export const isLocale = (value: unknown): value is Locale => typeof value === "string" && (LOCALES as readonly string[]).includes(value);

const RIGHT_TO_LEFT: ReadonlySet<Locale> = new Set(["ar"]);
export const directionOf = (locale: Locale): "ltr" | "rtl" => (RIGHT_TO_LEFT.has(locale) ? "rtl" : "ltr");

/** Each language in its own words, for the profile's Language select. */
export const LANGUAGE_NAMES: Record<Locale, string> = {
  en: "English",
  de: "Deutsch",
  fr: "Français",
  es: "Español",
  pt: "Português",
  ar: "العربية",
};
