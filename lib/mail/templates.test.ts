import { describe, expect, it } from "vitest";
import { LOCALES, type Locale } from "@/lib/i18n/locales";
import { codeAndLinkOf } from "./mailbox";
import {
  emailChangeEmail,
  escapeHtml,
  noticeEmail,
  passwordResetEmail,
  reauthenticationEmail,
  verificationEmail,
  type NoticeEvent,
  type RenderedEmail,
} from "./templates";

const APP_URL = "http://localhost:3000";
const verifyLink = `${APP_URL}/confirm?token=abc_DEF-123`;
const resetLink = `${APP_URL}/reset-password?token=xyz_987-QRS`;
const changeLink = `${APP_URL}/confirm-email?token=chg_456`;
const AT = new Date("2026-03-14T15:09:26Z");

const verification = (overrides: Partial<Parameters<typeof verificationEmail>[0]> = {}) =>
  verificationEmail({
    appName: "Acme",
    locale: "en",
    code: "4821",
    link: verifyLink,
    expiresInMinutes: 10,
    linkExpiresInHours: 24,
    ...overrides,
  });

const reset = (locale: Locale = "en", firstPassword = false) =>
  passwordResetEmail({ appName: "Acme", locale, link: resetLink, expiresInMinutes: 60, firstPassword });

const notice = (locale: Locale, event: NoticeEvent, overrides: Partial<Parameters<typeof noticeEmail>[0]> = {}) =>
  noticeEmail({
    appName: "Acme",
    locale,
    appUrl: APP_URL,
    event,
    at: AT,
    device: "Firefox on Linux",
    ip: "203.0.113.7",
    googleEmail: "ada@gmail.com",
    passkeyName: "Laptop",
    newEmail: "new@example.com",
    role: "employer",
    ...overrides,
  });

const NOTICE_EVENTS: NoticeEvent[] = [
  "password_changed",
  "password_reset",
  "google_linked",
  "password_removed_by_link",
  "two_factor_enabled",
  "two_factor_disabled",
  "recovery_codes_replaced",
  "passkey_added",
  "email_change_requested",
  "email_changed",
  "account_deleted",
  "account_disabled",
  "account_enabled",
  "role_changed",
  "signed_out_everywhere",
  "session_ended",
];

const NOTICES_WITHOUT_LINK: NoticeEvent[] = ["email_changed", "account_deleted", "account_disabled", "account_enabled", "role_changed", "signed_out_everywhere", "session_ended"];

/** Every mail the service sends, in `locale`, with the code and the link a reader must find in it. */
async function everyMail(locale: Locale): Promise<Array<{ name: string; mail: RenderedEmail; code: string | null; link: string | null }>> {
  return [
    { name: "verification", mail: await verification({ locale }), code: "4821", link: verifyLink },
    { name: "password reset", mail: await reset(locale), code: null, link: resetLink },
    { name: "first password", mail: await reset(locale, true), code: null, link: resetLink },
    {
      name: "e-mail change",
      mail: await emailChangeEmail({ appName: "Acme", locale, link: changeLink, newEmail: "new@example.com", expiresInHours: 24 }),
      code: null,
      link: changeLink,
    },
    { name: "reauthentication", mail: await reauthenticationEmail({ appName: "Acme", locale, code: "730194", expiresInMinutes: 10 }), code: "730194", link: null },
    ...(await Promise.all(
      NOTICE_EVENTS.map(async (event) => {
        const page = event === "passkey_added" ? "/profile" : NOTICES_WITHOUT_LINK.includes(event) ? null : "/forgot-password";
        return { name: `notice ${event}`, mail: await notice(locale, event), code: null, link: page && `${APP_URL}${page}` };
      }),
    )),
  ];
}

const lines = (text: string) => text.split("\n");

describe("escapeHtml", () => {
  it("escapes the five characters that matter in content and attributes", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  });
});

