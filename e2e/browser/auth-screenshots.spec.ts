import { mkdirSync } from "node:fs";
import type { Browser, Page } from "@playwright/test";
import { expect, linkIn, login, signOut, test, turnOnTwoFactor, uniqueEmail, waitForMail } from "./fixtures";

/**
 * Every signed-out page in German and in Arabic (right to left), at a phone's width and a
 * desktop's, written to /tmp/shots-auth/ for a person to look at: long German words, mirrored
 * layouts, buttons that must not be cut. The language is the one the browser asks for.
 */

const DIR = "/tmp/shots-auth";
const LANGUAGES = ["de", "ar"] as const;
const WIDTHS = [390, 1280] as const;

type Language = (typeof LANGUAGES)[number];

/** A browser asking for each language (its Accept-Language), signed out. */
async function languagePages(browser: Browser, baseURL: string) {
  const pages = {} as Record<Language, Page>;
  for (const language of LANGUAGES) pages[language] = await (await browser.newContext({ locale: language, baseURL, timezoneId: "UTC" })).newPage();
  return pages;
}

let pages: Record<Language, Page>;

async function shoot(name: string, open: (page: Page) => Promise<unknown>) {
  mkdirSync(DIR, { recursive: true });
  for (const language of LANGUAGES) {
    const page = pages[language];
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await open(page);
      await expect(page.locator("html")).toHaveAttribute("lang", language);
      await page.evaluate(() => document.fonts.ready);
      // Nothing wider than the screen: a long word or a button would otherwise scroll sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} ${language} ${width}`).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `${DIR}/${name}-${language}-${width}.png`, fullPage: true });
    }
  }
}

test("the signed-out pages in German and Arabic", async ({ page, browser, baseURL, createUser, request, clock }) => {
  test.setTimeout(240_000);
  pages = await languagePages(browser, baseURL!);
  await shoot("login", (page) => page.goto("/login"));
  await shoot("login-messages", (page) => page.goto("/login?reset=1&error=GoogleEmailUnverified"));
  await shoot("login-errors", async (page) => {
    await page.goto("/login");
    await page.locator("form").filter({ has: page.locator("#field-password") }).locator("button[type=submit]").click();
    await expect(page.locator("[aria-invalid=true]").first()).toBeVisible();
  });
  await shoot("signup", (page) => page.goto("/signup"));
  await shoot("signup-errors", async (page) => {
    await page.goto("/signup");
    await page.locator("#field-email").fill("not-an-address");
    await page.locator("#field-password").fill("short");
    await page.locator("#field-confirmPassword").fill("other");
    await page.locator("form button[type=submit]").click();
    await expect(page.locator("[aria-invalid=true]").first()).toBeVisible();
  });

  const unverified = await createUser({ verified: false });
  await shoot("verify", (page) => page.goto(`/verify?email=${encodeURIComponent(unverified.email)}`));
  await shoot("verify-wrong-code", async (page) => {
    await page.goto(`/verify?email=${encodeURIComponent(unverified.email)}`);
    await page.keyboard.type("0000");
    await expect(page.locator("#code-error")).not.toBeEmpty();
  });
  await shoot("verify-no-email", (page) => page.goto("/verify"));

  // The confirmation link: unknown, then used (the account was confirmed with it, in another browser).
  await shoot("confirm-unknown", (page) => page.goto("/confirm?token=not-a-real-token"));
  const email = uniqueEmail("shots-confirm");
  await request.post("/auth/register/", { data: { email, password: "correct horse battery staple" } });
  const confirmLink = linkIn(await waitForMail(email), "/confirm");
  await page.goto(confirmLink);
  await expect(page).toHaveURL(/\/profile/);
  await shoot("confirm-used", (page) => page.goto(confirmLink));

  await shoot("forgot-password", (page) => page.goto("/forgot-password"));
  await shoot("forgot-password-sent", async (page) => {
    await page.goto("/forgot-password");
    await page.locator("#field-email").fill(uniqueEmail("nobody"));
    await page.locator("form button[type=submit]").click();
    await expect(page.getByRole("status").filter({ hasText: /.+/ })).toBeVisible();
  });
  const user = await createUser();
  await request.post("/auth/generate-link", { data: { email: user.email, request_type: 3 } });
  const resetLink = linkIn(await waitForMail(user.email, 2), "/reset-password");
  await shoot("reset-password", async (page) => {
    await page.goto(resetLink);
    await page.locator("#field-password").fill("tulip");
    await page.locator("#field-password").blur();
  });
  await shoot("reset-password-unknown", (page) => page.goto("/reset-password?token=made-up"));
  await shoot("confirm-email-unknown", (page) => page.goto("/confirm-email?token=made-up"));
  await shoot("account-deleted", (page) => page.goto("/account-deleted"));
  await shoot("not-found", (page) => page.goto("/no-such-page"));

  // The second step of a sign-in: two-factor turned on (in English), then each language's browser signs in with the password.
  const twoFactor = await createUser();
  await login(page, twoFactor);
  await (await turnOnTwoFactor(page, clock.codeFor)).box.getByRole("button", { name: "I have saved them" }).click();
  await signOut(page);
  const secondStep = async (page: Page, method: string) => {
    if (!/\/login\/two-factor/.test(page.url())) {
      await page.goto("/login");
      await page.locator("#field-email").fill(twoFactor.email);
      await page.locator("#field-password").fill(twoFactor.password);
      await page.locator("form").filter({ has: page.locator("#field-password") }).locator("button[type=submit]").click();
      await expect(page).toHaveURL(/\/login\/two-factor/);
    }
    await page.goto(`/login/two-factor?next=%2Fprofile${method}`);
  };
  await shoot("two-factor", (page) => secondStep(page, ""));
  await shoot("two-factor-recovery", (page) => secondStep(page, "&method=recovery"));
  for (const languagePage of Object.values(pages)) await languagePage.context().close();
});
