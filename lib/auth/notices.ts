import { now } from "@/lib/clock";
import { config } from "@/lib/config/env";
import type { Db, Tx } from "@/lib/db/client";
import { enqueueEmail } from "@/lib/db/outbox";
import { noticeEmail, type NoticeEvent } from "@/lib/mail/templates";
import { describeUserAgent } from "@/lib/user-agent";
import { scheduleMailSlot } from "./limits";
import type { ClientInfo } from "./types";

/** Queues a prepared notice in the transaction of the change it reports. */
export type QueueNotice = (tx: Db | Tx) => Promise<void>;

/**
 * Prepares a security notice to `to` (password changed or reset, Google linked…), with the time
 * and the client, to be queued in the same transaction as the change so that both commit or
 * neither does. The notice kind has the mail limits of every kind: one a minute per address (a
 * later one waits its turn rather than being lost) and ten an hour (past that the change still
 * happens, without another notice).
 */
export async function prepareNotice(
  to: string,
  event: NoticeEvent,
  client: ClientInfo,
  details: { googleEmail?: string; passkeyName?: string; newEmail?: string } = {},
): Promise<QueueNotice> {
  const sendAt = await scheduleMailSlot("notice", to);
  if (!sendAt) return async () => {};
  const { appName, appUrl } = config();
  const mail = noticeEmail({
    appName,
    appUrl,
    event,
    at: now(),
    device: describeUserAgent(client.userAgent, /^Mozilla\//.test(client.userAgent ?? "") ? "browser" : "api"),
    ip: client.ip,
    ...details,
  });
  return async (tx) => {
    await enqueueEmail(tx, { to, kind: "notice", ...mail }, { notBefore: sendAt });
  };
}
