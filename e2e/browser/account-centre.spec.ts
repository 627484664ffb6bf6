import { readFileSync } from "node:fs";
import type { Locator, Page } from "@playwright/test";
import {
  addVirtualAuthenticator,
  codeIn,
  expect,
  linkIn,
  login,
  mailsTo,
  setGoogleIdentity,
  signOut,
  STRONG_PASSWORD,
  test,
  turnOnTwoFactor,
  uniqueEmail,
  waitForMail,
  withoutPasskeyAutofill,
  type TestUser,
} from "./fixtures";

/**
 * The account centre in the browser: two-factor authentication (set-up from the QR code's key,
 * the second step of a sign-in by code and by recovery code, new codes, turning it off),
 * passkeys (Chromium's virtual authenticator), e-mail change through the mailed link, and
 * account deletion.
 */

const section = (page: Page, name: string) => page.getByRole("region", { name, exact: true });
const twoFactor = (page: Page) => section(page, "Two-factor authentication");
const passkeys = (page: Page) => section(page, "Passkeys");

/** Email and password on /login, up to whatever comes next (the profile, or the second step). */
async function firstStep(page: Page, user: Pick<TestUser, "email" | "password">) {
  await page.goto("/login");
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

async function expectFieldError(field: Locator, message: string) {
  await expect(field).toHaveAttribute("aria-invalid", "true");
  const describedBy = (await field.getAttribute("aria-describedby"))!.split(" ").at(-1)!;
  await expect(field.page().locator(`[id="${describedBy}"]`)).toHaveText(message);
}

test.describe("two-factor authentication", () => {
  test("is set up from the QR code's key; the recovery codes are shown once, to copy or download", async ({ page, context, createUser, clock }) => {
    const user = await createUser();
    await login(page, user);
    const box = twoFactor(page);
    await expect(box.getByText("Off", { exact: true })).toBeVisible();
    await box.getByRole("button", { name: "Set up two-factor authentication" }).click();
    await expect(box.getByRole("heading", { name: "Set up your authenticator app" })).toBeFocused();
    const secret = (await box.locator("code").innerText()).replace(/\s/g, "");

    // A code of the wrong shape is refused in the browser; a wrong one by the server.
    const field = box.getByLabel("Authentication code", { exact: true });
    await expect(field).toHaveAttribute("inputmode", "numeric");
    await expect(field).toHaveAttribute("autocomplete", "one-time-code");
    await field.fill("12345");
    await box.getByRole("button", { name: "Turn on", exact: true }).click();
    await expectFieldError(field, "Enter the 6-digit code from your authenticator app.");
    await field.fill("000000");
    await box.getByRole("button", { name: "Turn on", exact: true }).click();
    await expectFieldError(field, "That code isn't right. Enter the current code from your authenticator app, or a recovery code.");
    // Authenticator apps show the code as "123 456".
    const code = await clock.codeFor(secret);
    await field.fill(`${code.slice(0, 3)} ${code.slice(3)}`);
    await box.getByRole("button", { name: "Turn on", exact: true }).click();

    await expect(box.getByRole("status").filter({ hasText: "Two-factor authentication is on." })).toBeVisible();
    await expect(box.getByRole("heading", { name: "Save your recovery codes" })).toBeFocused();
    const codes = await box.getByRole("list", { name: "Recovery codes" }).getByRole("listitem").allInnerTexts();
    expect(codes).toHaveLength(10);
    for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);

    await context.grantPermissions(["clipboard-read", "clipboard-write"]);
    await box.getByRole("button", { name: "Copy" }).click();
    await expect(box.getByRole("button", { name: "Copied" })).toBeVisible();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(codes.join("\n"));

    const [download] = await Promise.all([page.waitForEvent("download"), box.getByRole("button", { name: "Download" }).click()]);
    expect(download.suggestedFilename()).toBe("acme-accounts-recovery-codes.txt");
    const file = readFileSync((await download.path())!, "utf8");
    expect(file).toContain(`Acme Accounts recovery codes for ${user.email}`);
    for (const c of codes) expect(file).toContain(c);

    await box.getByRole("button", { name: "I have saved them" }).click();
    await expect(box.getByText("On", { exact: true })).toBeVisible();
    await expect(box.getByRole("list", { name: "Recovery codes" })).toHaveCount(0);
    // Shown once: not after a reload either.
    await page.reload();
    await expect(twoFactor(page).getByText("On", { exact: true })).toBeVisible();
    await expect(page.getByText(codes[0]!)).toHaveCount(0);
    expect((await waitForMail(user.email, 2)).subject).toMatch(/Two-factor authentication is on/);
  });

  test("signs in with a second step: an authenticator code, or a recovery code once; then turns off", async ({ page, createUser, clock }) => {
    const user = await createUser();
    await login(page, user);
    const { secret, recoveryCodes } = await turnOnTwoFactor(page, clock.codeFor);
    await twoFactor(page).getByRole("button", { name: "I have saved them" }).click();
    await signOut(page);

    // The password is only the first step.
    await firstStep(page, user);
    await expect(page).toHaveURL(/\/login\/two-factor\?next=%2Fprofile$/);
    const code = page.getByLabel("Authentication code", { exact: true });
    await expect(code).toBeFocused();
    await code.fill("000000");
    await page.getByRole("button", { name: "Verify" }).click();
    await expectFieldError(code, "That code isn't right. Enter the current code from your authenticator app, or a recovery code.");
    // The code that turned two-factor on is spent: the next one, 30 s later.
    clock.later(30_000);
    await code.fill(await clock.codeFor(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/profile$/);
    await signOut(page);

    await firstStep(page, user);
    await page.getByRole("link", { name: "Use a recovery code" }).click();
    const recovery = page.getByLabel("Recovery code", { exact: true });
    await expect(recovery).toBeFocused();
    await recovery.fill(recoveryCodes[0]!.toUpperCase());
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/profile$/);

    // Off with a recovery code: the one just used no longer works, another does.
    const box = twoFactor(page);
    await box.getByRole("button", { name: "Turn off", exact: true }).click();
    const offCode = box.getByLabel("Authentication code", { exact: true });
    await expect(offCode).toBeFocused();
    await offCode.fill(recoveryCodes[0]!);
    await box.getByRole("button", { name: "Turn off two-factor authentication" }).click();
    await expectFieldError(offCode, "That code isn't right. Enter the current code from your authenticator app, or a recovery code.");
    await offCode.fill(recoveryCodes[1]!);
    await box.getByRole("button", { name: "Turn off two-factor authentication" }).click();
    await expect(box.getByRole("status").filter({ hasText: "Two-factor authentication is off." })).toBeVisible();
    await expect(box.getByText("Off", { exact: true })).toBeVisible();

    await signOut(page);
    await login(page, user);
  });

  test("new recovery codes replace the old ones", async ({ page, createUser, clock }) => {
    const user = await createUser();
    await login(page, user);
    const { secret, recoveryCodes: old, box } = await turnOnTwoFactor(page, clock.codeFor);
    await box.getByRole("button", { name: "I have saved them" }).click();

    await box.getByRole("button", { name: "New recovery codes" }).click();
    await expect(box.getByRole("button", { name: "New recovery codes" })).toHaveAttribute("aria-expanded", "true");
    clock.later(30_000);
    await box.getByLabel("Authentication code", { exact: true }).fill(await clock.codeFor(secret));
    await box.getByRole("button", { name: "Make new codes" }).click();
    await expect(box.getByRole("heading", { name: "Your new recovery codes" })).toBeFocused();
    const fresh = await box.getByRole("list", { name: "Recovery codes" }).getByRole("listitem").allInnerTexts();
    expect(fresh).toHaveLength(10);
    expect(fresh.filter((c) => old.includes(c))).toEqual([]);
    await box.getByRole("button", { name: "I have saved them" }).click();
    await signOut(page);

    await firstStep(page, user);
    await page.getByRole("link", { name: "Use a recovery code" }).click();
    const recovery = page.getByLabel("Recovery code", { exact: true });
    await recovery.fill(old[2]!);
    await page.getByRole("button", { name: "Verify" }).click();
    await expectFieldError(recovery, "That code isn't right. Enter the current code from your authenticator app, or a recovery code.");
    await recovery.fill(fresh[2]!);
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/profile$/);
  });

  test("the second step: none without a first, and an expired one starts the sign-in over", async ({ page, createUser, clock }) => {
    await page.goto("/login/two-factor");
    await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);

    const user = await createUser();
    await login(page, user);
    const { secret, box } = await turnOnTwoFactor(page, clock.codeFor);
    await box.getByRole("button", { name: "I have saved them" }).click();
    await signOut(page);

    await firstStep(page, user);
    await expect(page).toHaveURL(/\/login\/two-factor/);
    // Five minutes is all a second step has.
    clock.later(5 * 60_000 + 30_000);
    await page.getByLabel("Authentication code", { exact: true }).fill(await clock.codeFor(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/login\?error=SignInAgain&next=%2Fprofile$/);
    await expect(page.getByRole("alert").filter({ hasText: "That sign-in took too long or had too many wrong codes." })).toBeVisible();
    // The dead step is forgotten: the code page sends you to sign in.
    await page.goto("/login/two-factor");
    await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
  });

  test("a Google sign-in of an account with two-factor on asks for the code too", async ({ page, clock }) => {
    const email = uniqueEmail("google-2fa");
    await setGoogleIdentity({ sub: `google-${email}`, email, name: "Grace Hopper", email_verified: true });
    await page.goto("/login");
    await page.getByRole("button", { name: "Continue with Google" }).click();
    await expect(page).toHaveURL(/\/profile$/);
    const { secret, box } = await turnOnTwoFactor(page, clock.codeFor);
    await box.getByRole("button", { name: "I have saved them" }).click();
    await signOut(page);

    await page.getByRole("button", { name: "Continue with Google" }).click();
    await expect(page).toHaveURL(/\/login\/two-factor/);
    clock.later(30_000);
    await page.getByLabel("Authentication code", { exact: true }).fill(await clock.codeFor(secret));
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page).toHaveURL(/\/profile$/);
    await expect(section(page, "E-mail address").getByText(email, { exact: true })).toBeVisible();
  });
});

