import { translator } from "@/lib/i18n/catalog";
import { directionOf, type Locale } from "@/lib/i18n/locales";
import type englishMail from "@/lib/i18n/messages/en/mail.json";

/**
 * The e-mails the service sends, as pure functions of their inputs and the recipient's language:
 * `{ subject, text, html }`, worded from the `mail` catalog (lib/i18n/messages/<locale>/mail.json).
 *
 * Every message has a plain-text part with the same content as the HTML part: some clients show
 * only text, and tests (and people) read the code and the link out of it. In the text part the
 * code and the link each stand on a line of their own, so they can be copied, and found by a
 * pattern (lib/mail/mailbox.ts), in any language, without picking up surrounding words; nothing
 * follows a link on its line, so no full stop is ever taken for part of it. The code is the first
 * number in the text.
 *
 * The HTML is deliberately old-fashioned (tables, inline styles, no external assets): that is
 * what renders the same in Outlook, Gmail and Apple Mail. Every interpolated value is escaped.
 * It carries the language and its direction (Arabic reads right to left).
 */

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

/** What every e-mail is given: whose service it is, and the recipient's language. */
interface MailInput {
  appName: string;
  locale: Locale;
}

export interface VerificationEmailInput extends MailInput {
  /** The short code to type in on the verification page. */
  code: string;
  /** APP_URL/confirm?token=… — verifies the same account as the code. */
  link: string;
  /** Lifetime of the code. */
  expiresInMinutes: number;
  /** Lifetime of the link. */
  linkExpiresInHours: number;
}

export interface PasswordResetEmailInput extends MailInput {
  /** APP_URL/reset-password?token=… */
  link: string;
  expiresInMinutes: number;
  /** The account has no password yet (it signs in with Google): the link sets its first one. */
  firstPassword?: boolean;
}

type MailWords = Awaited<ReturnType<typeof translator<"mail">>>;

const HTML_ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Safe in element content and in quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/** "10 minutes", "1 hour", "24 Stunden": whole hours in hours, anything else in minutes. */
export function formatDuration(t: MailWords, minutes: number): string {
  if (minutes >= 60 && minutes % 60 === 0) return t("duration.hours", { count: minutes / 60 });
  return t("duration.minutes", { count: minutes });
}

/**
 * A value written left to right (a device's name, an address) inside right-to-left words, isolated
 * (U+2068 … U+2069) so that its punctuation stays its own: "App (curl)،" would otherwise show its
 * closing parenthesis on the wrong side.
 */
export function isolated(locale: Locale, value: string): string {
  return directionOf(locale) === "rtl" && value ? `\u2068${value}\u2069` : value;
}

/** A notice's moment in the reader's language, in UTC (the catalog says so after it). */
export function formatMoment(locale: Locale, at: Date): string {
  let format = momentFormats.get(locale);
  if (!format) momentFormats.set(locale, (format = new Intl.DateTimeFormat(locale, { dateStyle: "long", timeStyle: "short", timeZone: "UTC" })));
  return format.format(at);
}
// Made once per language: building an Intl format resolves the locale's data, which formatting does not.
const momentFormats = new Map<Locale, Intl.DateTimeFormat>();

/**
 * Links are built by the service from APP_URL, never from user input; refusing anything but
 * http(s) still keeps a bug elsewhere from putting a `javascript:` URL into a button.
 */
