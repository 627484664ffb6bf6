import { mkdirSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import type { Locator, Page, TestInfo } from "@playwright/test";
import {
  addVirtualAuthenticator,
  expect,
  linkIn,
  login,
  setGoogleIdentity,
  signOut,
  test,
  turnOnTwoFactor,
  uniqueEmail,
  waitForMail,
  withoutPasskeyAutofill,
  type TestUser,
} from "./fixtures";

/**
 * Every page, in light and dark, checked by axe (no serious or critical violations) and
 * photographed at a phone width (390 px) and a desktop width (1280 px) into
 * test-results/screenshots/ for a person to look at.
 */

const SCHEMES = ["light", "dark"] as const;
const WIDTHS = [390, 1280] as const;
const SCREENSHOTS = "test-results/screenshots";

/**
 * `shot`: photograph only this part (a profile section), or only what the screen shows (a modal
 * dialog over the page), not the whole page; axe still checks the page.
 */
async function checkPage(page: Page, testInfo: TestInfo, name: string, open: () => Promise<void>, shot?: (() => Locator) | "viewport") {
  mkdirSync(SCREENSHOTS, { recursive: true });
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await open();
      // Fonts and the first paint settled: screenshots are stable, axe sees final colours. After a
      // client-side navigation (a server action's redirect) the page's title streams in with its
      // metadata, a moment after the content: wait for it as a reader's screen reader would.
      await page.evaluate(() => document.fonts.ready);
      await expect(page).toHaveTitle(/\S/);
      const path = `${SCREENSHOTS}/${name}-${colorScheme}-${width}.png`;
      await (typeof shot === "function" ? shot().screenshot({ path }) : page.screenshot({ path, fullPage: shot !== "viewport" }));
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
    await expect(page.getByText("Enter an e-mail address like name@example.com.")).toBeVisible();
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
    await expect(page.getByText("Fill in this field.").first()).toBeVisible();
  });
});