test.describe("passkeys", () => {
  test("are added with a name, sign in with the button, and are removed", async ({ page, createUser }) => {
    await withoutPasskeyAutofill(page);
    const authenticator = await addVirtualAuthenticator(page);
    const user = await createUser();
    await login(page, user);
    const box = passkeys(page);
    await expect(box.getByText("No passkeys yet.")).toBeVisible();
    await box.getByLabel("Passkey name", { exact: true }).fill("Test laptop");
    await box.getByRole("button", { name: "Add a passkey" }).click();
    await expect(box.getByRole("status").filter({ hasText: "Passkey “Test laptop” added." })).toBeVisible();
    const row = box.getByRole("listitem").filter({ hasText: "Test laptop" });
    await expect(row).toContainText("Never used");
    await expect(box.getByLabel("Passkey name", { exact: true })).toHaveValue("");
    expect(await authenticator.credentials()).toHaveLength(1);
    expect((await waitForMail(user.email, 2)).subject).toMatch(/passkey/i);

    await signOut(page);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page).toHaveURL(/\/profile$/);
    await expect(passkeys(page).getByRole("listitem").filter({ hasText: "Test laptop" })).toContainText("Last used just now");

    // Removing asks first; Cancel keeps it.
    await passkeys(page).getByRole("button", { name: "Remove Test laptop" }).click();
    await passkeys(page).getByRole("button", { name: "Cancel" }).click();
    await expect(passkeys(page).getByRole("button", { name: "Remove Test laptop" })).toBeFocused();
    await passkeys(page).getByRole("button", { name: "Remove Test laptop" }).click();
    await passkeys(page).getByRole("button", { name: "Remove passkey" }).click();
    await expect(passkeys(page).getByRole("status").filter({ hasText: "Passkey removed." })).toBeVisible();
    await expect(passkeys(page).getByText("No passkeys yet.")).toBeVisible();

    // The authenticator still holds it, but the account no longer knows it.
    await signOut(page);
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "That passkey couldn't be checked. Please try again." })).toBeVisible();
    await expect(page).toHaveURL(/\/login$/);
  });

  test("sign in from the Email field's autofill, beside a password form that still works", async ({ page, createUser }) => {
    await addVirtualAuthenticator(page);
    const user = await createUser();
    // An authenticator without a passkey for this site: the pending autofill request is no obstacle.
    await login(page, user);
    await passkeys(page).getByLabel("Passkey name", { exact: true }).fill("Autofill");
    await passkeys(page).getByRole("button", { name: "Add a passkey" }).click();
    await expect(passkeys(page).getByRole("status").filter({ hasText: "added" })).toBeVisible();

    await signOut(page);
    // Nothing is asked of the authenticator until the Email field is used: the page stays.
    await page.waitForLoadState("networkidle");
    await expect(page).toHaveURL(/\/login$/);
    // Its first click arms the autofill; the virtual authenticator picks the passkey, and we are back.
    await page.getByLabel("Email", { exact: true }).click();
    await expect(page).toHaveURL(/\/profile$/);
    await expect(passkeys(page).getByRole("listitem").filter({ hasText: "Autofill" })).toContainText("Last used just now");
    await page.goto("/login");
    await expect(page.getByLabel("Email", { exact: true })).toHaveAttribute("autocomplete", "username webauthn");
  });

  test("a cancelled prompt saves nothing and says so", async ({ page, createUser }) => {
    const user = await createUser();
    await login(page, user);
    // What the browser answers when the person closes its passkey dialog.
    await page.evaluate(() => {
      navigator.credentials.create = () => Promise.reject(new DOMException("The operation either timed out or was not allowed.", "NotAllowedError"));
    });
    const box = passkeys(page);
    await box.getByLabel("Passkey name", { exact: true }).fill("Phone");
    await box.getByRole("button", { name: "Add a passkey" }).click();
    await expect(box.getByRole("status").filter({ hasText: "Adding a passkey was cancelled. Nothing was saved." })).toBeVisible();
    await expect(box.getByText("No passkeys yet.")).toBeVisible();
    await expect(box.getByLabel("Passkey name", { exact: true })).toHaveValue("Phone");

    await signOut(page);
    await page.evaluate(() => {
      navigator.credentials.get = () => Promise.reject(new DOMException("The operation either timed out or was not allowed.", "NotAllowedError"));
    });
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Signing in with a passkey was cancelled." })).toBeVisible();
    await expect(page.getByRole("button", { name: "Sign in with a passkey" })).toBeEnabled();
  });

  test("with two-factor on, a passkey that verified its user is both steps at once", async ({ page, createUser, clock }) => {
    await withoutPasskeyAutofill(page);
    await addVirtualAuthenticator(page);
    const user = await createUser();
    await login(page, user);
    const { box } = await turnOnTwoFactor(page, clock.codeFor);
    await box.getByRole("button", { name: "I have saved them" }).click();
    await passkeys(page).getByLabel("Passkey name", { exact: true }).fill("Phone");
    await passkeys(page).getByRole("button", { name: "Add a passkey" }).click();
    await expect(passkeys(page).getByRole("status").filter({ hasText: "Passkey “Phone” added." })).toBeVisible();
    await signOut(page);

    // The password needs the code; the passkey (with its PIN or biometrics) does not.
    await firstStep(page, user);
    await expect(page).toHaveURL(/\/login\/two-factor/);
    await page.goto("/login");
    await page.getByRole("button", { name: "Sign in with a passkey" }).click();
    await expect(page).toHaveURL(/\/profile$/);
  });
});

