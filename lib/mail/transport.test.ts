import MailComposer from "nodemailer/lib/mail-composer";
import { describe, expect, it } from "vitest";
import { devMailboxEnabled, messageOf, smtpOptions } from "./transport";

describe("smtpOptions", () => {
  it("requires STARTTLS in production for a plain relay on another host, whatever the URL says", () => {
    expect(smtpOptions("smtp://user:pass@mail.example.test:587", true)).toMatchObject({ requireTLS: true, ignoreTLS: false, host: "mail.example.test", port: 587 });
    expect(smtpOptions("smtp://mail.example.test:587?requireTLS=false&ignoreTLS=true", true)).toMatchObject({ requireTLS: true, ignoreTLS: false });
  });

  it("leaves smtps:// (TLS from the start) and a relay on this host as they are", () => {
    expect(smtpOptions("smtps://mail.example.test:465", true)).toMatchObject({ secure: true });
    expect(smtpOptions("smtps://mail.example.test:465", true).requireTLS).toBeUndefined();
    expect(smtpOptions("smtp://127.0.0.1:2525", true).requireTLS).toBeUndefined();
    expect(smtpOptions("smtp://localhost:25", true).requireTLS).toBeUndefined();
  });

  it("does not insist outside production, and keeps the pool's timeouts", () => {
    expect(smtpOptions("smtp://mail.example.test:25", false).requireTLS).toBeUndefined();
    expect(smtpOptions("smtp://mail.example.test:25", false)).toMatchObject({ pool: true, connectionTimeout: 10_000, socketTimeout: 20_000 });
  });
});

describe("devMailboxEnabled", () => {
  it("is on only in development without SMTP_URL: it would hand anyone every code and link", () => {
    expect(devMailboxEnabled({ nodeEnv: "development", smtpUrl: undefined })).toBe(true);
    expect(devMailboxEnabled({ nodeEnv: "development", smtpUrl: "smtp://127.0.0.1:25" })).toBe(false);
    expect(devMailboxEnabled({ nodeEnv: "test", smtpUrl: undefined })).toBe(false);
    expect(devMailboxEnabled({ nodeEnv: "production", smtpUrl: undefined })).toBe(false);
  });
});

describe("messageOf", () => {
  const compose = (text: string, html: string) =>
    new Promise<string>((resolve, reject) =>
      new MailComposer(messageOf({ to: "ada@example.com", subject: "Код", text, html }, "no-reply@auth.test")).compile().build((error, message) => (error ? reject(error) : resolve(message.toString()))),
    );

  it("sends both parts quoted-printable, whatever their script (nodemailer is not left to count letters)", async () => {
    const cyrillic = "Ваш код подтверждения: 123456. ".repeat(20);
    const raw = await compose(cyrillic, `<p>${cyrillic}</p>`);
    const encodings = [...raw.matchAll(/^Content-Transfer-Encoding: (.+)$/gim)].map((m) => m[1]!.trim());
    expect(encodings).toEqual(["quoted-printable", "quoted-printable"]);
    expect(raw).toMatch(/^Auto-Submitted: auto-generated$/m);
  });

  it("keeps an English message readable and its code intact", async () => {
    const raw = await compose("Your code is 123456.", `<p style="font-family: system-ui, sans-serif; color: #111">Your code is <strong>123456</strong>.</p>`.repeat(3));
    expect(raw).toContain("Your code is 123456.");
    expect(raw).toMatch(/Content-Type: text\/html/);
  });
});
