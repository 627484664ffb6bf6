import type { Locator, Page } from "@playwright/test";
import {
  addVirtualAuthenticator,
  codeIn,
  expect,
  login,
  mailsTo,
  setGoogleIdentity,
  test,
  turnOnTwoFactor,
  uniqueEmail,
  type Mail,
} from "./fixtures";

/**
 * "Confirm it's you": a session whose proof is older than REAUTH_MAX_AGE_SECONDS (600 s; the
 * server's clock is moved on) asks for every factor of the account again before a sensitive
 * change, in one dialog, and the change then goes on by itself. The page either knows the proof
 * is stale (loaded after the clock moved: the step comes before the form) or learns it from the
 * action's answer (the page stayed open: the step comes after the submit, which is sent again).
 */

const STALE = 11 * 60_000;
const section = (page: Page, name: string) => page.getByRole("region", { name, exact: true });
const dialog = (page: Page) => page.getByRole("dialog", { name: "Confirm it’s you" });

async function expectFieldError(field: Locator, message: string) {
  await expect(field).toHaveAttribute("aria-invalid", "true");
  const describedBy = (await field.getAttribute("aria-describedby"))!.split(" ").at(-1)!;
  await expect(field.page().locator(`[id="${describedBy}"]`)).toHaveText(message);
}

/** The newest confirmation code e-mailed to `email`. */
async function reauthenticationCode(email: string): Promise<string> {
  let mail: Mail | undefined;
  await expect
    .poll(async () => {
      mail = (await mailsTo(email)).findLast((m) => /confirmation code/i.test(m.subject));
      return mail !== undefined;
    })
    .toBe(true);
  return codeIn(mail!);
}

async function signInWithGoogle(page: Page, tag: string) {
  const email = uniqueEmail(tag);
  await setGoogleIdentity({ sub: `google-${email}`, email, name: "Grace Google", email_verified: true });
  await page.goto("/login");
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  return email;
}

test("with the password: the action asks, Escape closes, and once confirmed the action goes on by itself", async ({ page, createUser, clock }) => {
  const user = await createUser();
  await login(page, user);
  // The page stays open while the proof goes stale: only the action's answer can tell.
  clock.later(STALE);
  const box = section(page, "Two-factor authentication");
  const setUp = box.getByRole("button", { name: "Set up two-factor authentication" });
  await setUp.click();

  const step = dialog(page);
  await expect(step).toBeVisible();
  const password = step.getByLabel("Current password", { exact: true });
  await expect(password).toBeFocused();
  // Nothing asked of an account without these.
  await expect(step.getByLabel("Authentication code", { exact: true })).toHaveCount(0);
  await expect(step.getByRole("button", { name: "Use a passkey instead" })).toHaveCount(0);

  // Escape closes it, focus goes back to the button, and the form says what is missing.
  await page.keyboard.press("Escape");
  await expect(step).toBeHidden();
  await expect(setUp).toBeFocused();
  await expect(box.getByRole("alert").filter({ hasText: "Confirm it's you first." })).toBeVisible();

  await setUp.click();
  await expect(password).toBeFocused();
  await password.fill("not my password");
  await step.getByRole("button", { name: "Confirm", exact: true }).click();
  await expectFieldError(password, "That password isn't right. Try again, or reset it if you forgot it.");
  await password.fill(user.password);
  await step.getByRole("button", { name: "Confirm", exact: true }).click();

  // No second click: the set-up that asked goes on.
  await expect(step).toBeHidden();
  await expect(box.getByRole("heading", { name: "Set up your authenticator app" })).toBeVisible();
  await expect(box.getByRole("alert")).toHaveText("");
  // Fresh now: the next step is not asked again.
  const secret = (await box.locator("code").innerText()).replace(/\s/g, "");
  await box.getByLabel("Authentication code", { exact: true }).fill(await clock.codeFor(secret));
  await box.getByRole("button", { name: "Turn on", exact: true }).click();
  await expect(box.getByRole("heading", { name: "Save your recovery codes" })).toBeFocused();
});

test("with the password and an authenticator code, on a two-factor account; before the form when the page knows", async ({ page, createUser, clock }) => {
  const user = await createUser();
  await login(page, user);
  const { secret, box } = await turnOnTwoFactor(page, clock.codeFor);
  await box.getByRole("button", { name: "I have saved them" }).click();
  clock.later(STALE);
  // Loaded after the proof went stale: the page knows, and asks before the form opens.
  await page.reload();

  const turnOff = section(page, "Two-factor authentication").getByRole("button", { name: "Turn off", exact: true });
  await turnOff.click();
  const step = dialog(page);
  await expect(step).toBeVisible();
  await expect(section(page, "Two-factor authentication").getByRole("button", { name: "Turn off two-factor authentication" })).toHaveCount(0);
  const password = step.getByLabel("Current password", { exact: true });
  const code = step.getByLabel("Authentication code", { exact: true });
  await password.fill(user.password);
  await code.fill("000000");
  await step.getByRole("button", { name: "Confirm", exact: true }).click();
  await expectFieldError(code, "That code isn't right. Enter the current code from your authenticator app, or a recovery code.");
  // Both fields were kept; the code is asked anew.
  await expect(password).toHaveValue(user.password);
  await code.fill(await clock.codeFor(secret));
  await step.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(step).toBeHidden();

  // The form it was asked for opens, its field focused, and says the code just used is spent.
  const twoFactor = section(page, "Two-factor authentication");
  const offCode = twoFactor.getByLabel("Authentication code", { exact: true });
  await expect(offCode).toBeFocused();
  await expect(twoFactor.getByText("Each code works only once. If you just entered one, wait for the app’s next code.")).toBeVisible();
  clock.later(30_000);
  await offCode.fill(await clock.codeFor(secret));
  await twoFactor.getByRole("button", { name: "Turn off two-factor authentication" }).click();
  await expect(twoFactor.getByRole("status").filter({ hasText: "Two-factor authentication is off." })).toBeVisible();
});

