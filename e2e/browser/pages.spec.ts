import { mkdirSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import type { Page, TestInfo } from "@playwright/test";
import { expect, linkIn, login, test, uniqueEmail, waitForMail, type TestUser } from "./fixtures";

/**
 * Every page, in light and dark, checked by axe (no serious or critical violations) and
 * photographed at a phone width (390 px) and a desktop width (1280 px) into
 * test-results/screenshots/ for a person to look at.
 */

const SCHEMES = ["light", "dark"] as const;
const WIDTHS = [390, 1280] as const;
const SCREENSHOTS = "test-results/screenshots";

async function checkPage(page: Page, testInfo: TestInfo, name: string, open: () => Promise<void>) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await open();
      // Fonts and the first paint settled: screenshots are stable, axe sees final colours.
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: `${SCREENSHOTS}/${name}-${colorScheme}-${width}.png`, fullPage: true });
      if (width !== WIDTHS[0]) continue;
      const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
      await testInfo.attach(`axe-${name}-${colorScheme}.json`, { body: JSON.stringify(results.violations, null, 2), contentType: "application/json" });
      const serious = results.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      expect(serious, `axe on ${name} (${colorScheme})`).toEqual([]);
    }
  }
}

test("home sends a signed-out visitor to the sign-in page", async ({ page }, testInfo) => {
  await checkPage(page, testInfo, "home", async () => {
    await page.goto("/");
    await expect(page).toHaveURL(/\/login$/);
  });
});

test("sign up, empty and with errors", async ({ page }, testInfo) => {
  await checkPage(page, testInfo, "signup", async () => {
    await page.goto("/signup");
  });
  await checkPage(page, testInfo, "signup-errors", async () => {
    await page.goto("/signup");
    await page.getByLabel("Email", { exact: true }).fill("not-an-address");
    await page.getByLabel("Password", { exact: true }).fill("short");
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  });
});

test("sign in, empty, with messages and with errors", async ({ page }, testInfo) => {
  await checkPage(page, testInfo, "login", async () => {
    await page.goto("/login");
  });
  await checkPage(page, testInfo, "login-messages", async () => {
    await page.goto("/login?reset=1&error=OAuthCallback");
  });
  await checkPage(page, testInfo, "login-errors", async () => {
    await page.goto("/login");
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page.getByText("This field may not be blank.").first()).toBeVisible();
  });
});

test("verify", async ({ page, createUser }, testInfo) => {
  const user = await createUser({ verified: false });
  await checkPage(page, testInfo, "verify", async () => {
    await page.goto(`/verify?email=${encodeURIComponent(user.email)}`);
  });
  await checkPage(page, testInfo, "verify-errors", async () => {
    await page.goto(`/verify?email=${encodeURIComponent(user.email)}`);
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByText("Enter the code from the e-mail.")).toBeVisible();
  });
  await checkPage(page, testInfo, "verify-resend-wait", async () => {
    await page.goto(`/verify?email=${encodeURIComponent(user.email)}`);
    await page.getByRole("button", { name: "Resend code" }).click();
    await expect(page.getByText(/You can ask again in \d+ s/)).toBeVisible();
  });
  await checkPage(page, testInfo, "verify-no-email", async () => {
    await page.goto("/verify");
  });
});

test("confirm: the link landing, and an expired link", async ({ page }, testInfo) => {
  await checkPage(page, testInfo, "confirm-expired", async () => {
    await page.goto("/confirm?token=not-a-real-token");
  });
  // The usable state submits itself at once; stop that to look at it.
  const email = uniqueEmail("confirm-look");
  await page.request.post("/auth/register/", { data: { email, password: "correct horse battery staple" } });
  const link = linkIn(await waitForMail(email), "/confirm");
  // Its POST is held (never answered), which shows the page as a person sees it while it works.
  await page.route(/\/confirm\?token=/, async (route) => {
    if (route.request().method() !== "POST") return route.continue();
  });
  await checkPage(page, testInfo, "confirm", async () => {
    await page.goto(link);
    await expect(page.getByRole("heading", { name: "Confirm your e-mail" })).toBeVisible();
  });
  await page.unrouteAll({ behavior: "ignoreErrors" });
  await page.goto("about:blank");
});

test("forgot password, before and after", async ({ page }, testInfo) => {
  await checkPage(page, testInfo, "forgot-password", async () => {
    await page.goto("/forgot-password");
  });
  await checkPage(page, testInfo, "forgot-password-sent", async () => {
    await page.goto("/forgot-password");
    await page.getByLabel("Email", { exact: true }).fill(uniqueEmail("nobody"));
    await page.getByRole("button", { name: "Send reset link" }).click();
    await expect(page.getByText("If an account exists for that address")).toBeVisible();
  });
});

test("reset password, usable and expired", async ({ page, createUser, request }, testInfo) => {
  const user = await createUser();
  const res = await request.post("/auth/generate-link", { data: { email: user.email, request_type: 3 } });
  expect(res.status()).toBe(200);
  const link = linkIn(await waitForMail(user.email, 2), "/reset-password");
  await checkPage(page, testInfo, "reset-password", async () => {
    await page.goto(link);
    await page.getByLabel("New password", { exact: true }).fill("tulip");
    await page.getByLabel("New password", { exact: true }).blur();
  });
  await checkPage(page, testInfo, "reset-password-expired", async () => {
    await page.goto("/reset-password?token=used-or-made-up");
  });
});

test("profile", async ({ page, createUser, openOtherBrowser }, testInfo) => {
  const user: TestUser = await createUser();
  const other = await openOtherBrowser();
  await login(other.page, user);
  await login(page, user);
  await checkPage(page, testInfo, "profile", async () => {
    await page.goto("/profile");
  });
});

test("not found", async ({ page, consoleErrors }, testInfo) => {
  await checkPage(page, testInfo, "not-found", async () => {
    await page.goto("/no-such-page");
  });
  // Chromium logs the page's own 404 status as a console error; that one is expected here.
  const expected = /Failed to load resource: the server responded with a status of 404/;
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !expected.test(e)));
});