function assertWebLink(link: string): string {
  if (!/^https?:\/\//i.test(link)) throw new Error("E-mail links must be absolute http(s) URLs");
  return link;
}

/** The text part: its paragraphs (the code, a link: each a paragraph of its own), a blank line between. */
const textOf = (paragraphs: string[]) => `${paragraphs.join("\n\n")}\n`;

export async function verificationEmail(input: VerificationEmailInput): Promise<RenderedEmail> {
  const { appName, code, locale } = input;
  const link = assertWebLink(input.link);
  const t = await translator(locale, "mail");
  const enterCode = t("verification.enterCode", { appName, lifetime: formatDuration(t, input.expiresInMinutes) });
  const orLink = t("verification.orLink", { lifetime: formatDuration(t, input.linkExpiresInHours * 60) });
  const ignore = t("verification.ignore", { appName });
  const subject = t("verification.subject", { appName });

  const text = textOf([t("verification.codeIntro"), code, enterCode, orLink, link, ignore]);
  const html = layout(locale, {
    title: subject,
    preheader: t("verification.preheader", { code }),
    body: [
      heading(t("verification.heading")),
      paragraph(escapeHtml(t("verification.codeIntro"))),
      codeBlock(code, locale),
      paragraph(escapeHtml(enterCode)),
      paragraph(escapeHtml(orLink)),
      button(link, t("verification.button")),
      fallbackLink(link, t("buttonFallback")),
      footnote(escapeHtml(ignore)),
    ].join("\n"),
  });
  return { subject, text, html };
}

export async function passwordResetEmail(input: PasswordResetEmailInput): Promise<RenderedEmail> {
  const { appName, locale } = input;
  const link = assertWebLink(input.link);
  const t = await translator(locale, "mail");
  const words = input.firstPassword ? "firstPassword" : "passwordReset";
  const subject = t(`${words}.subject`, { appName });
  const asked = t(`${words}.asked`, { appName });
  const openLink = t(`${words}.openLink`, { lifetime: formatDuration(t, input.expiresInMinutes) });
  const ignore = t(`${words}.ignore`);

  const text = textOf([asked, openLink, link, ignore]);
  const html = layout(locale, {
    title: subject,
    preheader: t(`${words}.preheader`, { appName }),
    body: [
      heading(t(`${words}.heading`)),
      paragraph(escapeHtml(asked)),
      paragraph(escapeHtml(openLink)),
      button(link, t(`${words}.button`)),
      fallbackLink(link, t("buttonFallback")),
      footnote(escapeHtml(ignore)),
    ].join("\n"),
  });
  return { subject, text, html };
}

export interface EmailChangeEmailInput extends MailInput {
  /** APP_URL/confirm-email?token=… */
  link: string;
  newEmail: string;
  expiresInHours: number;
}

/** To the new address of an e-mail change: the link that makes it the account's. */
export async function emailChangeEmail(input: EmailChangeEmailInput): Promise<RenderedEmail> {
  const { appName, locale, newEmail } = input;
  const link = assertWebLink(input.link);
  const t = await translator(locale, "mail");
  const subject = t("emailChange.subject", { appName });
  const asked = t("emailChange.asked", { appName, newEmail });
  const openLink = t("emailChange.openLink", { lifetime: formatDuration(t, input.expiresInHours * 60) });
  const ignore = t("emailChange.ignore");

  const text = textOf([asked, openLink, link, ignore]);
  const html = layout(locale, {
    title: subject,
    preheader: t("emailChange.preheader", { appName, newEmail }),
    body: [
      heading(t("emailChange.heading")),
      paragraph(escapeHtml(asked)),
      paragraph(escapeHtml(openLink)),
      button(link, t("emailChange.button")),
      fallbackLink(link, t("buttonFallback")),
      footnote(escapeHtml(ignore)),
    ].join("\n"),
  });
  return { subject, text, html };
}

export interface ReauthenticationEmailInput extends MailInput {
  code: string;
  expiresInMinutes: number;
}

/** The code that confirms it's the owner before a sensitive change (an account without a password). */
export async function reauthenticationEmail(input: ReauthenticationEmailInput): Promise<RenderedEmail> {
  const { appName, code, locale } = input;
  const t = await translator(locale, "mail");
  const subject = t("reauthentication.subject", { appName });
  const asked = t("reauthentication.asked", { appName, lifetime: formatDuration(t, input.expiresInMinutes) });
  const ignore = t("reauthentication.ignore", { appName });

  const text = textOf([t("reauthentication.codeIntro"), code, asked, ignore]);
  const html = layout(locale, {
    title: subject,
    preheader: t("reauthentication.preheader", { code }),
    body: [
      heading(t("reauthentication.heading")),
      paragraph(escapeHtml(t("reauthentication.codeIntro"))),
      codeBlock(code, locale),
      paragraph(escapeHtml(asked)),
      footnote(escapeHtml(ignore)),
    ].join("\n"),
  });
  return { subject, text, html };
}

export type NoticeEvent =
  | "password_changed"
  | "password_reset"
  | "google_linked"
  | "password_removed_by_link"
  | "two_factor_enabled"
  | "two_factor_disabled"
  | "recovery_codes_replaced"
  | "passkey_added"
  | "email_change_requested"
  | "email_changed"
  | "account_deleted"
  // An administrator's changes (the operator's console).
  | "account_disabled"
  | "account_enabled"
  | "role_changed"
  | "signed_out_everywhere"
  | "session_ended";

export interface NoticeEmailInput extends MailInput {
  /** APP_URL, for the "what to do" links. */
  appUrl: string;
  event: NoticeEvent;
  at: Date;
  /** "Chrome on macOS", "App (okhttp)"… */
  device: string;
  ip: string | null;
  /** google_linked, password_removed_by_link: the Google account's address. */
  googleEmail?: string;
  /** passkey_added: its name. */
  passkeyName?: string;
  /** email_change_requested, email_changed: the new address. */
  newEmail?: string;
  /** role_changed: the new role's name. */
  role?: string;
  /** The change was an administrator's (the console): the notice says so instead of the operator's device and address. */
  byAdministrator?: boolean;
}

type Advice = keyof (typeof englishMail)["notice"]["advice"];

/** What the owner should do if it was not them, and the page (of APP_URL) where they do it. */
const ADVICE: Record<NoticeEvent, { advice: Advice; page: "/forgot-password" | "/profile" | null }> = {
  password_changed: { advice: "resetNow", page: "/forgot-password" },
  password_reset: { advice: "resetAgain", page: "/forgot-password" },
  google_linked: { advice: "resetAndSignOut", page: "/forgot-password" },
  password_removed_by_link: { advice: "setPassword", page: "/forgot-password" },
  two_factor_enabled: { advice: "resetAndSignOut", page: "/forgot-password" },
  two_factor_disabled: { advice: "resetAndTurnOn", page: "/forgot-password" },
  recovery_codes_replaced: { advice: "resetAndSignOut", page: "/forgot-password" },
  passkey_added: { advice: "removePasskey", page: "/profile" },
  email_change_requested: { advice: "someoneKnows", page: "/forgot-password" },
  email_changed: { advice: "contactSupport", page: null },
  account_deleted: { advice: "someoneSignedIn", page: null },
  account_disabled: { advice: "askSupport", page: null },
  account_enabled: { advice: "askSupport", page: null },
  role_changed: { advice: "askSupport", page: null },
  signed_out_everywhere: { advice: "askSupport", page: null },
  session_ended: { advice: "askSupport", page: null },
};

/** A security notice: what changed, when and from where, and what to do if it was not the owner. */
export async function noticeEmail(input: NoticeEmailInput): Promise<RenderedEmail> {
  const { appName, event, locale } = input;
  const t = await translator(locale, "mail");
  const subject = t(`notice.events.${event}.subject`, { appName });
  const what =
    event === "passkey_added" && !input.passkeyName
      ? t("notice.unnamedPasskey", { appName })
      : t(`notice.events.${event}.what`, {
          appName,
          googleEmail: isolated(locale, input.googleEmail ?? ""),
          passkeyName: isolated(locale, input.passkeyName ?? ""),
          newEmail: isolated(locale, input.newEmail ?? ""),
          role: isolated(locale, input.role ?? ""),
        });
  const when = t("notice.time", { time: formatMoment(locale, input.at) });
  const device = isolated(locale, input.device);
  const from = input.byAdministrator
    ? t("notice.fromAdministrator", { appName })
    : input.ip
      ? t("notice.fromAddress", { device, ip: isolated(locale, input.ip) })
      : device;
  const { advice, page } = ADVICE[event];
  const ifNotYou = t(`notice.advice.${advice}`, { appName });
  const link = page && assertWebLink(`${input.appUrl}${page}`);

  const text = textOf([what, `${t("notice.when")} ${when}\n${t("notice.from")} ${from}`, ifNotYou, ...(link ? [link] : [])]);
  const html = layout(locale, {
    title: subject,
    preheader: what,
    body: [
      heading(subject),
      paragraph(escapeHtml(what)),
      paragraph(
        `<strong>${escapeHtml(t("notice.when"))}</strong> ${escapeHtml(when)}<br><strong>${escapeHtml(t("notice.from"))}</strong> ${escapeHtml(from)}`,
      ),
      footnote(escapeHtml(ifNotYou) + (link ? `<br>${linkTo(link)}` : "")),
    ].join("\n"),
  });
  return { subject, text, html };
}

// ---- HTML building blocks. Arguments named `…Html` are already escaped; the others are escaped here.

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

function layout(locale: Locale, { title, preheader, body }: { title: string; preheader: string; body: string }): string {
  // The preheader is the grey preview line many clients show next to the subject; it is hidden
  // in the opened message. Some clients drop the <html> element's dir: the content's cell says
  // its direction and alignment again.
  const dir = directionOf(locale);
  const align = dir === "rtl" ? "right" : "left";
  return `<!doctype html>
<html lang="${locale}" dir="${dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
</head>
<body dir="${dir}" style="margin:0;padding:0;background:#f1f5f9;">
<div style="display:none;max-height:0;overflow:hidden;">${escapeHtml(preheader)}</div>
<table role="presentation" dir="${dir}" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f1f5f9;">
<tr><td align="center" style="padding:32px 16px;">
<table role="presentation" dir="${dir}" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:520px;background:#ffffff;border-radius:8px;">
<tr><td dir="${dir}" align="${align}" style="padding:32px;${FONT};color:#0f172a;font-size:16px;line-height:24px;direction:${dir};text-align:${align};">
${body}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
`;
}

function heading(text: string): string {
  return `<h1 style="margin:0 0 16px;font-size:22px;line-height:30px;font-weight:600;">${escapeHtml(text)}</h1>`;
}

function paragraph(innerHtml: string): string {
  return `<p style="margin:0 0 16px;">${innerHtml}</p>`;
}

/** Digits read left to right in every language; in a right-to-left mail the code still sits on the right. */
function codeBlock(code: string, locale: Locale): string {
  const align = directionOf(locale) === "rtl" ? "right" : "left";
  return `<p dir="ltr" style="margin:0 0 16px;text-align:${align};font-size:32px;line-height:40px;font-weight:700;letter-spacing:8px;font-family:ui-monospace,Menlo,Consolas,monospace;">${escapeHtml(code)}</p>`;
}

function button(href: string, label: string): string {
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px;">
<tr><td style="border-radius:6px;background:#4f46e5;">
<a href="${escapeHtml(href)}" style="display:inline-block;padding:12px 20px;${FONT};font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;">${escapeHtml(label)}</a>
</td></tr>
</table>`;
}

/** A URL shown as text: left to right, whatever the mail's direction. */
function linkTo(href: string): string {
  const h = escapeHtml(href);
  return `<a href="${h}" dir="ltr" style="color:#4f46e5;word-break:break-all;">${h}</a>`;
}

/** For clients that don't render the button, and for copying. */
function fallbackLink(href: string, intro: string): string {
  return `<p style="margin:0 0 16px;font-size:13px;line-height:20px;color:#475569;word-break:break-all;">${escapeHtml(intro)}<br>${linkTo(href)}</p>`;
}

function footnote(innerHtml: string): string {
  return `<p style="margin:24px 0 0;font-size:13px;line-height:20px;color:#64748b;">${innerHtml}</p>`;
}
