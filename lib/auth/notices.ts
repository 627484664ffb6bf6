import { now } from "@/lib/clock";
import { config } from "@/lib/config/env";
import type { Tx } from "@/lib/db";
import { enqueueEmail } from "@/lib/db/outbox";
import { noticeEmail, type NoticeEmailInput, type NoticeEvent } from "@/lib/mail/templates";
import { wordDevice } from "@/lib/user-agent";
import { translator } from "@/lib/i18n/catalog";
import { scheduleMailSlot } from "./limits";
import { mailLanguage } from "./mail-language";
import type { ClientInfo } from "./types";

/** What a notice names besides its event (lib/mail/templates.ts's NoticeEmailInput). */
export type NoticeDetails = Pick<NoticeEmailInput, "googleEmail" | "passkeyName" | "newEmail" | "role" | "byAdministrator">;

/** A notice's turn under the mail limits: when it may go, or null when it may not (see queueNotice). */
export type NoticeSlot = Date | null;

/**
 * Counts a security notice to `to` against the mail limits of every kind: one a minute per address
 * (a later one waits its turn rather than being lost) and ten an hour (past that the change still
 * happens, without another notice). Taken before the change it reports, which may erase the
 * address's counts (a deletion).
 */
export function reserveNotice(tx: Tx, to: string): Promise<NoticeSlot> {
  return scheduleMailSlot(tx, "notice", to);
}

/**
 * Queues the security notice of `slot` to `to` (password changed or reset, Google linked…), with
 * the time and the client, in the transaction of the change it reports, so that both commit or
 * neither does. It speaks the account's language, else that of the client's request.
 */
export async function queueNotice(
  tx: Tx,
  slot: NoticeSlot,
  to: { email: string; locale: string | null },
  event: NoticeEvent,
  client: ClientInfo,
  details: NoticeDetails = {},
): Promise<void> {
  if (!slot) return;
  const { appName, appUrl } = config();
  const locale = mailLanguage(to, client);
  const mail = await noticeEmail({
    appName,
    locale,
    appUrl,
    event,
    at: now(),
    device: wordDevice(await translator(locale, "common"), client.userAgent, /^Mozilla\//.test(client.userAgent ?? "") ? "browser" : "api"),
    ip: client.ip,
    ...details,
  });
  await enqueueEmail(tx, { to: to.email, kind: "notice", ...mail }, { notBefore: slot });
}
