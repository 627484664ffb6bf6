import type { Page, Route } from "@playwright/test";
import { codeIn, expect, linkIn, login, mailsTo, setGoogleIdentity, test, uniqueEmail, waitForMail } from "./fixtures";

test("an unverified account signing in is sent to /verify, and the code signs it in", async ({ page, createUser }) => {
  const user = await createUser({ verified: false });
  await waitForMail(user.email);
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/verify\?email=.*&next=%2Fprofile/);

  // Within a minute of the sign-up mail no second one is sent: the first code stays valid.
  const code = codeIn((await mailsTo(user.email)).at(-1)!);
  await page.keyboard.type(code);
  await expect(page).toHaveURL(/\/profile$/);
});

test("a wrong password is refused under the Password field", async ({ page, createUser }) => {
  const user = await createUser();
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("That password isn't right.")).toBeVisible();
  await expect(page.getByLabel("Password", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page).toHaveURL(/\/login$/);
});

test("a protected page sends you to sign in, and back afterwards", async ({ page, createUser }) => {
  const user = await createUser();
  await page.goto("/profile");
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/profile$/);
});

test("next=//evil.example is ignored", async ({ page, createUser, baseURL }) => {
  const user = await createUser();
  await login(page, user, "/login?next=//evil.example");
  expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
  await expect(page).toHaveURL(/\/profile$/);
});

test("show password reveals what was typed", async ({ page }) => {
  await page.goto("/login");
  const password = page.getByLabel("Password", { exact: true });
  const toggle = page.getByRole("button", { name: "Show password", exact: true });
  await password.fill("secret words");
  await expect(password).toHaveAttribute("type", "password");
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await toggle.click();
  await expect(password).toHaveAttribute("type", "text");
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
});

test("Continue with Google goes through the issuer and comes back signed in", async ({ page }) => {
  await page.goto("/login");
  const google = page.getByRole("button", { name: "Continue with Google" });
  // The suite's server is configured for Google (GOOGLE_ISSUER = the local issuer): the button must be there.
  await expect(google).toBeVisible();

  const email = uniqueEmail("google");
  await setGoogleIdentity({ sub: `google-${email}`, email, name: "Katherine Johnson", email_verified: true });
  await google.click();
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole("main").locator("dl").getByText(email, { exact: true })).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Katherine Johnson");
  // A Google-only account has no password yet; being signed in is not enough to set one: a link
  // to the address is (a stolen session must not become a password).
  const section = page.getByRole("region", { name: "Set a password" });
  await expect(section).toBeVisible();
  await expect(page.getByLabel("New password", { exact: true })).toHaveCount(0);
  await section.getByRole("button", { name: "E-mail me a link" }).click();
  await expect(section.getByRole("status").filter({ hasText: `We sent a link to ${email}` })).toBeVisible();
  const mail = await waitForMail(email);
  expect(mail.subject).toMatch(/Set a password/);
  await page.goto(linkIn(mail, "/reset-password"));
  const password = "katherine's own passphrase";
  await page.getByLabel("New password", { exact: true }).fill(password);
  await page.getByLabel("Confirm password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1$/);
  await login(page, { email, password });
  await expect(page.getByRole("heading", { name: "Change password" })).toBeVisible();
});

test("a Google account whose e-mail Google has not verified is turned away with a message", async ({ page }) => {
  await page.goto("/login");
  const google = page.getByRole("button", { name: "Continue with Google" });
  // The suite's server is configured for Google (GOOGLE_ISSUER = the local issuer): the button must be there.
  await expect(google).toBeVisible();

  const email = uniqueEmail("google-unverified");
  await setGoogleIdentity({ sub: `google-${email}`, email, name: "Unverified", email_verified: false });
  await google.click();
  await expect(page).toHaveURL(/\/login\?error=GoogleEmailUnverified$/);
  await expect(page.getByRole("alert").filter({ hasText: "Google hasn't verified the e-mail address" })).toBeVisible();
});

