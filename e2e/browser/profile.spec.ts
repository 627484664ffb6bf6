import { expect, login, test } from "./fixtures";

test("profile changes are saved and survive a reload", async ({ page, createUser }) => {
  const user = await createUser();
  await login(page, user);
  await page.getByLabel("Name", { exact: true }).fill("Ada King");
  await page.getByLabel("Mobile", { exact: true }).fill("+44 7700 900123");
  await page.getByLabel("Date of birth", { exact: true }).fill("1815-12-10");
  await page.getByRole("button", { name: "Save changes" }).click();
  // The schema accepts 1900–2100 only: the browser says so before anything is sent.
  await expect(page.getByText("That date isn't possible. Enter a real date between 1900 and 2100.")).toBeVisible();
  await page.getByLabel("Date of birth", { exact: true }).fill("1995-12-10");
  await page.getByRole("button", { name: "Save changes" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Your details are saved." })).toBeVisible();

  await page.reload();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Ada King");
  await expect(page.getByLabel("Mobile", { exact: true })).toHaveValue("+44 7700 900123");
  await expect(page.getByLabel("Date of birth", { exact: true })).toHaveValue("1995-12-10");
});

test("changing the password needs the current one", async ({ page, createUser }) => {
  const user = await createUser();
  await login(page, user);
  await page.getByLabel("Current password", { exact: true }).fill("wrong current password");
  await page.getByLabel("New password", { exact: true }).fill("another fine passphrase");
  await page.getByLabel("Confirm password", { exact: true }).fill("another fine passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("That password isn't right. Try again, or reset it if you forgot it.")).toBeVisible();

  await page.getByLabel("Current password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Password changed" })).toBeVisible();
  await expect(page.getByLabel("New password", { exact: true })).toHaveValue("");
  // The emptied form is checked in the browser as before.
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("New password", { exact: true })).toHaveAttribute("aria-invalid", "true");
  // This browser stays signed in.
  await page.reload();
  await expect(page).toHaveURL(/\/profile$/);
});

test("the sessions list shows this device and signs out another one", async ({ page, createUser, openOtherBrowser }) => {
  const user = await createUser();
  const other = await openOtherBrowser();
  await login(other.page, user);
  await login(page, user);

  const sessions = page.getByRole("region", { name: "Where you’re signed in" });
  await expect(sessions.getByRole("listitem").filter({ hasText: "This device" })).toHaveCount(1);
  // This browser, the other one, and the API session the fixture's verify call opened.
  const rows = sessions.getByRole("listitem");
  const before = await rows.count();
  expect(before).toBeGreaterThanOrEqual(2);
  await sessions.getByRole("button", { name: /^Sign out Chrome on / }).click();
  await expect(rows).toHaveCount(before - 1);

  await other.page.reload();
  await expect(other.page).toHaveURL(/\/login\?next=%2Fprofile$/);
});

test("Sign out of all devices ends the other browser's session too", async ({ page, createUser, openOtherBrowser }) => {
  const user = await createUser();
  const other = await openOtherBrowser();
  await login(other.page, user);
  await login(page, user);

  await page.getByRole("button", { name: "Sign out of all devices" }).click();
  await expect(page).toHaveURL(/\/login\?signedout=all$/);
  await expect(page.getByText("You're signed out on all your devices.")).toBeVisible();

  await other.page.reload();
  await expect(other.page).toHaveURL(/\/login\?next=%2Fprofile$/);
});

test("Sign out in the header ends this session", async ({ page, createUser }) => {
  const user = await createUser();
  await login(page, user);
  await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/profile");
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
});

test("next-auth's own sign-out route ends the server-side session, so a copied cookie stops working", async ({ page, createUser, browser }) => {
  const user = await createUser();
  await login(page, user);
  const cookies = await page.context().cookies();
  expect(cookies.some((c) => c.name.endsWith("next-auth.session-token"))).toBe(true);

  const { csrfToken } = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const signedOut = await page.request.post("/api/auth/signout", { form: { csrfToken, callbackUrl: "/login" }, maxRedirects: 0 });
  expect(signedOut.status()).toBeLessThan(400);

  // Someone who copied the cookie before the sign-out gets nothing with it.
  const copy = await browser.newContext({ baseURL: page.url() });
  await copy.addCookies(cookies.filter((c) => c.name.endsWith("next-auth.session-token")));
  const response = await copy.request.get("/profile", { maxRedirects: 0 });
  expect(response.status()).toBe(307);
  expect(response.headers().location).toMatch(/\/login\?next=%2Fprofile$/);
  await copy.close();
});
