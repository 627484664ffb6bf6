import { codeIn, expect, STRONG_PASSWORD, test, uniqueEmail, waitForMail } from "./fixtures";

/**
 * The signed-out pages in the reader's language (the browser's Accept-Language): a whole sign-up
 * in German, field errors included, and the sign-in page in Arabic, laid out right to left.
 */

test.describe("in German", () => {
  test.use({ locale: "de-DE" });

  test("sign up, confirm with the e-mailed code, sign in again", async ({ page }) => {
    const email = uniqueEmail("de-signup");
    await page.goto("/signup");
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await expect(page).toHaveTitle(/^Konto erstellen/);
    await expect(page.getByRole("heading", { name: "Konto erstellen" })).toBeVisible();

    // The browser's own check, in German.
    await page.getByRole("button", { name: "Konto erstellen" }).click();
    await expect(page.getByLabel("Name", { exact: true })).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText("Füllen Sie dieses Feld aus.").first()).toBeVisible();
    await page.getByLabel("Passwort", { exact: true }).fill("kurz");
    await expect(page.getByText("Verwenden Sie mindestens 8 Zeichen.", { exact: false })).toBeVisible();

    await page.getByLabel("Name", { exact: true }).fill("Emmy Noether");
    await page.getByLabel("E-Mail", { exact: true }).fill(email);
    await page.getByLabel("Passwort", { exact: true }).fill(STRONG_PASSWORD);
    await page.getByLabel("Passwort bestätigen", { exact: true }).fill("etwas anderes");
    await page.getByRole("button", { name: "Konto erstellen" }).click();
    await expect(page.getByText("Die beiden Passwörter", { exact: false })).toBeVisible();
    await page.getByLabel("Passwort bestätigen", { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole("button", { name: "Konto erstellen" }).click();

    await expect(page).toHaveURL(/\/verify\?email=/);
    await expect(page.getByRole("heading", { name: "Prüfen Sie Ihre E-Mails" })).toBeVisible();
    await expect(page.getByText(`Oder öffnen Sie den Link in der E-Mail, die wir an ${email} gesendet haben.`)).toBeVisible();
    const code = codeIn(await waitForMail(email));
    // A wrong code first: the server's answer, in German.
    await page.keyboard.type(code.replace(/^./, (d) => String((Number(d) + 1) % 10)));
    await expect(page.getByText("Dieser Code stimmt nicht.", { exact: false })).toBeVisible();
    await expect(page.getByRole("group", { name: "Bestätigungscode" })).toBeVisible();
    await expect(page.getByLabel("Ziffer 1 von 4")).toBeFocused();
    await page.keyboard.type(code);
    await expect(page).toHaveURL(/\/profile$/);

    // Signed out (a fresh start of the browser), then in again with the German form.
    await page.context().clearCookies();
    await page.goto("/login");
    await expect(page.getByRole("heading", { name: "Anmelden" })).toBeVisible();
    await page.getByLabel("E-Mail", { exact: true }).fill(email);
    await page.getByLabel("Passwort", { exact: true }).fill("falsch falsch falsch");
    await page.getByRole("button", { name: "Anmelden", exact: true }).click();
    await expect(page.getByText("Dieses Passwort stimmt nicht.", { exact: false })).toBeVisible();
    await page.getByLabel("Passwort", { exact: true }).fill(STRONG_PASSWORD);
    await page.getByRole("button", { name: "Anmelden", exact: true }).click();
    await expect(page).toHaveURL(/\/profile$/);
  });
});

test.describe("in Arabic", () => {
  test.use({ locale: "ar" });

  test("the sign-in page reads right to left", async ({ page }) => {
    await page.goto("/login");
    const html = page.locator("html");
    await expect(html).toHaveAttribute("lang", "ar");
    await expect(html).toHaveAttribute("dir", "rtl");
    await expect(page.getByRole("heading", { name: "تسجيل الدخول" })).toBeVisible();

    // Mirrored: the labels start at the card's right edge, the show-password button sits at the field's left end.
    const card = (await page.getByRole("region", { name: "تسجيل الدخول" }).boundingBox())!;
    const label = (await page.locator("label", { hasText: "البريد الإلكتروني" }).boundingBox())!;
    const cardContentRight = card.x + card.width;
    expect(label.x + label.width).toBeGreaterThan(cardContentRight - 60);
    expect(label.x).toBeGreaterThan(card.x + card.width / 2);
    const password = (await page.getByLabel("كلمة المرور", { exact: true }).boundingBox())!;
    const toggle = (await page.getByRole("button", { name: "إظهار كلمة المرور" }).boundingBox())!;
    expect(toggle.x + toggle.width / 2).toBeLessThan(password.x + password.width / 2);

    // The browser's own check, in Arabic; the address field stays left to right.
    await expect(page.getByLabel("البريد الإلكتروني", { exact: true })).toHaveAttribute("dir", "ltr");
    await page.getByRole("button", { name: "تسجيل الدخول", exact: true }).click();
    await expect(page.getByText("املأ هذا الحقل.").first()).toBeVisible();
  });
});
