import nodemailer from "nodemailer";
import type Mail from "nodemailer/lib/mailer";
import { parseConnectionUrl } from "nodemailer/lib/shared";
import SMTPPool from "nodemailer/lib/smtp-pool";
import { config, type AppConfig } from "@/lib/config/env";
import { log } from "@/lib/log";

/**
 * How a stored outbox row leaves the process. With SMTP_URL: a pooled SMTP client. Without it
 * (development and tests only; config() refuses to start production without SMTP_URL): a
 * transport that only logs, because the message is already stored and /dev/mailbox shows it.
 */

export interface OutgoingMail {
  id: number;
  to: string;
  kind: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  /** "smtp" hands mail to a relay; "dev" leaves it in the dev mailbox. */
  readonly kind: "smtp" | "dev";
  /** Resolves once the mail is accepted; rejects with the relay's error otherwise. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * The dev mailbox (/dev/mailbox) shows the mail kept in the outbox. It exists only in development
 * without SMTP_URL: anywhere else it would hand anyone every user's codes and links.
 */
export function devMailboxEnabled(settings: Pick<AppConfig, "nodeEnv" | "smtpUrl"> = config()): boolean {
  return settings.nodeEnv === "development" && !settings.smtpUrl;
}

export function createTransport(): MailTransport {
  const { smtpUrl, isProduction } = config();
  if (smtpUrl) return smtpTransport(smtpUrl);
  if (isProduction) throw new Error("SMTP_URL is required in production");
  return devTransport();
}

/**
 * Timeouts keep one unreachable relay from holding a sender (and its lease on the row) for
 * minutes: the outbox retries later anyway. Query parameters of SMTP_URL (nodemailer's URL
 * options, e.g. `?maxConnections=2`) override these defaults.
 */
const SMTP_DEFAULTS = {
  pool: true,
  maxConnections: 5,
  maxMessages: 100,
  connectionTimeout: 10_000,
  greetingTimeout: 10_000,
  dnsTimeout: 10_000,
  socketTimeout: 20_000,
} as const;

const LOOPBACK = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);

/**
 * The pool's options for SMTP_URL. In production mail carries live codes and links, so it never
 * crosses a network in clear text: `smtps://` is TLS from the start, and a plain `smtp://` relay
 * must upgrade with STARTTLS (requireTLS, which the URL cannot turn off) unless it is on this host.
 */
export function smtpOptions(url: string, production: boolean): SMTPPool.Options {
  const fromUrl = parseConnectionUrl(url);
  const local = LOOPBACK.has((fromUrl.host ?? "").toLowerCase());
  const mustUpgrade = production && !fromUrl.secure && !local;
  return { ...SMTP_DEFAULTS, ...fromUrl, ...(mustUpgrade ? { requireTLS: true, ignoreTLS: false } : {}) };
}

/**
 * What nodemailer sends for `mail`. Both parts are quoted-printable, named up front: left to
 * choose, nodemailer counts the letters of each part with a regular expression per message, which
 * cost about as much main-thread time as the rest of composing it.
 */
export function messageOf(mail: Pick<OutgoingMail, "to" | "subject" | "text" | "html">, from: Mail.Address | string): Mail.Options {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    textEncoding: "quoted-printable",
    // RFC 3834: tells auto-responders (vacation replies) not to answer a robot.
    headers: { "Auto-Submitted": "auto-generated" },
  };
}

function smtpTransport(url: string): MailTransport {
  const mailer = nodemailer.createTransport(new SMTPPool(smtpOptions(url, config().isProduction)));
  // A pooled connection can fail while idle; without a listener that would crash the process.
  mailer.on("error", (error) => log.warn("smtp transport error", { error: error.message }));
  const from = fromAddress();
  return {
    kind: "smtp",
    async send(mail) {
      await mailer.sendMail(messageOf(mail, from));
    },
    close: () => mailer.close(),
  };
}

function devTransport(): MailTransport {
  const mailbox = `${config().appUrl}/dev/mailbox`;
  return {
    kind: "dev",
    async send(mail) {
      // Only the envelope: the body holds codes and links, which belong in the mailbox, not the log.
      log.info(`mail stored in the dev mailbox; see ${mailbox}`, { id: mail.id, to: mail.to, subject: mail.subject });
    },
    close: () => {},
  };
}

/** MAIL_FROM as given when it already names the sender ("Acme <no-reply@acme.test>"), else with APP_NAME. */
function fromAddress(): Mail.Address | string {
  const { mailFrom, appName } = config();
  return mailFrom.includes("<") ? mailFrom : { name: appName, address: mailFrom };
}

/**
 * True when retrying cannot help: the relay refused the recipient address with a 5xx reply
 * ("550 no such user"). Everything else (4xx replies, timeouts, refused connections, a 5xx to
 * AUTH, which is a configuration fault that ops can fix) is worth retrying.
 */
export function isPermanentFailure(error: unknown): boolean {
  const e = error as { code?: unknown; responseCode?: unknown } | null;
  return e?.code === "EENVELOPE" && typeof e.responseCode === "number" && e.responseCode >= 500 && e.responseCode < 600;
}
