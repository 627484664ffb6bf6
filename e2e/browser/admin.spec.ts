import type { Locator, Page } from "@playwright/test";
import { expect, grantAdmin, login, photograph, test, turnOnTwoFactor } from "./fixtures";

/**
 * The console in a browser (/admin): an admin with two-factor on finds it from the profile, moves
 * between its sections, and on the Apps page adds an OpenID client (confirming it's them first),
 * sees its secret once, and removes it through the dialog. Photographed at 390 and 1280 px, light
 * and dark, into /tmp/shots-admin/ for a person to look at; axe checks each state.
 */

const SHOTS = "/tmp/shots-admin";
const REDIRECT_URI = "https://planner.example.test/callback";

const consoleNav = (page: Page) => page.getByRole("navigation", { name: "Admin console" });
const section = (page: Page, name: string) => page.getByRole("region", { name, exact: true });

async function expectCurrent(nav: Locator, name: string) {
  await expect(nav.getByRole("link", { name, exact: true })).toHaveAttribute("aria-current", "page");
  await expect(nav.locator("[aria-current]")).toHaveCount(1);
}

test("an admin with two-factor adds an app, sees its secret once, and removes it through the dialog", async ({ page, createUser, clock }) => {
  test.setTimeout(240_000);
  const user = await createUser();
  await login(page, user);
  const { secret, box } = await turnOnTwoFactor(page, clock.codeFor);
  await box.getByRole("button", { name: "I have saved them" }).click();
  await grantAdmin(user.email);

  // The profile leads an admin to the console.
  await page.reload();
  await page.evaluate(() => window.scrollTo(0, 0));
  await photograph(page, SHOTS, "profile-of-an-admin", "viewport");
  await page.getByRole("banner").getByRole("link", { name: "Admin console" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await expect(page.getByRole("heading", { level: 1, name: "Admin console" })).toBeVisible();
  await expectCurrent(consoleNav(page), "Dashboard");
  await photograph(page, SHOTS, "overview");

  // By keyboard, to the Apps section.
  await consoleNav(page).getByRole("link", { name: "Apps", exact: true }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/admin\/apps$/);
  await expect(page.getByRole("heading", { level: 1, name: "Apps" })).toBeVisible();
  await expectCurrent(consoleNav(page), "Apps");

  const name = `Example Planner ${Date.now() % 100000}`;
  const form = section(page, "Add an app");
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Redirect URIs", { exact: true }).fill(`${REDIRECT_URI}\nhttp://127.0.0.1:8080/callback`);
  await form.getByLabel("First-party app").check();
  await photograph(page, SHOTS, "apps");

  // The form checks what it can before anything is sent.
  await form.getByLabel("Redirect URIs", { exact: true }).fill("planner.example.test/callback");
  await form.getByRole("button", { name: "Add app" }).click();
  await expect(form.getByText("“planner.example.test/callback” isn't a full address.", { exact: false })).toBeVisible();
  await photograph(page, SHOTS, "apps-errors");
  await form.getByLabel("Redirect URIs", { exact: true }).fill(`${REDIRECT_URI}\nhttp://127.0.0.1:8080/callback`);

  // The session's proof goes stale (REAUTH_MAX_AGE_SECONDS, 600) while the page is open: the action says so, and the step asks.
  clock.later(11 * 60_000);
  await form.getByRole("button", { name: "Add app" }).click();
  const step = page.getByRole("dialog", { name: "Confirm it’s you" });
  await expect(step).toBeVisible();
  await step.getByLabel("Current password", { exact: true }).fill(user.password);
  await step.getByLabel("Authentication code", { exact: true }).fill(await clock.codeFor(secret));
  await step.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(step).toBeHidden();

  // Added by itself once confirmed: the credentials, the secret this once.
  const added = form.getByRole("heading", { name: `${name} was added.` });
  await expect(added).toBeFocused();
  await expect(form.getByText("It won’t be shown again.", { exact: false })).toBeVisible();
  const shownSecret = await form.locator("dd code").nth(1).innerText();
  expect(shownSecret).toMatch(/^[\w-]{43}$/);
  await expect(form.getByRole("button", { name: "Copy secret" })).toBeVisible();
  await photograph(page, SHOTS, "apps-added");

  const listed = section(page, "Registered apps").getByRole("listitem").filter({ has: page.getByRole("heading", { name }) });
  await expect(listed).toContainText("First-party");
  await expect(listed).toContainText("Confidential");
  await expect(listed).toContainText(REDIRECT_URI);
  await expect(listed).toContainText("Authorization code, Refresh token");

  // Done: the form again, and the secret nowhere on the page, nor after a reload.
  await form.getByRole("button", { name: "Done" }).click();
  await expect(form.getByLabel("Name", { exact: true })).toBeFocused();
  await expect(form.getByLabel("Name", { exact: true })).toHaveValue("");
  expect(await page.content()).not.toContain(shownSecret);
  await page.reload();
  expect(await page.content()).not.toContain(shownSecret);

  // Remove, behind the dialog: Cancel keeps it, and puts focus back on the button.
  const remove = listed.getByRole("button", { name: `Remove ${name}` });
  await remove.click();
  const confirmRemoval = page.getByRole("dialog", { name: `Remove ${name}?` });
  await expect(confirmRemoval).toBeVisible();
  await expect(confirmRemoval.getByRole("button", { name: "Cancel" })).toBeFocused();
  await photograph(page, SHOTS, "apps-remove", "viewport");
  await page.keyboard.press("Escape");
  await expect(confirmRemoval).toBeHidden();
  await expect(remove).toBeFocused();

  await remove.click();
  await confirmRemoval.getByRole("button", { name: "Remove app" }).click();
  await expect(confirmRemoval).toBeHidden();
  await expect(section(page, "Registered apps").getByText(`${name} was removed.`)).toBeVisible();
  await expect(section(page, "Registered apps").getByRole("heading", { name })).toHaveCount(0);

  // In the longest words (German) and right to left (Arabic), chosen on the profile as a person does.
  for (const language of ["de", "ar"]) {
    await page.goto("/profile");
    await page.locator("#language-choice").selectOption(language);
    await page.locator("section#language button[type=submit]").click();
    await expect(page).toHaveURL(/\/profile\?language=saved$/);
    await page.goto("/admin/apps");
    await expect(page.locator("html")).toHaveAttribute("lang", language);
    await photograph(page, SHOTS, `apps-${language}`);
  }
});

test("an admin without two-factor is sent to turn it on, and gets into the console once it is on", async ({ page, createUser, clock }) => {
  const user = await createUser();
  await grantAdmin(user.email);
  await login(page, user);
  await page.goto("/admin/apps");
  await expect(page).toHaveURL(/\/profile\?admin=two-factor#two-factor$/);
  const box = section(page, "Two-factor authentication");
  const why = box.getByText("Turn on two-factor authentication below to use the admin console", { exact: false });
  // Where the anchor took the reader, not at the top of a long page.
  await expect(why).toBeInViewport();
  await photograph(page, SHOTS, "needs-two-factor", "viewport");

  const { box: turnedOn } = await turnOnTwoFactor(page, clock.codeFor);
  await turnedOn.getByRole("button", { name: "I have saved them" }).click();
  await page.goto("/admin/apps");
  await expect(page.getByRole("heading", { level: 1, name: "Apps" })).toBeVisible();
});
