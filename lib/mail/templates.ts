/**
 * The e-mails the service sends, as pure functions of their inputs: `{ subject, text, html }`.
 *
 * Every message has a plain-text part with the same content as the HTML part: some clients show
 * only text, and tests (and people) read the code and the link out of it. In the text part the
 * code and the link each stand on a line of their own, so they can be copied, and found by a
 * pattern, without picking up surrounding words. The code is the first number in the text.
 *
 * The HTML is deliberately old-fashioned (tables, inline styles, no external assets): that is
 * what renders the same in Outlook, Gmail and Apple Mail. Every interpolated value is escaped.
 */

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
}

export interface VerificationEmailInput {
  appName: string;
  /** The short code to type in on the verification page. */
  code: string;
  /** APP_URL/confirm?token=… — verifies the same account as the code. */
  link: string;
  /** Lifetime of the code. */
  expiresInMinutes: number;
  /** Lifetime of the link. */
  linkExpiresInHours: number;
}

export interface PasswordResetEmailInput {
  appName: string;
  /** APP_URL/reset-password?token=… */
  link: string;
  expiresInMinutes: number;
  /** The account has no password yet (it signs in with Google): the link sets its first one. */
  firstPassword?: boolean;
}

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

/** "1 minute", "10 minutes", "1 hour", "24 hours". */
export function formatDuration(minutes: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (minutes >= 60 && minutes % 60 === 0) return plural(minutes / 60, "hour");
  return plural(minutes, "minute");
}

/**
 * Links are built by the service from APP_URL, never from user input; refusing anything but
 * http(s) still keeps a bug elsewhere from putting a `javascript:` URL into a button.
 */