test.describe("e-mail address", () => {
  test("changes through the link sent to the new address, keeping this browser signed in", async ({ page, createUser, openOtherBrowser }) => {
    const user = await createUser();
    const taken = await createUser();
    const other = await openOtherBrowser();
    await login(other.page, user);
    await login(page, user);
    const box = section(page, "E-mail address");
    await expect(box.getByText(user.email, { exact: true })).toBeVisible();
    await box.getByRole("button", { name: "Change e-mail address" }).click();
    const newEmail = box.getByLabel("New email", { exact: true });
    await expect(newEmail).toBeFocused();
    const password = box.getByLabel("Current password", { exact: true });
    const send = box.getByRole("button", { name: "Send confirmation link" });

    await newEmail.fill(taken.email);
    await password.fill(user.password);
    await send.click();
    await expectFieldError(newEmail, `There’s already an account for ${taken.email}. Choose another address.`);
    const address = uniqueEmail("moved");
    await newEmail.fill(address);
    await password.fill("not my password");
    await send.click();
    await expectFieldError(password, "That password isn't right. Try again, or reset it if you forgot it.");
    await password.fill(user.password);
    await send.click();
    await expect(box.getByRole("status").filter({ hasText: `We sent a link to ${address}.` })).toBeVisible();
    // Ready to send again to the same address, with the password asked anew.
    await expect(newEmail).toHaveValue(address);
    await expect(password).toHaveValue("");
    await expect(box.getByRole("button", { name: "Send another link" })).toBeVisible();
    // Nothing changes until the link is opened; the old address is told at once.
    await expect(box.getByText(user.email, { exact: true })).toBeVisible();
    await expect.poll(async () => (await mailsTo(user.email)).some((m) => /e-mail/i.test(m.subject) && m.text.includes(address))).toBe(true);

    const link = linkIn(await waitForMail(address), "/confirm-email");
    await page.goto(link);
    await expect(page.getByRole("heading", { name: "Confirm your new e-mail address" })).toBeVisible();
    await page.getByRole("button", { name: "Confirm new address" }).click();
    // Signed in here: still, and back on the account page.
    await expect(page).toHaveURL(/\/profile\?emailchanged=1$/);
    await expect(page.getByText(`Your e-mail address is now ${address}. Other devices were signed out.`)).toBeVisible();
    await expect(section(page, "E-mail address").getByText(address, { exact: true })).toBeVisible();

    // The other browser was signed out; the link works once.
    await other.page.reload();
    await expect(other.page).toHaveURL(/\/login\?next=%2Fprofile$/);
    await page.goto(link);
    await expect(page.getByRole("heading", { name: "This link was already used" })).toBeVisible();

    await page.goto("/profile");
    await signOut(page);
    await login(page, { email: address, password: user.password });
  });
});