test("a Google sign-in error comes back as a message on the login page", async ({ page }) => {
  for (const [code, text] of [
    ["OAuthCallback", "Signing in with Google was cancelled"],
    ["GoogleEmailUnverified", "Google hasn't verified the e-mail address"],
    ["AccountDisabled", "This account has been disabled."],
    ["AccessDenied", "Google sign-in isn't allowed for this account."],
    ["SignInAgain", "That sign-in took too long"],
    ["SomethingElse", "Signing in didn't work. Please try again."],
  ]) {
    await page.goto(`/login?error=${code}`);
    await expect(page.getByRole("alert").filter({ hasText: text })).toBeVisible();
  }
});

// Strings only react-hook-form's and SimpleWebAuthn's code contain (not our own, nor the framework's).
const REACT_HOOK_FORM = "select-multiple";
const SIMPLE_WEBAUTHN = "Browser does not support WebAuthn autofill";

/** The text of every script the page has loaded so far. */
async function loadedScripts(page: Page): Promise<string[]> {
  const urls = await page.evaluate(() =>
    performance.getEntriesByType("resource").flatMap((entry) => (entry.name.endsWith(".js") ? [entry.name] : [])),
  );
  return Promise.all(urls.map(async (url) => (await page.request.get(url)).text()));
}

test("/login fetches react-hook-form and SimpleWebAuthn when used, and keeps what was typed before they came", async ({ page }) => {
  await page.goto("/login");
  await page.waitForLoadState("networkidle");
  const before = await loadedScripts(page);
  expect(before.filter((script) => script.includes(REACT_HOOK_FORM)), "react-hook-form on load").toEqual([]);
  expect(before.filter((script) => script.includes(SIMPLE_WEBAUTHN)), "SimpleWebAuthn on load").toEqual([]);

  // Scripts asked for from now on wait until released: the person types and moves on meanwhile.
  const held: Route[] = [];
  let released = false;
  await page.route("**/_next/static/**/*.js", (route) => (released ? route.continue() : void held.push(route)));
  const email = page.getByLabel("Email", { exact: true });
  const password = page.getByLabel("Password", { exact: true });
  await email.click();
  await page.keyboard.type("not-an-address");
  await expect.poll(() => held.length, "scripts asked for on the first focus").toBeGreaterThan(0);
  await password.click();
  await page.keyboard.type("scret");
  // The caret goes back between "s" and "c", and must stay there.
  for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowLeft");
  await expect(email).toHaveValue("not-an-address");
  await expect(email).not.toHaveAttribute("aria-invalid", "true");

  released = true;
  for (const route of held.splice(0)) await route.continue();
  // The blur that came before react-hook-form counts: the Email field is checked; focus, caret and values stay.
  await expect(page.getByText("Enter an e-mail address like name@example.com.")).toBeVisible();
  await expect(email).toHaveAttribute("aria-invalid", "true");
  await expect(email).toHaveValue("not-an-address");
  await expect(password).toBeFocused();
  await page.keyboard.type("e");
  await expect(password).toHaveValue("secret");
  // Touched, the field is checked again as it is edited.
  await email.fill("someone@example.com");
  await expect(email).not.toHaveAttribute("aria-invalid", "true");
  const after = await loadedScripts(page);
  expect(after.some((script) => script.includes(REACT_HOOK_FORM))).toBe(true);
  expect(after.some((script) => script.includes(SIMPLE_WEBAUTHN))).toBe(true);
});

test("without its validation code (the fetch failed) /login still sends the form, and the server checks it", async ({ page, consoleErrors }) => {
  await page.goto("/login");
  await page.waitForLoadState("networkidle");
  let refused = 0;
  await page.route("**/_next/static/**/*.js", (route) => (refused++, route.abort()));
  await page.getByLabel("Email", { exact: true }).fill("not-an-address");
  await page.getByLabel("Password", { exact: true }).fill("whatever");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page.getByText("Enter an e-mail address like name@example.com.")).toBeVisible();
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue("not-an-address");
  // The refused scripts (asked for again on each new focus) are the browser's only complaint.
  expect(refused).toBeGreaterThan(0);
  await page.close();
  const expected = /Failed to load resource: net::ERR_FAILED \(.*\/_next\/static\/.*\.js\)$/;
  consoleErrors.splice(0, consoleErrors.length, ...consoleErrors.filter((e) => !expected.test(e)));
});
