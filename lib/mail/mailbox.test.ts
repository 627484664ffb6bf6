import { describe, expect, it } from "vitest";
import { emailChangeEmail, noticeEmail, passwordResetEmail, reauthenticationEmail, verificationEmail } from "./templates";
import { codeAndLinkOf, linksIn } from "./mailbox";
import { LOCALES } from "@/lib/i18n/locales";

describe("codeAndLinkOf", () => {
  it("reads the code and the link, each on a line of its own", () => {
    const text = "Your code:\n\n  0217  \n\nOr open this link:\n\nhttp://localhost:3000/confirm?token=abc_-1\n\nBye 2024.\n";
    expect(codeAndLinkOf(text)).toEqual({ code: "0217", link: "http://localhost:3000/confirm?token=abc_-1" });
  });

  it("leaves the punctuation after a link in running text out of it", () => {
    for (const [text, link] of [
      ["Reset it at https://auth.example/forgot-password.", "https://auth.example/forgot-password"],
      ["now at https://auth.example/forgot-password: a reset", "https://auth.example/forgot-password"],
      ["on your account page (https://auth.example/profile), then", "https://auth.example/profile"],
      ["see http://a.example/x?token=t1; or!", "http://a.example/x?token=t1"],
      ["Really https://a.example/?", "https://a.example/"],
    ]) {
      expect(codeAndLinkOf(text!).link, text).toBe(link);
    }
  });

  it("is null for what the text does not have", () => {
    expect(codeAndLinkOf("Your password was changed in 2024. Code 1234 is not on a line of its own.")).toEqual({ code: null, link: null });
    expect(codeAndLinkOf("")).toEqual({ code: null, link: null });
  });

  it("takes the first of several", () => {
    expect(codeAndLinkOf("123456\n654321\nhttp://a.example/1 http://a.example/2")).toEqual({ code: "123456", link: "http://a.example/1" });
  });

  it("finds every link of a line, where each starts", () => {
    expect(linksIn("a http://x.example/1, b https://y.example/2.")).toEqual([
      { link: "http://x.example/1", index: 2 },
      { link: "https://y.example/2", index: 24 },
    ]);
  });

  it.each(LOCALES)("reads the service's own mails in %s", async (locale) => {
    const verification = await verificationEmail({ appName: "Auth", locale, code: "4821", link: "http://localhost:3000/confirm?token=tok1", expiresInMinutes: 15, linkExpiresInHours: 24 });
    expect(codeAndLinkOf(verification.text)).toEqual({ code: "4821", link: "http://localhost:3000/confirm?token=tok1" });
    const reset = await passwordResetEmail({ appName: "Auth", locale, link: "http://localhost:3000/reset-password?token=tok2", expiresInMinutes: 60 });
    expect(codeAndLinkOf(reset.text)).toEqual({ code: null, link: "http://localhost:3000/reset-password?token=tok2" });
    const change = await emailChangeEmail({ appName: "Auth", locale, link: "http://localhost:3000/confirm-email?token=tok3", newEmail: "b@example.com", expiresInHours: 24 });
    expect(codeAndLinkOf(change.text)).toEqual({ code: null, link: "http://localhost:3000/confirm-email?token=tok3" });
    const reauthentication = await reauthenticationEmail({ appName: "Auth", locale, code: "730194", expiresInMinutes: 10 });
    expect(codeAndLinkOf(reauthentication.text)).toEqual({ code: "730194", link: null });
    const notice = await noticeEmail({ appName: "Auth", locale, appUrl: "http://localhost:3000", event: "password_changed", at: new Date(), device: "curl", ip: "127.0.0.1" });
    expect(codeAndLinkOf(notice.text)).toEqual({ code: null, link: "http://localhost:3000/forgot-password" });
  });
});