describe("verificationEmail", () => {
  it("says what it is in the subject", async () => {
    expect((await verification()).subject).toBe("Verify your e-mail address for Acme");
  });

  it("puts the code and the link on lines of their own in the text part", async () => {
    const { text } = await verification();
    expect(lines(text)).toContain("4821");
    expect(lines(text)).toContain(verifyLink);
    // The code is the first number in the text, so a simple pattern finds it.
    expect(text.match(/\b\d{4}\b/)?.[0]).toBe("4821");
    expect(text.match(new RegExp(`^${APP_URL}/confirm\\?token=(\\S+)$`, "m"))?.[1]).toBe("abc_DEF-123");
  });

  it("states both lifetimes and what to do if it was not you", async () => {
    const { text, html } = await verification();
    for (const part of [text, html]) {
      expect(part).toContain("10 minutes");
      expect(part).toContain("24 hours");
      expect(part).toMatch(/If you didn(’|'|&#39;)t sign up for Acme/);
    }
  });

  it("shows the code large and spaced, and links the button to the confirmation page", async () => {
    const { html } = await verification();
    expect(html).toMatch(/letter-spacing:\s*\d+px[^>]*>4821</);
    expect(html).toContain(`href="${verifyLink}"`);
    expect(html).toContain("Confirm e-mail address");
    expect(html).toContain('<html lang="en" dir="ltr">');
  });

  it("escapes every interpolated value in the HTML", async () => {
    const { html, subject, text } = await verification({
      appName: `<script>alert("x")</script>`,
      code: "<b>1</b>",
      link: `${APP_URL}/confirm?token=a&b="c"`,
    });
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<b>1</b>");
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain(`href="${APP_URL}/confirm?token=a&amp;b=&quot;c&quot;"`);
    // The text part and the subject are not HTML: they carry the values as they are.
    expect(subject).toContain(`<script>alert("x")</script>`);
    expect(lines(text)).toContain("<b>1</b>");
  });

  it("refuses a link that is not http(s)", async () => {
    await expect(verification({ link: "javascript:alert(1)" })).rejects.toThrow(/http/);
  });

  it("speaks German", async () => {
    const { subject, text, html } = await verification({ locale: "de" });
    expect(subject).toBe("Bestätigen Sie Ihre E-Mail-Adresse für Acme");
    expect(codeAndLinkOf(text)).toEqual({ code: "4821", link: verifyLink });
    expect(text).toContain("Er gilt 10 Minuten lang.");
    expect(text).toContain("Er gilt 24 Stunden lang:");
    expect(html).toContain('<html lang="de" dir="ltr">');
    expect(html).toContain(">E-Mail-Adresse bestätigen</a>");
    expect(html).toMatch(/letter-spacing:\s*\d+px[^>]*>4821</);
  });

  it("speaks Arabic, right to left, with the code and the link still left to right", async () => {
    const { subject, text, html } = await verification({ locale: "ar" });
    expect(subject).toBe("أكّد عنوان بريدك الإلكتروني في Acme");
    expect(codeAndLinkOf(text)).toEqual({ code: "4821", link: verifyLink });
    expect(text).toContain("لمدة 10 دقائق.");
    expect(text).toContain("لمدة 24 ساعة:");
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toMatch(/direction:rtl;text-align:right;/);
    expect(html).toMatch(/<p dir="ltr" style="[^"]*text-align:right;[^"]*">4821</);
    expect(html).toContain(`<a href="${verifyLink}" dir="ltr"`);
    expect(html).toContain(">تأكيد عنوان البريد الإلكتروني</a>");
  });
});

describe("passwordResetEmail", () => {
  it("carries the link on a line of its own and in the button", async () => {
    const { subject, text, html } = await reset();
    expect(subject).toBe("Reset your Acme password");
    expect(lines(text)).toContain(resetLink);
    expect(text.match(new RegExp(`^${APP_URL}/reset-password\\?token=(\\S+)$`, "m"))?.[1]).toBe("xyz_987-QRS");
    expect(html).toContain(`href="${resetLink}"`);
  });

  it("states the lifetime and that ignoring it changes nothing", async () => {
    const { text, html } = await reset();
    for (const part of [text, html]) {
      expect(part).toContain("1 hour");
      expect(part).toMatch(/If you didn(’|'|&#39;)t ask for this/);
      expect(part).toContain("your password stays as it is");
    }
  });

  it("sets a first password for an account that signs in with Google", async () => {
    const { subject, text } = await reset("en", true);
    expect(subject).toBe("Set a password for your Acme account");
    expect(text).toContain("So far it signs in with Google.");
  });

  it("says one hour in each language's own words", async () => {
    expect((await reset("de")).text).toContain("1 Stunde");
    expect((await reset("fr")).text).toContain("1 heure");
    expect((await reset("ar")).text).toContain("ساعة واحدة");
  });

  it("escapes the app name in the HTML", async () => {
    const { html } = await passwordResetEmail({ appName: "A & <B>", locale: "en", link: resetLink, expiresInMinutes: 60 });
    expect(html).toContain("A &amp; &lt;B&gt;");
    expect(html).not.toContain("<B>");
  });
});

describe("noticeEmail", () => {
  it("says when, in the language's own format and in UTC, and from where", async () => {
    expect((await notice("en", "password_changed")).text).toContain("When: March 14, 2026 at 3:09 PM (UTC)\nFrom: Firefox on Linux, IP address 203.0.113.7\n");
    expect((await notice("de", "password_changed")).text).toContain("Wann: 14. März 2026 um 15:09 (UTC)\nVon: Firefox on Linux, IP-Adresse 203.0.113.7\n");
    expect((await notice("ar", "password_changed")).text).toMatch(/^الوقت: .+ بتوقيت UTC$/m);
  });

  it("isolates what reads left to right inside Arabic, so its parentheses stay its own", async () => {
    const { text } = await notice("ar", "email_changed", { device: "App (curl)" });
    expect(text).toContain("من: \u2068App (curl)\u2069، عنوان IP \u2068203.0.113.7\u2069");
    expect(text).toContain("\u2068new@example.com\u2069");
    expect((await notice("en", "email_changed", { device: "App (curl)" })).text).not.toMatch(/[\u2068\u2069]/);
  });

  it("puts the page to go to on a line of its own, after the advice", async () => {
    const { text, html } = await notice("en", "password_changed");
    expect(text.trimEnd().split("\n").slice(-3)).toEqual([
      "If you didn’t change it, reset your password now with this page. A reset signs out every device:",
      "",
      `${APP_URL}/forgot-password`,
    ]);
    expect(html).toContain(`<a href="${APP_URL}/forgot-password" dir="ltr"`);
  });

  it("names the passkey when it has a name", async () => {
    expect((await notice("en", "passkey_added")).text).toContain("A passkey named “Laptop” was added");
    expect((await notice("en", "passkey_added", { passkeyName: undefined })).text).toContain("A passkey was added to your Acme account.");
  });

  it("leaves the address out when the client's is unknown", async () => {
    expect((await notice("en", "password_changed", { ip: null })).text).toContain("From: Firefox on Linux\n");
  });
});

describe("every mail in every language", () => {
  it.each(LOCALES)("%s: worded, code and link findable, each on a line of its own, no link followed by punctuation", async (locale) => {
    for (const { name, mail, code, link } of await everyMail(locale)) {
      const where = `${locale} ${name}`;
      // A missing message would show its key ("mail.verification.subject").
      for (const part of [mail.subject, mail.text]) expect(part, where).not.toMatch(/\bmail\.\w+\.\w/);
      expect(codeAndLinkOf(mail.text), where).toEqual({ code, link });
      if (code) expect(lines(mail.text), where).toContain(code);
      for (const url of mail.text.match(/https?:\/\/\S+/g) ?? []) {
        // Every link stands alone on its line: nothing, not even a full stop, follows it.
        expect(lines(mail.text), where).toContain(url);
        expect(url, where).not.toMatch(/[.,;:!?)\]'"’”»،。]$/);
      }
      expect(mail.html, where).toContain(`<html lang="${locale}" dir="${locale === "ar" ? "rtl" : "ltr"}">`);
      if (link) expect(mail.html, where).toContain(`href="${link}"`);
    }
  });
});
