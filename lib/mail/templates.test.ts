import { describe, expect, it } from "vitest";
import { escapeHtml, formatDuration, passwordResetEmail, verificationEmail } from "./templates";

const APP_URL = "http://localhost:3000";
const verifyLink = `${APP_URL}/confirm?token=abc_DEF-123`;
const resetLink = `${APP_URL}/reset-password?token=xyz_987-QRS`;

const verification = (overrides: Partial<Parameters<typeof verificationEmail>[0]> = {}) =>
  verificationEmail({
    appName: "Acme",
    code: "4821",
    link: verifyLink,
    expiresInMinutes: 10,
    linkExpiresInHours: 24,
    ...overrides,
  });

const lines = (text: string) => text.split("\n");

describe("escapeHtml", () => {
  it("escapes the five characters that matter in content and attributes", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });
});

describe("formatDuration", () => {
  it("uses hours for whole hours and singular for one", () => {
    expect(formatDuration(10)).toBe("10 minutes");
    expect(formatDuration(1)).toBe("1 minute");
    expect(formatDuration(60)).toBe("1 hour");
    expect(formatDuration(24 * 60)).toBe("24 hours");
    expect(formatDuration(90)).toBe("90 minutes");
  });
});

describe("verificationEmail", () => {
  it("says what it is in the subject", () => {
    expect(verification().subject).toBe("Verify your e-mail address for Acme");
  });

  it("puts the code and the link on lines of their own in the text part", () => {
    const { text } = verification();
    expect(lines(text)).toContain("4821");
    expect(lines(text)).toContain(verifyLink);
    // The code is the first number in the text, so a simple pattern finds it.
    expect(text.match(/\b\d{4}\b/)?.[0]).toBe("4821");
    expect(text.match(new RegExp(`^${APP_URL}/confirm\\?token=(\\S+)$`, "m"))?.[1]).toBe("abc_DEF-123");
  });

  it("states both lifetimes and what to do if it was not you", () => {
    for (const part of [verification().text, verification().html]) {
      expect(part).toContain("10 minutes");
      expect(part).toContain("24 hours");
      expect(part).toMatch(/If you didn(’|'|&#39;)t sign up for Acme/);
    }
  });

  it("shows the code large and spaced, and links the button to the confirmation page", () => {
    const { html } = verification();
    expect(html).toMatch(/letter-spacing:\s*\d+px[^>]*>4821</);
    expect(html).toContain(`href="${verifyLink}"`);
    expect(html).toContain("Verify e-mail address");
  });

  it("escapes every interpolated value in the HTML", () => {
    const { html, subject, text } = verification({
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

  it("refuses a link that is not http(s)", () => {
    expect(() => verification({ link: "javascript:alert(1)" })).toThrow(/http/);
  });
});

describe("passwordResetEmail", () => {
  const reset = () => passwordResetEmail({ appName: "Acme", link: resetLink, expiresInMinutes: 60 });

  it("carries the link on a line of its own and in the button", () => {
    const { subject, text, html } = reset();
    expect(subject).toBe("Reset your Acme password");
    expect(lines(text)).toContain(resetLink);
    expect(text.match(new RegExp(`^${APP_URL}/reset-password\\?token=(\\S+)$`, "m"))?.[1]).toBe("xyz_987-QRS");
    expect(html).toContain(`href="${resetLink}"`);
  });

  it("states the lifetime and that ignoring it changes nothing", () => {
    for (const part of [reset().text, reset().html]) {
      expect(part).toContain("1 hour");
      expect(part).toMatch(/If you didn(’|'|&#39;)t ask for this/);
      expect(part).toContain("your password stays as it is");
    }
  });

  it("escapes the app name in the HTML", () => {
    const { html } = passwordResetEmail({ appName: "A & <B>", link: resetLink, expiresInMinutes: 60 });
    expect(html).toContain("A &amp; &lt;B&gt;");
    expect(html).not.toContain("<B>");
  });
});