test("verify", async ({ page, createUser }, testInfo) => {
  const user = await createUser({ verified: false });
  await checkPage(page, testInfo, "verify", async () => {
    await page.goto(`/verify?email=${encodeURIComponent(user.email)}`);
  });
  await checkPage(page, testInfo, "verify-errors", async () => {
    await page.goto(`/verify?email=${encodeURIComponent(user.email)}`);
    await page.getByRole("button", { name: "Confirm" }).click();
    await expect(page.getByText("Enter the 4-digit code from the e-mail.")).toBeVisible();
  });
  await checkPage(page, testInfo, "verify-resend-wait", async () => {
    await page.goto(`/verify?email=${encodeURIComponent(user.email)}`);
    await page.getByRole("button", { name: "Send a new code" }).click();
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
    await expect(page.getByText("If there's an account for that address")).toBeVisible();
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

/** For a state that takes steps to reach: the first call takes them; the others only look again (other width, other scheme). */
function once(steps: () => Promise<void>): () => Promise<void> {
  let done = false;
  return async () => {
    if (done) return;
    done = true;
    await steps();
  };
}

const region = (page: Page, name: string) => page.getByRole("region", { name, exact: true });

test("sign in with messages of the account centre", async ({ page }, testInfo) => {
  await checkPage(page, testInfo, "login-sign-in-again", async () => {
    await page.goto("/login?error=SignInAgain");
  });
});

test("the second step: code, a wrong code, and a recovery code", async ({ page, createUser, clock }, testInfo) => {
  const user = await createUser();
  await login(page, user);
  await (await turnOnTwoFactor(page, clock.codeFor)).box.getByRole("button", { name: "I have saved them" }).click();
  await signOut(page);
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/login\/two-factor/);
  const url = page.url();
  await checkPage(page, testInfo, "two-factor", async () => {
    await page.goto(url);
  });
  await checkPage(page, testInfo, "two-factor-errors", async () => {
    await page.goto(url);
    await page.getByLabel("Authentication code", { exact: true }).fill("000000");
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByText("That code isn't right.")).toBeVisible();
  });
  await checkPage(page, testInfo, "two-factor-recovery", async () => {
    await page.goto(url);
    await page.getByRole("link", { name: "Use a recovery code" }).click();
    await expect(page.getByLabel("Recovery code", { exact: true })).toBeFocused();
    await page.getByRole("button", { name: "Verify" }).click();
    await expect(page.getByText("Enter one of your recovery codes.")).toBeVisible();
  });
});

test("profile: two-factor set-up, recovery codes, and turning off", async ({ page, createUser, clock }, testInfo) => {
  const user = await createUser();
  await login(page, user);
  const box = () => region(page, "Two-factor authentication");
  await checkPage(
    page,
    testInfo,
    "profile-2fa-setup",
    async () => {
      await page.goto("/profile");
      await box().getByRole("button", { name: "Set up two-factor authentication" }).click();
      await box().getByLabel("Authentication code", { exact: true }).fill("000000");
      await box().getByRole("button", { name: "Turn on", exact: true }).click();
      await expect(box().getByText("That code isn't right. Enter the current code from your authenticator app, or a recovery code.")).toBeVisible();
    },
    box,
  );
  await page.goto("/profile");
  await checkPage(page, testInfo, "profile-2fa-recovery-codes", once(async () => void (await turnOnTwoFactor(page, clock.codeFor))), box);
  await box().getByRole("button", { name: "I have saved them" }).click();
  await checkPage(
    page,
    testInfo,
    "profile-2fa-turn-off",
    async () => {
      await page.goto("/profile");
      await box().getByRole("button", { name: "Turn off", exact: true }).click();
      await box().getByRole("button", { name: "Turn off two-factor authentication" }).click();
      await expect(box().getByText("Enter a code from your authenticator app, or a recovery code.")).toBeVisible();
    },
    box,
  );
});

test("profile: passkeys", async ({ page, createUser }, testInfo) => {
  await withoutPasskeyAutofill(page);
  await addVirtualAuthenticator(page);
  const user = await createUser();
  await login(page, user);
  const keys = () => region(page, "Passkeys");
  for (const name of ["MacBook Pro (work)", "A passkey with a rather long name to see it wrap"]) {
    // One passkey per authenticator (a second on the same one is refused, as it should be).
    if (name !== "MacBook Pro (work)") await addVirtualAuthenticator(page, { transport: "usb" });
    await keys().getByLabel("Passkey name", { exact: true }).fill(name);
    await keys().getByRole("button", { name: "Add a passkey" }).click();
    await expect(keys().getByRole("status").filter({ hasText: "added" })).toBeVisible();
  }
  await signOut(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await checkPage(
    page,
    testInfo,
    "profile-passkeys",
    async () => {
      await page.goto("/profile");
      await keys().getByRole("button", { name: "Remove MacBook Pro (work)" }).click();
    },
    keys,
  );
});

test("profile: e-mail change and the danger zone", async ({ page, createUser }, testInfo) => {
  const user = await createUser();
  await login(page, user);
  const email = () => region(page, "E-mail address");
  await checkPage(
    page,
    testInfo,
    "profile-email-change",
    async () => {
      await page.goto("/profile");
      await email().getByRole("button", { name: "Change e-mail address" }).click();
      await email().getByLabel("New email", { exact: true }).fill(user.email);
      await email().getByRole("button", { name: "Send confirmation link" }).click();
      await expect(email().getByText("Fill in this field.")).toBeVisible();
    },
    email,
  );
  await checkPage(
    page,
    testInfo,
    "profile-email-change-sent",
    async () => {
      await page.goto("/profile");
      await email().getByRole("button", { name: "Change e-mail address" }).click();
      await email().getByLabel("New email", { exact: true }).fill(uniqueEmail("a-rather-long-new-address-for-wrapping"));
      await email().getByLabel("Current password", { exact: true }).fill(user.password);
      await email().getByRole("button", { name: "Send confirmation link" }).click();
      await expect(email().getByRole("status").filter({ hasText: "We sent a link to" })).toBeVisible();
    },
    email,
  );
  const danger = () => region(page, "Delete account");
  await checkPage(
    page,
    testInfo,
    "profile-delete-account",
    async () => {
      await page.goto("/profile");
      await danger().getByRole("button", { name: "Delete account…" }).click();
      await danger().getByLabel("Current password", { exact: true }).fill("not my password");
      await danger().getByRole("button", { name: "Delete my account" }).click();
      await expect(danger().getByText("That password isn't right. Try again, or reset it if you forgot it.")).toBeVisible();
    },
    danger,
  );
  // The whole page with everything on it, as it now reads.
  await checkPage(page, testInfo, "profile-account-centre", async () => {
    await page.goto("/profile");
  });
});

test("profile: confirm it's you, with a password, an authenticator code and a passkey", async ({ page, createUser, clock }, testInfo) => {
  await withoutPasskeyAutofill(page);
  await addVirtualAuthenticator(page);
  const user = await createUser();
  await login(page, user);
  await (await turnOnTwoFactor(page, clock.codeFor)).box.getByRole("button", { name: "I have saved them" }).click();
  await region(page, "Passkeys").getByLabel("Passkey name", { exact: true }).fill("Laptop");
  await region(page, "Passkeys").getByRole("button", { name: "Add a passkey" }).click();
  await expect(region(page, "Passkeys").getByRole("status").filter({ hasText: "added" })).toBeVisible();
  // Past the proof's ten minutes: the page asks before the form opens.
  clock.later(11 * 60_000);
  const step = page.getByRole("dialog", { name: "Confirm it’s you" });
  await checkPage(
    page,
    testInfo,
    "confirm-its-you",
    async () => {
      await page.goto("/profile");
      await region(page, "Two-factor authentication").getByRole("button", { name: "Turn off", exact: true }).click();
      await expect(step.getByLabel("Current password", { exact: true })).toBeFocused();
    },
    "viewport",
  );
  await checkPage(
    page,
    testInfo,
    "confirm-its-you-errors",
    async () => {
      await page.goto("/profile");
      await region(page, "Two-factor authentication").getByRole("button", { name: "Turn off", exact: true }).click();
      await step.getByRole("button", { name: "Confirm", exact: true }).click();
      await expect(step.getByText("Fill in this field.")).toBeVisible();
    },
    "viewport",
  );
});

test("profile: confirm it's you with an e-mailed code (an account without a password)", async ({ page, clock }, testInfo) => {
  const email = uniqueEmail("google-look");
  await setGoogleIdentity({ sub: `google-${email}`, email, name: "Look Google", email_verified: true });
  await page.goto("/login");
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  await checkPage(
    page,
    testInfo,
    "profile-delete-no-password",
    async () => {
      await page.goto("/profile");
      await region(page, "Delete account").getByRole("button", { name: "Delete account…" }).click();
    },
    () => region(page, "Delete account"),
  );
  clock.later(11 * 60_000);
  const step = page.getByRole("dialog", { name: "Confirm it’s you" });
  await checkPage(
    page,
    testInfo,
    "confirm-its-you-email",
    async () => {
      await page.goto("/profile");
      await region(page, "Delete account").getByRole("button", { name: "Delete account…" }).click();
      await expect(step.getByRole("button", { name: "Send me a code" })).toBeFocused();
    },
    "viewport",
  );
  // One code sent; the other widths and schemes look at the same dialog again.
  await checkPage(
    page,
    testInfo,
    "confirm-its-you-email-sent",
    once(async () => {
      await page.goto("/profile");
      await region(page, "Delete account").getByRole("button", { name: "Delete account…" }).click();
      await step.getByRole("button", { name: "Send me a code" }).click();
      await expect(step.getByLabel("Code from the e-mail", { exact: true })).toBeFocused();
    }),
    "viewport",
  );
});

test("confirm-email: the link landing, an expired link, and where it leads", async ({ page, createUser, request }, testInfo) => {
  await checkPage(page, testInfo, "confirm-email-expired", async () => {
    await page.goto("/confirm-email?token=not-a-real-token");
  });
  const user = await createUser();
  const login = await request.post("/auth/login/", { data: { email: user.email, password: user.password } });
  const token = ((await login.json()) as { tokens: { access_token: string } }).tokens.access_token;
  const address = uniqueEmail("new-look");
  const change = await request.post("/auth/email/change/", { headers: { authorization: `Bearer ${token}` }, data: { new_email: address, password: user.password } });
  expect(change.status(), await change.text()).toBe(200);
  const link = linkIn(await waitForMail(address), "/confirm-email");
  await checkPage(page, testInfo, "confirm-email", async () => {
    await page.goto(link);
    await expect(page.getByRole("button", { name: "Confirm new address" })).toBeVisible();
  });
  // Confirmed in a browser that is not signed in: on to sign in, with the new address.
  await checkPage(
    page,
    testInfo,
    "login-email-changed",
    once(async () => {
      await page.goto(link);
      await page.getByRole("button", { name: "Confirm new address" }).click();
      await expect(page).toHaveURL(/\/login\?emailchanged=1&email=/);
      await expect(page.getByLabel("Email", { exact: true })).toHaveValue(address);
    }),
  );
});

test("account deleted", async ({ page }, testInfo) => {
  await checkPage(page, testInfo, "account-deleted", async () => {
    await page.goto("/account-deleted");
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
