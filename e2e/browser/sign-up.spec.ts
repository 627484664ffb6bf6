import { codeIn, expect, linkIn, mailsTo, STRONG_PASSWORD, test, uniqueEmail, waitForMail } from "./fixtures";
import type { Page } from "@playwright/test";

async function fillSignUp(page: Page, email: string) {
  await page.goto("/signup");
  await page.getByLabel("Name", { exact: true }).fill("Grace Hopper");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(STRONG_PASSWORD);
  await page.getByLabel("Confirm password", { exact: true }).fill(STRONG_PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/verify\?email=/);
}

test("sign up, type the e-mailed code, land on the profile", async ({ page }) => {
  const email = uniqueEmail("signup-code");
  await fillSignUp(page, email);
  await expect(page.getByRole("heading", { name: "Check your e-mail" })).toBeVisible();
  await expect(page.getByText(`Or open the link in the e-mail we sent to ${email}.`)).toBeVisible();

  const code = codeIn(await waitForMail(email));
  // Typing moves from box to box by itself; the last digit sends the form.
  await expect(page.getByLabel("Digit 1 of 4")).toBeFocused();
  await page.keyboard.type(code);
  await expect(page).toHaveURL(/\/profile$/);
  await expect(page.getByRole("heading", { name: "Your account" })).toBeVisible();
  await expect(page.getByRole("main").getByText(email, { exact: true })).toBeVisible();
  await expect(page.getByText("Verified", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Grace Hopper");
});

test("sign up, click the e-mailed link, land on the profile", async ({ page }) => {
  const email = uniqueEmail("signup-link");
  await fillSignUp(page, email);
  const link = linkIn(await waitForMail(email), "/confirm");
  await page.goto(link);
  await expect(page).toHaveURL(/\/profile\?confirmed=1$/);
  await expect(page.getByText("Your e-mail address is confirmed and you’re signed in.")).toBeVisible();

  // The link works once: a second visit says it was used, and that the address is confirmed.
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "This link was already used" })).toBeVisible();
  await expect(page.getByText("Your e-mail address is confirmed. Sign in to continue.")).toBeVisible();
  await expect(page.getByRole("link", { name: "Sign in" })).toHaveAttribute("href", "/login");
});

test("by default the sign-up page asks for a name besides e-mail and password, nothing more", async ({ page }) => {
  await page.goto("/signup");
  await expect(page.getByLabel("Name", { exact: true })).toBeVisible();
  await expect(page.getByLabel("Email", { exact: true })).toBeVisible();
  for (const label of [/Mobile/, /Date of birth/, /Role/]) await expect(page.getByLabel(label)).toHaveCount(0);
});

test("sign-up errors show under their fields, from the browser and from the server", async ({ page, createUser }) => {
  await page.goto("/signup");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Name", { exact: true })).toBeFocused();
  await expect(page.getByText("Fill in this field.")).toHaveCount(3);
  await page.getByLabel("Password", { exact: true }).fill("short");
  await expect(page.getByText("Use at least 8 characters.")).toBeVisible();

  const taken = await createUser();
  await page.getByLabel("Name", { exact: true }).fill("Someone Else");
  await page.getByLabel("Email", { exact: true }).fill(uniqueEmail("common"));
  await page.getByLabel("Password", { exact: true }).fill("password");
  await page.getByLabel("Confirm password", { exact: true }).fill("password");
  await page.getByRole("button", { name: "Create account" }).click();
  // Only the server knows these two.
  await expect(page.getByText("This password is one of the most common ones")).toBeVisible();
  await expect(page.getByLabel("Password", { exact: true })).toBeFocused();
  await page.getByLabel("Email", { exact: true }).fill(taken.email);
  await page.getByLabel("Password", { exact: true }).fill(STRONG_PASSWORD);
  await page.getByLabel("Confirm password", { exact: true }).fill(STRONG_PASSWORD);
  // The server's message goes away once the field is edited.
  await expect(page.getByText("This password is one of the most common ones")).toHaveCount(0);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText(`There's already an account for ${taken.email}. Sign in, or reset its password if you forgot it.`)).toBeVisible();
  // What was typed is still there, the password included (it never went through the server's answer).
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("Someone Else");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue(STRONG_PASSWORD);
});

test("a wrong code is refused with a message, then the right one (pasted) works", async ({ page, createUser }) => {
  const user = await createUser({ verified: false });
  const code = codeIn(await waitForMail(user.email));
  const wrong = code.replace(/^./, (d) => String((Number(d) + 1) % 10));

  await page.goto(`/verify?email=${encodeURIComponent(user.email)}`);
  await page.keyboard.type(wrong);
  await expect(page.getByText("That code isn't right. Check the latest e-mail or send a new code.")).toBeVisible();
  await expect(page.getByRole("group", { name: "Confirmation code" })).toBeVisible();
  // The boxes are emptied for the next try, and the first has focus again.
  await expect(page.getByLabel("Digit 1 of 4")).toHaveValue("");
  await expect(page.getByLabel("Digit 1 of 4")).toBeFocused();

  await page.getByLabel("Digit 1 of 4").evaluate((box, text) => {
    const data = new DataTransfer();
    data.setData("text", text);
    box.dispatchEvent(new ClipboardEvent("paste", { clipboardData: data, bubbles: true, cancelable: true }));
  }, code);
  await expect(page).toHaveURL(/\/profile$/);
});

test("Backspace in an empty box goes back; the Confirm button sends the code", async ({ page, createUser }) => {
  const user = await createUser({ verified: false });
  const code = codeIn(await waitForMail(user.email));
  await page.goto(`/verify?email=${encodeURIComponent(user.email)}`);
  await page.keyboard.type("12");
  await page.keyboard.press("Backspace");
  await page.keyboard.press("Backspace");
  await expect(page.getByLabel("Digit 1 of 4")).toHaveValue("");
  await expect(page.getByLabel("Digit 1 of 4")).toBeFocused();
  await page.keyboard.type(code.slice(0, 3));
  await expect(page.getByLabel("Digit 4 of 4")).toBeFocused();
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByText("Enter the 4-digit code from the e-mail.")).toBeVisible();
  await page.keyboard.type(code.slice(3));
  await expect(page).toHaveURL(/\/profile$/);
});

test("Send a new code shows a countdown", async ({ page, createUser }) => {
  const user = await createUser({ verified: false });
  await waitForMail(user.email);
  await page.goto(`/verify?email=${encodeURIComponent(user.email)}`);
  await page.getByRole("button", { name: "Send a new code" }).click();
  // The sign-up mail went out seconds ago: the server asks to wait for the rest of the minute.
  const countdown = page.getByText(/You can ask again in \d+ s/);
  await expect(countdown).toBeVisible();
  const first = Number(/(\d+) s/.exec((await countdown.textContent()) ?? "")?.[1]);
  expect(first).toBeGreaterThan(30);
  expect(first).toBeLessThanOrEqual(60);
  await expect(page.getByRole("button", { name: "Send a new code" })).toHaveAttribute("aria-disabled", "true");
  await expect(countdown).not.toHaveText(`You can ask again in ${first} s`, { timeout: 3000 });
  expect((await mailsTo(user.email)).length).toBe(1);
});
