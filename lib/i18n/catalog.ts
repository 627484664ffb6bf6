import { createTranslator, type Messages } from "next-intl";
import { log } from "@/lib/log";
import type { Locale } from "./locales";

/**
 * The translations: lib/i18n/messages/<locale>/<namespace>.json, in ICU message syntax. A
 * namespace is an area of the product (the signed-out pages, the account centre, the mail…), so
 * that each area's words can change without touching another's. English is the source; every
 * other language has exactly its keys and arguments (catalog.test.ts).
 */
export const NAMESPACES = ["common", "errors", "auth", "account", "admin", "adminAudit", "adminUsers", "mail", "mailbox"] as const;
export type Namespace = (typeof NAMESPACES)[number];

const loaded = new Map<Locale, Promise<Messages>>();

/** Every namespace of one language, loaded once per process. */
export function messagesFor(locale: Locale): Promise<Messages> {
  let messages = loaded.get(locale);
  if (!messages) {
    messages = Promise.all(
      NAMESPACES.map(async (namespace) => [namespace, (await import(`./messages/${locale}/${namespace}.json`)).default] as const),
    ).then((entries) => Object.fromEntries(entries) as Messages);
    loaded.set(locale, messages);
  }
  return messages;
}

/** Only the namespaces a part of the page's client components read: what the browser is sent. */
export function pick(messages: Messages, namespaces: readonly Namespace[]): Partial<Messages> {
  return Object.fromEntries(namespaces.map((namespace) => [namespace, messages[namespace]]));
}

/** A missing message is a bug the tests catch; in production it shows its key rather than failing the page. */
export function reportMessageError(error: Error): void {
  log.error("translation failed", { error });
}

function createNamespaceTranslator<N extends Namespace>(locale: Locale, messages: Messages, namespace: N) {
  return createTranslator({ locale, messages, namespace, onError: reportMessageError });
}
type Translator<N extends Namespace> = ReturnType<typeof createNamespaceTranslator<N>>;

// A translator keeps its parsed messages and Intl formatters; made per call, every e-mail parsed
// its messages and resolved its locale again (a sign-up's main thread in process: 3.1–4.0 → 2.7–2.8 ms).
const translators = new Map<string, Promise<Translator<Namespace>>>();

/** A translator outside React (server actions, mail): `t("key", { params })` within `namespace`, one per process. */
export function translator<N extends Namespace>(locale: Locale, namespace: N): Promise<Translator<N>> {
  const key = `${locale} ${namespace}`;
  let made = translators.get(key);
  if (!made) {
    made = messagesFor(locale).then((messages) => createNamespaceTranslator<Namespace>(locale, messages, namespace));
    translators.set(key, made);
  }
  return made as unknown as Promise<Translator<N>>;
}
