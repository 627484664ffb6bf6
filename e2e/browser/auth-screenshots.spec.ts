import { mkdirSync } from "node:fs";
import type { Page } from "@playwright/test";
import { expect, linkIn, login, signOut, test, turnOnTwoFactor, uniqueEmail, waitForMail } from "./fixtures";

/**
 * Every signed-out page in German and in Arabic (right to left), at a phone's width and a
 * desktop's, written to /tmp/shots-auth/ for a person to look at: long German words, mirrored
 * layouts, buttons that must not be cut. The language is the one the browser asks for.
 */

const DIR = "/tmp/shots-auth";
const LANGUAGES = ["de", "ar"] as const;
const WIDTHS = [390, 1280] as const;

async function shoot(page: Page, name: string, open: () => Promise<void>) {
  mkdirSync(DIR, { recursive: true });
  for (const language of LANGUAGES) {
    await page.setExtraHTTPHeaders({ "accept-language": language });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await open();
      await expect(page.locator("html")).toHaveAttribute("lang", language);
      await page.evaluate(() => document.fonts.ready);
      // Nothing wider than the screen: a long word or a button would otherwise scroll sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} ${language} ${width}`).toBeLessThanOrEqual(width);
      await page.screenshot({ path: `${DIR}/${name}-${language}-${width}.png`, fullPage: true });
    }
  }
}

test("the signed-out pages in German and Arabic", async ({ page, createUser, request, clock }) => {
  test.setTimeout(240_000);
  await shoot(page, "login", () => page.goto("/login").then(() => undefined));
  await shoot(page, "login-messages", () => page.goto("/login?reset=1&error=GoogleEmailUnverified").then(() => undefined));
  await shoot(page, "login-errors", async () => {
    await page.goto("/login");
    await page.getByRole("button", { name: /Anmelden|تسجيل الدخول/, exact: true }).click();
    await expect(page.locator("[aria-invalid=true]").first()).toBeVisible();
  });
  await shoot(page, "signup", () => page.goto("/signup").then(() => undefined));
  await shoot(page, "signup-errors", async () => {
    await page.goto("/signup");
    await page.locator("#field-email").fill("not-an-address");
    await page.locator("#field-password").fill("short");
    await page.locator("#field-confirmPassword").fill("other");
    await page.locator("form button[type=submit]").click();
    await expect(page.locator("[aria-invalid=true]").first()).toBeVisible();
  });

  const unverified = await createUser({ verified: false });
  await shoot(page, "verify", () => page.goto(`/verify?email=${encodeURIComponent(unverified.email)}`).then(() => undefined));
  await shoot(page, "verify-wrong-code", async () => {
    await page.goto(`/verify?email=${encodeURIComponent(unverified.email)}`);
    await page.keyboard.type("0000");
    await expect(page.locator("#code-error")).not.toBeEmpty();
  });
  await shoot(page, "verify-no-email", () => page.goto("/verify").then(() => undefined));

  // The confirmation link: unknown, then used (the account was confirmed with it).
  await shoot(page, "confirm-unknown", () => page.goto("/confirm?token=not-a-real-token").then(() => undefined));
  const email = uniqueEmail("shots-confirm");
  await request.post("/auth/register/", { data: { email, password: "correct horse battery staple" } });
  const confirmLink = linkIn(await waitForMail(email), "/confirm");
  await page.goto(confirmLink);
  await expect(page).toHaveURL(/\/profile/);
  await page.context().clearCookies();
  await shoot(page, "confirm-used", () => page.goto(confirmLink).then(() => undefined));

  await shoot(page, "forgot-password", () => page.goto("/forgot-password").then(() => undefined));
  await shoot(page, "forgot-password-sent", async () => {
    await page.goto("/forgot-password");
    await page.locator("#field-email").fill(uniqueEmail("nobody"));
    await page.locator("form button[type=submit]").click();
    await expect(page.getByRole("status").filter({ hasText: /.+/ })).toBeVisible();
  });
  const user = await createUser();
  await request.post("/auth/generate-link", { data: { email: user.email, request_type: 3 } });
  const resetLink = linkIn(await waitForMail(user.email, 2), "/reset-password");
  await shoot(page, "reset-password", async () => {
    await page.goto(resetLink);
    await page.locator("#field-password").fill("tulip");
    await page.locator("#field-password").blur();
  });
  await shoot(page, "reset-password-unknown", () => page.goto("/reset-password?token=made-up").then(() => undefined));
  await shoot(page, "confirm-email-unknown", () => page.goto("/confirm-email?token=made-up").then(() => undefined));
  await shoot(page, "account-deleted", () => page.goto("/account-deleted").then(() => undefined));
  await shoot(page, "not-found", () => page.goto("/no-such-page").then(() => undefined));

  // The second step of a sign-in: two-factor turned on (in English), then a sign-in left at the second step.
  await page.setExtraHTTPHeaders({ "accept-language": "en" });
  const twoFactor = await createUser();
  await login(page, twoFactor);
  await (await turnOnTwoFactor(page, clock.codeFor)).box.getByRole("button", { name: "I have saved them" }).click();
  await signOut(page);
  await page.getByLabel("Email", { exact: true }).fill(twoFactor.email);
  await page.getByLabel("Password", { exact: true }).fill(twoFactor.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/login\/two-factor/);
  const secondStep = page.url();
  await shoot(page, "two-factor", () => page.goto(secondStep).then(() => undefined));
  await shoot(page, "two-factor-recovery", () => page.goto(`${secondStep}&method=recovery`).then(() => undefined));
});