test.describe("account deletion", () => {
  test("with the password: signed out, the password no longer works, the address signs up again", async ({ page, createUser }) => {
    const user = await createUser();
    await login(page, user);
    const box = section(page, "Delete account");
    await box.getByRole("button", { name: "Delete account…" }).click();
    const password = box.getByLabel("Current password", { exact: true });
    await expect(password).toBeFocused();
    await password.fill("not my password");
    await box.getByRole("button", { name: "Delete my account" }).click();
    await expectFieldError(password, "That password isn't right. Try again, or reset it if you forgot it.");
    await password.fill(user.password);
    await box.getByRole("button", { name: "Delete my account" }).click();
    await expect(page).toHaveURL(/\/account-deleted$/);
    await expect(page.getByRole("heading", { name: "Your account is deleted" })).toBeVisible();
    await expect.poll(async () => (await mailsTo(user.email)).some((m) => /deleted/i.test(m.subject))).toBe(true);

    await page.goto("/profile");
    await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
    await firstStep(page, user);
    await expect(page.getByText("There's no account for this address. Check it for typos, or create an account.")).toBeVisible();

    await page.goto("/signup");
    await page.getByLabel("Name", { exact: true }).fill("Ada Again");
    await page.getByLabel("Email", { exact: true }).fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(STRONG_PASSWORD);
    await page.getByLabel("Confirm password", { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(page).toHaveURL(/\/verify\?email=/);
  });

  test("without a password: the account's address, after confirming it's you with an e-mailed code", async ({ page, clock }) => {
    const email = uniqueEmail("google-delete");
    await setGoogleIdentity({ sub: `google-${email}`, email, name: "Ada Google", email_verified: true });
    await page.goto("/login");
    await page.getByRole("button", { name: "Continue with Google" }).click();
    await expect(page).toHaveURL(/\/profile$/);

    // Eleven minutes on, the session's proof is too old to delete an account that has no password.
    clock.later(11 * 60_000);
    await page.reload();
    const box = section(page, "Delete account");
    await box.getByRole("button", { name: "Delete account…" }).click();
    const step = page.getByRole("dialog", { name: "Confirm it’s you" });
    await step.getByRole("button", { name: "Send me a code" }).click();
    await expect.poll(async () => (await mailsTo(email)).some((m) => /confirmation code/i.test(m.subject))).toBe(true);
    const mail = (await mailsTo(email)).find((m) => /confirmation code/i.test(m.subject))!;
    await step.getByLabel("Code from the e-mail", { exact: true }).fill(codeIn(mail));
    await step.getByRole("button", { name: "Confirm", exact: true }).click();
    await expect(step).toBeHidden();

    // The confirmation it was asked for opens by itself.
    const field = section(page, "Delete account").getByLabel("Email", { exact: true });
    await expect(field).toBeFocused();
    await field.fill(uniqueEmail("someone-else"));
    await section(page, "Delete account").getByRole("button", { name: "Delete my account" }).click();
    await expectFieldError(field, "Enter this account's e-mail address.");
    await field.fill(email);
    await section(page, "Delete account").getByRole("button", { name: "Delete my account" }).click();
    await expect(page).toHaveURL(/\/account-deleted$/);
  });
});
