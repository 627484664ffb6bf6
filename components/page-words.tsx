import { NextIntlClientProvider, type Messages } from "next-intl";
import { getMessages } from "next-intl/server";
import type { ReactNode } from "react";
import { pick } from "@/lib/i18n/catalog";

/**
 * The words a signed-out page's forms read in the browser: the shared `common` and `errors`, and of
 * the `auth` catalog only the parts named (`["login", "passkey"]`), not every page's words.
 */
export async function PageWords({ auth, children }: { auth: ReadonlyArray<keyof Messages["auth"]>; children: ReactNode }) {
  const messages = await getMessages();
  const words = Object.fromEntries(auth.map((part) => [part, messages.auth[part]]));
  return <NextIntlClientProvider messages={{ ...pick(messages, ["common", "errors"]), auth: words }}>{children}</NextIntlClientProvider>;
}
