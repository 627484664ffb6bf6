import { mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Browser, Locator, Page } from "@playwright/test";
import { ENV } from "./env";
import { addVirtualAuthenticator, expect, login, test, turnOnTwoFactor, withoutPasskeyAutofill } from "./fixtures";

/**
 * The account centre in the reader's language: the browser's (Accept-Language) until the account
 * chooses one on its profile, which then wins wherever it signs in; Arabic right to left.
 */

/** The `errors` catalog of a language: the words the page must show for a code. */
const errors = (locale: string): Record<string, string> =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, "../../lib/i18n/messages", locale, "errors.json"), "utf8"));

const STALE = 11 * 60_000;
const SHOTS = "/tmp/shots-account";
const section = (page: Page, name: string) => page.getByRole("region", { name, exact: true });

/**
 * The signed-in `page`'s session in a second browser whose language is `locale` (its
 * Accept-Language): signing in itself happens in English, whatever the sign-in page speaks by then.
 */
async function sameSessionIn(page: Page, browser: Browser, locale: string, consoleErrors: string[]): Promise<Page> {
  const context = await browser.newContext({ locale, baseURL: process.env[ENV.baseUrl], storageState: await page.context().storageState() });
  const other = await context.newPage();
  other.on("console", (message) => message.type() === "error" && consoleErrors.push(`console.error on ${other.url()}: ${message.text()}`));
  other.on("pageerror", (error) => consoleErrors.push(`uncaught on ${other.url()}: ${error.message}`));
  return other;
}

async function expectFieldError(field: Locator, message: string) {
  await expect(field).toHaveAttribute("aria-invalid", "true");
  const describedBy = (await field.getAttribute("aria-describedby"))!.split(" ").at(-1)!;
  await expect(field.page().locator(`[id="${describedBy}"]`)).toHaveText(message);
}

async function expectLanguage(page: Page, lang: string, dir: "ltr" | "rtl") {
  await expect(page.locator("html")).toHaveAttribute("lang", lang);
  await expect(page.locator("html")).toHaveAttribute("dir", dir);
}

