import { describe, expect, it } from "vitest";
import { api } from "./client";
import { codeIn, confirmTokenIn, STRONG_PASSWORD, uniqueEmail, waitForMail } from "./helpers";

/**
 * The mail speaks the language of the request that caused it (the account has none of its own at
 * sign-up): Accept-Language de gets German, ar Arabic, right to left. The JSON answers do not
 * translate: their strings are the API's documented contract, byte for byte.
 */

const signUp = (email: string, acceptLanguage?: string) =>
  api("POST", "/auth/", {
    json: { name: "Ada", dob: "1990-01-12", email, password: STRONG_PASSWORD, mobile: "76765757" },
    headers: acceptLanguage ? { "accept-language": acceptLanguage } : {},
  });
const register = (email: string, acceptLanguage?: string) =>
  api("POST", "/auth/register/", { json: { email, password: STRONG_PASSWORD }, headers: acceptLanguage ? { "accept-language": acceptLanguage } : {} });

const SIGNED_UP = { success: true, errors: {}, message: "sign up successfull & confirmation mail has been sent", userid: expect.any(Number) };

describe("the verification mail of a sign-up", () => {
  it("is German for Accept-Language de, with the code and the link on lines of their own", async () => {
    const email = uniqueEmail("de");
    const res = await signUp(email, "de-DE,de;q=0.9,en;q=0.8");
    expect(res.status, res.text).toBe(201);
    const mail = await waitForMail(email);
    expect(mail.subject).toMatch(/^Bestätigen Sie Ihre E-Mail-Adresse für /);
    expect(mail.text).toContain("Ihr Bestätigungscode lautet:");
    expect(mail.text).toMatch(/^\d{4}$/m);
    expect(codeIn(mail)).toMatch(/^\d{4}$/);
    expect(mail.text).toMatch(/^https?:\/\/\S+\/confirm\?token=[\w-]+$/m);
    expect(confirmTokenIn(mail)).toBeTruthy();
    expect(mail.html).toContain('<html lang="de" dir="ltr">');
  });

  it("is Arabic, right to left, for Accept-Language ar", async () => {
    const email = uniqueEmail("ar");
    expect((await register(email, "ar")).status).toBe(200);
    const mail = await waitForMail(email);
    expect(mail.subject).toMatch(/^أكّد عنوان بريدك الإلكتروني في /);
    expect(mail.text).toContain("رمز التحقق الخاص بك هو:");
    expect(codeIn(mail)).toMatch(/^\d{4}$/);
    expect(mail.text).toMatch(/^https?:\/\/\S+\/confirm\?token=[\w-]+$/m);
    expect(mail.html).toContain('<html lang="ar" dir="rtl">');
    expect(mail.html).toContain("direction:rtl;text-align:right;");
  });

  it("is English without a language the service speaks", async () => {
    const email = uniqueEmail("en");
    expect((await register(email, "tlh")).status).toBe(200);
    expect((await waitForMail(email)).subject).toMatch(/^Verify your e-mail address for /);
  });
});

describe("the JSON answers", () => {
  it("stay the documented English strings, byte for byte, whatever the request's language", async () => {
    const created = await signUp(uniqueEmail("json"), "ar");
    expect(created.status).toBe(201);
    expect(created.body).toEqual(SIGNED_UP);

    const taken = uniqueEmail("taken");
    expect((await register(taken)).status).toBe(200);
    const [english, german, arabic] = await Promise.all([register(taken), register(taken, "de"), register(taken, "ar")]);
    expect(english.status).not.toBe(200);
    for (const other of [german, arabic]) {
      expect(other.status).toBe(english.status);
      expect(other.text).toBe(english.text);
    }
  });
});
