import { expect, grantAdmin, login, photograph, test, turnOnTwoFactor } from "./fixtures";

/**
 * The console's Users pages in a browser: a two-factor admin searches for an account, opens its
 * page, and disables it through the confirmation dialog (confirming it's them first, the proof
 * having gone stale), then sees its status change. Photographed at 390 and 1280 px, light and
 * dark, into /tmp/shots-admin-users/ for a person to look at; axe checks each state.
 */

const SHOTS = "/tmp/shots-admin-users";

test("an admin finds an account, opens it, signs one of its sessions out and disables it through the dialogs", async ({ page, request, createUser, clock }) => {
  test.setTimeout(420_000);
  const admin = await createUser();
  const person = await createUser({ name: "Grace Hopper" });
  await login(page, admin);
  const { secret, box } = await turnOnTwoFactor(page, clock.codeFor);
  await box.getByRole("button", { name: "I have saved them" }).click();
  await grantAdmin(admin.email);
  // Two sessions of the person's, signed in from an app.
  for (let i = 0; i < 2; i++) expect((await request.post("/auth/login/", { data: { email: person.email, password: person.password } })).status()).toBe(200);

  // From the console's navigation, by keyboard, to the Users section.
  await page.goto("/admin");
  const nav = page.getByRole("navigation", { name: "Admin console" });
  await nav.getByRole("link", { name: "Users", exact: true }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Users", exact: true })).toHaveAttribute("aria-current", "page");

  // A search too short to look up says so.
  const search = page.getByRole("searchbox", { name: "Search users" });
  await search.fill("ab");
  await search.press("Enter");
  await expect(page.getByText("Type at least 3 characters to search.")).toBeVisible();

  // The search is in the address: back and forward keep it.
  await search.fill(person.email);
  await search.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/admin/users\\?q=${encodeURIComponent(person.email).replace(/\./g, "\\.")}`));
  const table = page.getByRole("table", { name: "Accounts, newest first" });
  const row = table.getByRole("row").filter({ hasText: person.email });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("Grace Hopper");
  await expect(row).toContainText("Verified");
  await expect(table.getByRole("row").filter({ hasText: admin.email })).toHaveCount(0);
  await photograph(page, SHOTS, "users");

  // Sorted by a column header, the search kept; back returns to the newest first.
  const emailHeader = table.getByRole("columnheader", { name: /^E-mail/ });
  await emailHeader.getByRole("link").click();
  await expect(page).toHaveURL(/[?&]sort=email(&|$)/);
  await expect(page).toHaveURL(new RegExp(`[?&]q=${encodeURIComponent(person.email).replace(/\./g, "\\.")}`));
  const byEmail = page.getByRole("table", { name: "Accounts by e-mail, A to Z" });
  await expect(byEmail.getByRole("columnheader", { name: /^E-mail/ })).toHaveAttribute("aria-sort", "ascending");
  await byEmail.getByRole("columnheader", { name: /^E-mail/ }).getByRole("link").click();
  await expect(page.getByRole("table", { name: "Accounts by e-mail, Z to A" }).getByRole("columnheader", { name: /^E-mail/ })).toHaveAttribute("aria-sort", "descending");
  await page.goBack();
  await expect(byEmail).toBeVisible();
  await page.goBack();
  await expect(table).toBeVisible();
  await expect(table.getByRole("columnheader", { name: /^Created/ })).toHaveAttribute("aria-sort", "descending");
  await expect(search).toHaveValue(person.email);

  await row.getByRole("link", { name: person.email }).click();
  const heading = page.getByRole("heading", { level: 1 });
  await expect(heading).toContainText(person.email);
  await expect(heading).toContainText("Verified");
  await photograph(page, SHOTS, "user");
  await page.goBack();
  await expect(search).toHaveValue(person.email);
  await row.getByRole("link", { name: person.email }).click();
  await expect(heading).toContainText(person.email);
  const userPage = page.url();

  // One session signed out, through its own dialog.
  const sessions = page.getByRole("region", { name: "Sessions", exact: true });
  const signOuts = sessions.getByRole("button", { name: /^Sign out / });
  const before = await signOuts.count();
  expect(before).toBeGreaterThanOrEqual(2);
  await signOuts.first().click();
  const revoke = page.getByRole("dialog", { name: new RegExp(`^Sign ${person.email.replace(/[.+]/g, "\\$&")} out of `) });
  await expect(revoke).toBeVisible();
  await photograph(page, SHOTS, "user-revoke-session", "viewport");
  await revoke.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(revoke).toBeHidden();
  await expect(sessions.getByText("That device is signed out.")).toBeVisible();
  await expect(signOuts).toHaveCount(before - 1);
  await expect(page.getByRole("region", { name: "Activity", exact: true })).toContainText("One session ended");

  // The session's proof goes stale (REAUTH_MAX_AGE_SECONDS, 600): the page asks first, then the dialog opens.
  clock.later(11 * 60_000);
  await page.reload();
  const actions = page.getByRole("region", { name: "Actions", exact: true });
  await actions.getByRole("button", { name: "Disable account" }).click();
  const step = page.getByRole("dialog", { name: "Confirm it’s you" });
  await expect(step).toBeVisible();
  await step.getByLabel("Current password", { exact: true }).fill(admin.password);
  await step.getByLabel("Authentication code", { exact: true }).fill(await clock.codeFor(secret));
  await step.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(step).toBeHidden();

  const dialog = page.getByRole("dialog", { name: `Disable ${person.email}?` });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Cancel" })).toBeFocused();
  await photograph(page, SHOTS, "user-disable", "viewport");
  await dialog.getByRole("button", { name: "Disable account" }).click();
  await expect(dialog).toBeHidden();

  await expect(actions.getByText("The account is disabled.")).toBeVisible();
  await expect(heading).toContainText("Disabled");
  await expect(actions.getByRole("button", { name: "Enable account" })).toBeVisible();
  // The event in words, its code beside it, and the admin by address.
  const activity = page.getByRole("region", { name: "Activity", exact: true });
  await expect(activity.getByRole("listitem").first()).toContainText("Account disabled");
  await expect(activity.getByRole("listitem").first()).toContainText("account_disabled");
  await expect(activity.getByRole("listitem").first().getByRole("link", { name: `by ${admin.email}` })).toBeVisible();
  await photograph(page, SHOTS, "user-disabled");

  // The table says so too.
  await page.goto(`/admin/users?q=${encodeURIComponent(person.email)}&status=disabled`);
  await expect(page.getByRole("table", { name: "Accounts, newest first" }).getByRole("row").filter({ hasText: person.email })).toContainText("Disabled");

  // In German, and right to left in Arabic, chosen on the profile as a person does.
  for (const locale of ["de", "ar"]) {
    await page.goto("/profile");
    await page.locator("#language-choice").selectOption(locale);
    await page.locator("section#language button[type=submit]").click();
    await expect(page).toHaveURL(/\/profile\?language=saved$/);
    await page.goto(`/admin/users?q=${encodeURIComponent(person.email)}`);
    await expect(page.locator("html")).toHaveAttribute("lang", locale);
    await photograph(page, SHOTS, `users-${locale}`);
    await page.goto(userPage);
    await expect(page.getByRole("heading", { level: 1 })).toContainText(person.email);
    await photograph(page, SHOTS, `user-${locale}`);
  }
});
