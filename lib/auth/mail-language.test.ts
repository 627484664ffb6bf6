import { describe, expect, it } from "vitest";
import { PASSWORD, advanceSeconds, appSession, codeIn, confirmTokenIn, freshClient, lastMailTo, setUpAuthTests, uniqueEmail, verifiedUser } from "./testing";

const db = setUpAuthTests();

const { createAccount } = await import("./signup");
const { resendCode } = await import("./email-verification");
const { changePassword, requestPasswordReset } = await import("./password");

/** A client whose requests say which languages it reads. */
const speaking = (acceptLanguage: string) => ({ ...freshClient(), acceptLanguage });
const chooseLanguage = (email: string, locale: string) => db().user.update({ where: { email }, data: { locale } });

describe("the language of a mail", () => {
  it("is the request's when the account has none: a sign-up from a French browser gets a French mail", async () => {
    const email = uniqueEmail("fr");
    await createAccount({ email, password: PASSWORD, name: "Fr" }, speaking("fr-CA,fr;q=0.9,en;q=0.5"));
    const mail = await lastMailTo(email, "verification");
    expect(mail.subject).toBe("Confirmez votre adresse e-mail pour Auth");
    expect(mail.text).toContain("Votre code de confirmation est\u00a0:");
    expect(codeIn(mail)).toMatch(/^\d{4}$/);
    expect(confirmTokenIn(mail)).toBeTruthy();
    expect(mail.html).toContain('<html lang="fr" dir="ltr">');
  });

  it("is the account's choice over the request's: a German account gets German mail from a French browser", async () => {
    const email = uniqueEmail("de");
    await createAccount({ email, password: PASSWORD, name: "De" }, freshClient());
    await chooseLanguage(email, "de");
    advanceSeconds(61);
    await resendCode(email, speaking("fr"));
    const mail = await lastMailTo(email, "verification");
    expect(mail.subject).toBe("Bestätigen Sie Ihre E-Mail-Adresse für Auth");
    expect(mail.text).toContain("Ihr Bestätigungscode lautet:");
    expect(codeIn(mail)).toMatch(/^\d{4}$/);
    expect(mail.html).toContain('<html lang="de" dir="ltr">');
  });

  it("speaks the account's language in a security notice", async () => {
    const { email, user } = await verifiedUser("notice-de");
    await chooseLanguage(email, "de");
    const { caller } = await appSession({ ...user, locale: "de" });
    await changePassword(caller, { currentPassword: PASSWORD, newPassword: "ein ganz neues Passwort" }, speaking("en"));
    const notice = await lastMailTo(email, "notice");
    expect(notice.subject).toBe("Ihr Passwort für Auth wurde geändert");
    expect(notice.text).toMatch(/^Wann: \d{1,2}\. \p{L}+ \d{4} um \d{2}:\d{2} \(UTC\)$/mu);
    expect(notice.text).toContain("\nhttp://localhost:3000/forgot-password\n");
  });

  it("is right to left in Arabic", async () => {
    const { email } = await verifiedUser("ar");
    await requestPasswordReset(email, speaking("ar-EG"));
    const mail = await lastMailTo(email, "password_reset");
    expect(mail.subject).toBe("أعد تعيين كلمة مرورك في Auth");
    expect(mail.text).toMatch(/^http:\/\/localhost:3000\/reset-password\?token=[\w-]+$/m);
    expect(mail.html).toContain('<html lang="ar" dir="rtl">');
  });

  it("is the default without a language of the account's or the request's", async () => {
    const email = uniqueEmail("default");
    await createAccount({ email, password: PASSWORD, name: "Default" }, speaking("tlh, x-klingon;q=0.5"));
    expect((await lastMailTo(email, "verification")).subject).toBe("Verify your e-mail address for Auth");
  });
});