function assertWebLink(link: string): string {
  if (!/^https?:\/\//i.test(link)) throw new Error("E-mail links must be absolute http(s) URLs");
  return link;
}

export function verificationEmail(input: VerificationEmailInput): RenderedEmail {
  const { appName, code } = input;
  const link = assertWebLink(input.link);
  const codeLifetime = formatDuration(input.expiresInMinutes);
  const linkLifetime = formatDuration(input.linkExpiresInHours * 60);
  const subject = `Verify your e-mail address for ${appName}`;

  const text = [
    "Your verification code is:",
    "",
    code,
    "",
    `Enter it on the ${appName} verification page to confirm your e-mail address. The code expires in ${codeLifetime}.`,
    "",
    `Or open this link to confirm your e-mail address (it works for ${linkLifetime}):`,
    "",
    link,
    "",
    `If you didn't sign up for ${appName}, you can ignore this e-mail: no account will be verified.`,
    "",
  ].join("\n");

  const html = layout({
    title: subject,
    preheader: `Your verification code is ${code}`,
    body: [
      heading(`Confirm your e-mail address`),
      paragraph(`Enter this code on the ${escapeHtml(appName)} verification page:`),
      codeBlock(code),
      paragraph(`The code expires in ${escapeHtml(codeLifetime)}.`),
      paragraph(`Or confirm with one click (the link works for ${escapeHtml(linkLifetime)}):`),
      button(link, "Verify e-mail address"),
      fallbackLink(link),
      footnote(`If you didn't sign up for ${escapeHtml(appName)}, you can ignore this e-mail: no account will be verified.`),
    ].join("\n"),
  });

  return { subject, text, html };
}

export function passwordResetEmail(input: PasswordResetEmailInput): RenderedEmail {
  const { appName } = input;
  const link = assertWebLink(input.link);
  const lifetime = formatDuration(input.expiresInMinutes);
  const subject = input.firstPassword ? `Set a password for your ${appName} account` : `Reset your ${appName} password`;
  const asked = input.firstPassword
    ? `Someone asked to set a password for your ${appName} account, which signs in with Google so far.`
    : `Someone asked to reset the password of your ${appName} account.`;
  const ignore = input.firstPassword
    ? "If you didn't ask for this, you can ignore this e-mail: your account stays as it is."
    : "If you didn't ask for this, you can ignore this e-mail: your password stays as it is.";

  const text = [asked, "", `Open this link to choose a new password (it works for ${lifetime}, once):`, "", link, "", ignore, ""].join("\n");

  const html = layout({
    title: subject,
    preheader: `Choose a new password for your ${appName} account`,
    body: [
      heading(input.firstPassword ? "Set a password" : "Reset your password"),
      paragraph(escapeHtml(asked)),
      paragraph(`Choose a new password with this link. It works for ${escapeHtml(lifetime)}, once.`),
      button(link, "Choose a new password"),
      fallbackLink(link),
      footnote(escapeHtml(ignore)),
    ].join("\n"),
  });

  return { subject, text, html };
}

export interface EmailChangeEmailInput {
  appName: string;
  /** APP_URL/confirm-email?token=… */
  link: string;
  newEmail: string;
  expiresInHours: number;
}

/** To the new address of an e-mail change: the link that makes it the account's. */
export function emailChangeEmail(input: EmailChangeEmailInput): RenderedEmail {
  const { appName } = input;
  const link = assertWebLink(input.link);
  const lifetime = formatDuration(input.expiresInHours * 60);
  const subject = `Confirm your new e-mail address for ${appName}`;
  const asked = `Someone asked to make ${input.newEmail} the e-mail address of their ${appName} account.`;
  const ignore = "If you didn't ask for this, you can ignore this e-mail: nothing changes.";
  const text = [asked, "", `Open this link to confirm it (it works for ${lifetime}, once):`, "", link, "", ignore, ""].join("\n");
  const html = layout({
    title: subject,
    preheader: `Confirm ${input.newEmail} for your ${appName} account`,
    body: [
      heading("Confirm your new e-mail address"),
      paragraph(escapeHtml(asked)),
      paragraph(`Confirm it with this link. It works for ${escapeHtml(lifetime)}, once.`),
      button(link, "Confirm e-mail address"),
      fallbackLink(link),
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
  | "account_deleted";

export interface NoticeEmailInput {
  appName: string;
  /** APP_URL, for the "what to do" links. */
  appUrl: string;
  event: NoticeEvent;
  at: Date;
  /** "Chrome on macOS", "App (okhttp)"… */
  device: string;
  ip: string | null;
  /** google_linked: the Google account's address. */
  googleEmail?: string;
  /** passkey_added: its name. */
  passkeyName?: string;
  /** email_change_requested, email_changed: the new address. */
  newEmail?: string;
}

const NOTICES: Record<NoticeEvent, { subject: (app: string) => string; what: (i: NoticeEmailInput) => string; ifNotYou: (i: NoticeEmailInput) => string }> = {
  password_changed: {
    subject: (app) => `Your ${app} password was changed`,
    what: (i) => `The password of your ${i.appName} account was changed. Every other device was signed out.`,
    ifNotYou: (i) => `If you didn't change it, reset your password now at ${i.appUrl}/forgot-password: a reset signs out every device.`,
  },
  password_reset: {
    subject: (app) => `Your ${app} password was reset`,
    what: (i) => `The password of your ${i.appName} account was reset with a link sent to this address. Every device was signed out.`,
    ifNotYou: (i) =>
      `If you didn't reset it, someone can read your e-mail: secure your mailbox first, then reset your password again at ${i.appUrl}/forgot-password.`,
  },
  google_linked: {
    subject: (app) => `Google sign-in was added to your ${app} account`,
    what: (i) => `Your ${i.appName} account can now be signed in to with the Google account ${i.googleEmail ?? ""}.`.replace(" .", "."),
    ifNotYou: (i) => `If this wasn't you, reset your password at ${i.appUrl}/forgot-password and sign out of every device on your account page.`,
  },
  password_removed_by_link: {
    subject: (app) => `Your ${app} account is now confirmed through Google`,
    what: (i) =>
      `You signed in with the Google account ${i.googleEmail ?? ""}, which confirmed this address. The account already had a password, set before anyone had confirmed the address. ` +
      "Since that password never proved who set it, it was removed and every other session was ended.",
    ifNotYou: (i) => `To sign in with a password as well, choose one with a reset link from ${i.appUrl}/forgot-password.`,
  },
  two_factor_enabled: {
    subject: (app) => `Two-factor authentication is on for your ${app} account`,
    what: (i) => `Two-factor authentication was turned on for your ${i.appName} account: signing in now also asks for a code from your authenticator app.`,
    ifNotYou: (i) => `If this wasn't you, reset your password at ${i.appUrl}/forgot-password and sign out of every device on your account page.`,
  },
  two_factor_disabled: {
    subject: (app) => `Two-factor authentication is off for your ${app} account`,
    what: (i) => `Two-factor authentication was turned off for your ${i.appName} account: signing in no longer asks for a code.`,
    ifNotYou: (i) => `If this wasn't you, reset your password at ${i.appUrl}/forgot-password, then turn two-factor authentication on again.`,
  },
  recovery_codes_replaced: {
    subject: (app) => `New recovery codes for your ${app} account`,
    what: (i) => `New two-factor recovery codes were made for your ${i.appName} account; the earlier ones no longer work.`,
    ifNotYou: (i) => `If this wasn't you, reset your password at ${i.appUrl}/forgot-password and sign out of every device on your account page.`,
  },
  passkey_added: {
    subject: (app) => `A passkey was added to your ${app} account`,
    what: (i) => `A passkey${i.passkeyName ? ` named "${i.passkeyName}"` : ""} was added to your ${i.appName} account; it can sign in without a password.`,
    ifNotYou: (i) => `If this wasn't you, remove it on your account page (${i.appUrl}/profile), reset your password and sign out of every device.`,
  },
  email_change_requested: {
    subject: (app) => `A change of your ${app} e-mail address was asked for`,
    what: (i) => `Someone asked to change the e-mail address of your ${i.appName} account to ${i.newEmail ?? "another address"}. Nothing changes unless the link sent to that address is opened.`,
    ifNotYou: (i) => `If this wasn't you, reset your password now at ${i.appUrl}/forgot-password: someone knows it.`,
  },
  email_changed: {
    subject: (app) => `The e-mail address of your ${app} account was changed`,
    what: (i) => `The e-mail address of your ${i.appName} account is now ${i.newEmail ?? "another address"}; this address no longer signs in. Every other device was signed out.`,
    ifNotYou: (i) => `If this wasn't you, contact ${i.appName}'s support at once and keep this e-mail.`,
  },
  account_deleted: {
    subject: (app) => `Your ${app} account was deleted`,
    what: (i) => `Your ${i.appName} account and its personal data were deleted. This address may sign up again.`,
    ifNotYou: (i) => `If this wasn't you, contact ${i.appName}'s support and keep this e-mail; someone signed in as you.`,
  },
};

/** A security notice: what changed, when and from where, and what to do if it was not the owner. */
export function noticeEmail(input: NoticeEmailInput): RenderedEmail {
  const notice = NOTICES[input.event];
  const subject = notice.subject(input.appName);
  const when = `${input.at.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const from = input.ip ? `${input.device}, address ${input.ip}` : input.device;
  const what = notice.what(input);
  const ifNotYou = notice.ifNotYou(input);

  const text = [what, "", `When: ${when}`, `From: ${from}`, "", ifNotYou, ""].join("\n");
  const html = layout({
    title: subject,
    preheader: what,
    body: [
      heading(subject),
      paragraph(escapeHtml(what)),
      paragraph(`<strong>When:</strong> ${escapeHtml(when)}<br><strong>From:</strong> ${escapeHtml(from)}`),
      footnote(escapeHtml(ifNotYou)),
    ].join("\n"),
  });
  return { subject, text, html };
}

// ---- HTML building blocks. Arguments named `…Html` are already escaped; the others are escaped here.

const FONT = "font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif";

function layout({ title, preheader, body }: { title: string; preheader: string; body: string }): string {
  // The preheader is the grey preview line many clients show next to the subject; it is hidden
  // in the opened message.
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
</head>
<body style="margin:0;padding:0;background:#f1f5f9;">
<div style="display:none;max-height:0;overflow:hidden;">${escapeHtml(preheader)}</div>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background:#f1f5f9;">
<tr><td align="center" style="padding:32px 16px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:520px;background:#ffffff;border-radius:8px;">
<tr><td style="padding:32px;${FONT};color:#0f172a;font-size:16px;line-height:24px;">
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

function codeBlock(code: string): string {
  return `<p style="margin:0 0 16px;font-size:32px;line-height:40px;font-weight:700;letter-spacing:8px;font-family:ui-monospace,Menlo,Consolas,monospace;">${escapeHtml(code)}</p>`;
}

function button(href: string, label: string): string {
  return `<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:0 0 16px;">
<tr><td style="border-radius:6px;background:#4f46e5;">
<a href="${escapeHtml(href)}" style="display:inline-block;padding:12px 20px;${FONT};font-size:16px;font-weight:600;color:#ffffff;text-decoration:none;border-radius:6px;">${escapeHtml(label)}</a>
</td></tr>
</table>`;
}

/** For clients that don't render the button, and for copying. */
function fallbackLink(href: string): string {
  const h = escapeHtml(href);
  return `<p style="margin:0 0 16px;font-size:13px;line-height:20px;color:#475569;word-break:break-all;">If the button doesn't work, copy this address into your browser:<br><a href="${h}" style="color:#4f46e5;">${h}</a></p>`;
}

function footnote(innerHtml: string): string {
  return `<p style="margin:24px 0 0;font-size:13px;line-height:20px;color:#64748b;">${innerHtml}</p>`;
}

export interface ReauthenticationEmailInput {
  appName: string;
  code: string;
  expiresInMinutes: number;
}

/** The code that confirms it's the owner before a sensitive change (an account without a password). */
export function reauthenticationEmail(input: ReauthenticationEmailInput): RenderedEmail {
  const { appName, code } = input;
  const lifetime = formatDuration(input.expiresInMinutes);
  const subject = `Your ${appName} confirmation code`;
  const asked = `You asked to confirm it's you before changing your ${appName} account.`;
  const ignore = `If that wasn't you, someone may be signed in to your account: sign out of all devices in your ${appName} account settings.`;
  const text = ["Your confirmation code is:", "", code, "", `${asked} The code expires in ${lifetime}.`, "", ignore, ""].join("\n");
  const html = layout({
    title: subject,
    preheader: `Your confirmation code is ${code}`,
    body: [
      heading("Confirm it's you"),
      paragraph(escapeHtml(asked)),
      codeBlock(code),
      paragraph(`The code expires in ${escapeHtml(lifetime)}.`),
      footnote(escapeHtml(ignore)),
    ].join("\n"),
  });
  return { subject, text, html };
}