test("with a passkey (Chromium's virtual authenticator): both factors at once", async ({ page, createUser, clock }) => {
  const authenticator = await addVirtualAuthenticator(page);
  const user = await createUser();
  await login(page, user);
  const passkeys = section(page, "Passkeys");
  await passkeys.getByLabel("Passkey name", { exact: true }).fill("Laptop");
  await passkeys.getByRole("button", { name: "Add a passkey" }).click();
  await expect(passkeys.getByRole("status").filter({ hasText: "Passkey “Laptop” added." })).toBeVisible();
  expect(await authenticator.credentials()).toHaveLength(1);
  clock.later(STALE);
  await page.reload();

  const box = section(page, "Two-factor authentication");
  await box.getByRole("button", { name: "Set up two-factor authentication" }).click();
  const step = dialog(page);
  await expect(step.getByLabel("Current password", { exact: true })).toBeVisible();
  await step.getByRole("button", { name: "Use a passkey instead" }).click();
  await expect(step).toBeHidden();
  await expect(box.getByRole("heading", { name: "Set up your authenticator app" })).toBeVisible();
});

test("adding a passkey: the options ask, and the passkey is created after the confirmation", async ({ page, createUser, clock }) => {
  const authenticator = await addVirtualAuthenticator(page);
  const user = await createUser();
  await login(page, user);
  clock.later(STALE);
  const passkeys = section(page, "Passkeys");
  await passkeys.getByLabel("Passkey name", { exact: true }).fill("Phone");
  await passkeys.getByRole("button", { name: "Add a passkey" }).click();
  const step = dialog(page);
  await step.getByLabel("Current password", { exact: true }).fill(user.password);
  await step.getByRole("button", { name: "Confirm", exact: true }).click();
  // The same name, sent again with the new passkey.
  await expect(passkeys.getByRole("status").filter({ hasText: "Passkey “Phone” added." })).toBeVisible();
  expect(await authenticator.credentials()).toHaveLength(1);
});

test("with an e-mailed code, on an account that signs in only with Google", async ({ page, clock }) => {
  const email = await signInWithGoogle(page, "google-reauth");
  clock.later(STALE);
  await page.reload();

  const box = section(page, "E-mail address");
  await box.getByRole("button", { name: "Change e-mail address" }).click();
  const step = dialog(page);
  await expect(step).toContainText(email);
  await expect(step.getByLabel("Current password", { exact: true })).toHaveCount(0);
  const send = step.getByRole("button", { name: "Send me a code" });
  await expect(send).toBeFocused();
  await send.click();
  await expect(step.getByRole("status").filter({ hasText: "Code sent. It works for 10 minutes." })).toBeVisible();
  const otp = step.getByLabel("Code from the e-mail", { exact: true });
  await expect(otp).toBeFocused();
  await expect(step).toContainText(/enter the code we e.mailed to/);
  // One code a minute: a second one at once is refused with the limit's message, and the field stays.
  await step.getByRole("button", { name: "Send another code" }).click();
  await expect(step.getByRole("alert").filter({ hasText: /^Too many tries\. Wait \d+ seconds? and try again\.$/ })).toBeVisible();
  await expect(otp).toBeVisible();
  await otp.fill("000000");
  await step.getByRole("button", { name: "Confirm", exact: true }).click();
  await expectFieldError(otp, "That code isn't right. Check the latest e-mail or send a new code.");
  await otp.fill(await reauthenticationCode(email));
  await step.getByRole("button", { name: "Confirm", exact: true }).click();
  await expect(step).toBeHidden();

  // The form it was asked for opens; no password is asked of this account.
  const newEmail = box.getByLabel("New email", { exact: true });
  await expect(newEmail).toBeFocused();
  const address = uniqueEmail("google-moved");
  await newEmail.fill(address);
  await box.getByRole("button", { name: "Send confirmation link" }).click();
  await expect(box.getByRole("status").filter({ hasText: `We sent a link to ${address}.` })).toBeVisible();
});

test("deleting an account without a password, the page open past the proof's age: asked after the submit, then deleted", async ({ page, clock }) => {
  const email = await signInWithGoogle(page, "google-delete-late");
  const box = section(page, "Delete account");
  await box.getByRole("button", { name: "Delete account…" }).click();
  const field = box.getByLabel("Email", { exact: true });
  await field.fill(email);
  clock.later(STALE);
  await box.getByRole("button", { name: "Delete my account" }).click();

  const step = dialog(page);
  await step.getByRole("button", { name: "Send me a code" }).click();
  await step.getByLabel("Code from the e-mail", { exact: true }).fill(await reauthenticationCode(email));
  await step.getByRole("button", { name: "Confirm", exact: true }).click();
  // The deletion that asked goes on by itself.
  await expect(page).toHaveURL(/\/account-deleted$/);
});
