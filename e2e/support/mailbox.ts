import { randomUUID } from "node:crypto";

/** Shared by the HTTP and the browser suites: test users' addresses and the SMTP sink's mail. */

export const STRONG_PASSWORD = "correct horse battery staple";

/** A fresh address per call, so tests never share accounts or per-e-mail limits. */
export const uniqueEmail = (tag = "user") => `${tag}-${randomUUID().slice(0, 8)}@example.test`;

export interface Mail {
  to: string[];
  subject: string;
  text: string;
  html: string;
}

/** Reads mail from the sink's HTTP API (e2e/support/mail-sink.ts) at `apiUrl()`. */
export function mailbox(apiUrl: () => string) {
  async function mailsTo(to: string): Promise<Mail[]> {
    const res = await fetch(`${apiUrl()}/messages?to=${encodeURIComponent(to)}`);
    return (await res.json()) as Mail[];
  }
  /** The `count`-th mail to `to` (mail leaves through the outbox, a moment after the request). */
  async function waitForMail(to: string, count = 1, timeoutMs = 15_000): Promise<Mail> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mails = await mailsTo(to);
      if (mails.length >= count) return mails[count - 1]!;
      if (Date.now() > deadline) throw new Error(`expected ${count} mail(s) to ${to}, got ${mails.length}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { mailsTo, waitForMail };
}
