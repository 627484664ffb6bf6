import { getRequestConfig } from "next-intl/server";
import { requestLocale } from "@/lib/web/locale";
import { messagesFor, reportMessageError } from "./catalog";

/**
 * next-intl's configuration for each request (named in next.config.js): the page's language and
 * its catalog. No locale in the URL: one address per page, in the language of whoever reads it.
 */
export default getRequestConfig(async () => {
  const locale = await requestLocale();
  return { locale, messages: await messagesFor(locale), timeZone: "UTC", onError: reportMessageError };
});