test("a browser that speaks German gets the account centre in German, its errors too", async ({ page: english, browser, consoleErrors, createUser }) => {
  const user = await createUser();
  await login(english, user);
  const page = await sameSessionIn(english, browser, "de-DE", consoleErrors);
  await page.goto("/profile");
  await expectLanguage(page, "de", "ltr");
  await expect(page).toHaveTitle(/^Ihr Konto/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ihr Konto");
  const sessions = section(page, "Wo Sie angemeldet sind");
  await expect(sessions.getByRole("listitem").filter({ hasText: "Dieses Gerät" })).toContainText("Jetzt aktiv");

  // The browser's own check, in German.
  const details = section(page, "Persönliche Angaben");
  const name = details.getByLabel("Name", { exact: true });
  await name.fill("");
  await details.getByRole("button", { name: "Änderungen speichern" }).click();
  await expectFieldError(name, errors("de").BLANK!);
  await name.fill("Ada König");
  await details.getByRole("button", { name: "Änderungen speichern" }).click();
  await expect(details.getByRole("status").filter({ hasText: "Ihre Angaben sind gespeichert." })).toBeVisible();

  // The service's answer, in German.
  const password = section(page, "Passwort ändern");
  const current = password.getByLabel("Aktuelles Passwort", { exact: true });
  await current.fill("not the password at all");
  await password.getByLabel("Neues Passwort", { exact: true }).fill("another fine passphrase");
  await password.getByLabel("Passwort wiederholen", { exact: true }).fill("another fine passphrase");
  await password.getByRole("button", { name: "Passwort ändern" }).click();
  await expectFieldError(current, errors("de").PASSWORD_MISMATCH!);
});

test("the account's language wins over the browser's, right to left for Arabic, until it goes back to the browser's", async ({ page, createUser }) => {
  const user = await createUser();
  await login(page, user);
  await expectLanguage(page, "en", "ltr");
  const language = section(page, "Language").getByLabel("Language", { exact: true });
  await expect(language).toHaveValue("");
  await expect(language.locator("option")).toHaveText(["Browser’s language", "English", "Deutsch", "Français", "Español", "Português", "العربية"]);
  await expect(language.locator('option[value="ar"]')).toHaveAttribute("lang", "ar");

  // A value no option has (a crafted form) is an error of the field, and nothing changes.
  await language.evaluate((select: HTMLSelectElement) => select.add(new Option("Klingon", "tlh")));
  await language.selectOption("tlh");
  await section(page, "Language").getByRole("button", { name: "Save language" }).click();
  await expectFieldError(section(page, "Language").getByLabel("Language", { exact: true }), errors("en").INVALID_CHOICE!);
  await expectLanguage(page, "en", "ltr");

  await section(page, "Language").getByLabel("Language", { exact: true }).selectOption("ar");
  await section(page, "Language").getByRole("button", { name: "Save language" }).click();
  await expectLanguage(page, "ar", "rtl");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("حسابك");
  await expect(page.getByText("تم حفظ اللغة.")).toBeVisible();
  await expect(section(page, "اللغة").getByLabel("اللغة", { exact: true })).toHaveValue("ar");

  await page.reload();
  await expectLanguage(page, "ar", "rtl");

  // Signed out, the pages speak the browser's language again; signed in, the account's.
  await page.getByRole("banner").getByRole("button", { name: "تسجيل الخروج" }).click();
  await expect(page).toHaveURL(/\/login/);
  await expectLanguage(page, "en", "ltr");
  await login(page, user);
  await expectLanguage(page, "ar", "rtl");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("حسابك");

  await section(page, "اللغة").getByLabel("اللغة", { exact: true }).selectOption("");
  await section(page, "اللغة").getByRole("button", { name: "حفظ اللغة" }).click();
  await expectLanguage(page, "en", "ltr");
  await expect(page.getByText("Language saved.")).toBeVisible();
  await expect(section(page, "Language").getByLabel("Language", { exact: true })).toHaveValue("");
});

test("screenshots: the account centre and Confirm it's you, in German and in Arabic, at 390 and 1280 px", async ({
  page: english,
  browser,
  consoleErrors,
  createUser,
  clock,
  openOtherBrowser,
}) => {
  test.setTimeout(120_000);
  mkdirSync(SHOTS, { recursive: true });
  await withoutPasskeyAutofill(english);
  await addVirtualAuthenticator(english);
  const user = await createUser({ name: "Ada Lovelace-Königsberger" });
  await login(english, user);
  // Every section with something in it: two-factor on, a passkey, a second session.
  const { secret, box } = await turnOnTwoFactor(english, clock.codeFor);
  await box.getByRole("button", { name: "I have saved them" }).click();
  const other = (await openOtherBrowser()).page;
  await other.goto("/login");
  await other.getByLabel("Email", { exact: true }).fill(user.email);
  await other.getByLabel("Password", { exact: true }).fill(user.password);
  await other.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(other).toHaveURL(/\/login\/two-factor/);
  // The code that turned two-factor on is spent: the next one, 30 s later.
  clock.later(30_000);
  await other.getByLabel("Authentication code", { exact: true }).fill(await clock.codeFor(secret));
  await other.getByRole("button", { name: "Verify" }).click();
  await expect(other).toHaveURL(/\/profile$/);
  const passkeys = section(english, "Passkeys");
  await passkeys.getByLabel("Passkey name", { exact: true }).fill("Arbeitslaptop");
  await passkeys.getByRole("button", { name: "Add a passkey" }).click();
  await expect(passkeys.getByRole("listitem").filter({ hasText: "Arbeitslaptop" })).toBeVisible();

  const shoot = async (locale: string) => {
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.reload();
      await page.screenshot({ path: `${SHOTS}/profile-${locale}-${width}.png`, fullPage: true });
      // Nothing sticks out sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    }
  };
  const shootConfirmation = async (locale: string, title: string, newCodes: string) => {
    clock.later(STALE);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      await page.reload();
      await page.getByRole("button", { name: newCodes }).click();
      const step = page.getByRole("dialog", { name: title });
      await expect(step).toBeVisible();
      await page.screenshot({ path: `${SHOTS}/confirm-${locale}-${width}.png` });
      await page.keyboard.press("Escape");
      await expect(step).toBeHidden();
    }
  };

  const page = await sameSessionIn(english, browser, "de-DE", consoleErrors);
  await page.goto("/profile");
  await shoot("de");
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Ihr Konto");
  await shootConfirmation("de", "Bestätigen Sie, dass Sie es sind", "Neue Wiederherstellungscodes");

  await section(page, "Sprache").getByLabel("Sprache", { exact: true }).selectOption("ar");
  await section(page, "Sprache").getByRole("button", { name: "Sprache speichern" }).click();
  await expectLanguage(page, "ar", "rtl");
  await shoot("ar");
  await shootConfirmation("ar", "أكّد أنه أنت", "رموز استرداد جديدة");
});
