import type account from "./messages/en/account.json";
import type admin from "./messages/en/admin.json";
import type adminAudit from "./messages/en/adminAudit.json";
import type adminUsers from "./messages/en/adminUsers.json";
import type auth from "./messages/en/auth.json";
import type common from "./messages/en/common.json";
import type errors from "./messages/en/errors.json";
import type mail from "./messages/en/mail.json";
import type mailbox from "./messages/en/mailbox.json";
import type {} from "next-intl";
import type { Locale } from "./locales";

/** The English catalog's shape: next-intl and use-intl check every key the code asks for against it. */
declare module "next-intl" {
  interface AppConfig {
    Locale: Locale;
    Messages: { account: typeof account; admin: typeof admin; adminAudit: typeof adminAudit; adminUsers: typeof adminUsers; auth: typeof auth; common: typeof common; errors: typeof errors; mail: typeof mail; mailbox: typeof mailbox };
  }
}
