import { createHash, randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import type { Page } from "@playwright/test";
import { ENV } from "./env";
import { expect, expectAxeClean, login, operatorScript, test } from "./fixtures";

/**
 * The profile's Connected apps (ADR 015) in a browser: an app the person allowed on the consent
 * page is listed with what it may do and when it last got tokens; Revoke takes it off the list and
 * its refresh token stops working at once. Photographed at 390 and 1280 px, light and dark, into
 * /tmp/shots-connected-apps/ for a person to look at; axe checks the page. And the app's own
 * sign-out (RP-initiated logout) in the browser: back to the app, the browser signed out, the
 * offline grant alive.
 */

const SHOTS = "/tmp/shots-connected-apps";
const REDIRECT_URI = "https://notes.example.test/callback";
const section = (page: Page, name: string) => page.getByRole("region", { name, exact: true });

/** Registers a public client as an operator does, `npm run oauth:client -- add …`, against the suite's database. */
async function registerApp(name: string, ...more: string[]): Promise<string> {
  const stdout = await operatorScript("scripts/oauth-client.ts", "add", "--name", name, "--redirect-uri", REDIRECT_URI, "--public", ...more);
  return (JSON.parse(stdout.trim().split("\n").at(-1)!) as { client_id: string }).client_id;
}

async function tokenRequest(fields: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> {
  const res = await fetch(`${process.env[ENV.baseUrl]}/oauth/token`, { method: "POST", body: new URLSearchParams(fields) });
  return { status: res.status, body: (await res.json()) as Record<string, string> };
}

/** The app's side of the code flow with PKCE in this browser, through the consent page's Allow; the app's tokens. */
async function allowApp(page: Page, clientId: string): Promise<Record<string, string>> {
  // The app's site is not a real one: the browser's arrival there is caught here.
  await page.route("https://notes.example.test/**", (route) =>
    route.fulfill({ status: 200, contentType: "text/html", body: "<!doctype html><html lang=en><title>Example Notes</title><p>Back at the app.</p></html>" }),
  );
  const verifier = randomBytes(32).toString("base64url");
  const authorization = new URLSearchParams({
    client_id: clientId,
    redirect_uri: REDIRECT_URI,
    response_type: "code",
    scope: "openid email profile offline_access",
    prompt: "consent",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    state: "state-1",
  });
  await page.goto(`/oauth/auth?${authorization}`);
  await expect(page).toHaveURL(/\/oauth\/consent\?interaction=/);
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL(/^https:\/\/notes\.example\.test\/callback\?/);
  const code = new URL(page.url()).searchParams.get("code")!;
  // The app exchanges the code: a public client, with its PKCE verifier.
  const tokens = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI, client_id: clientId, code_verifier: verifier });
  expect(tokens.status, JSON.stringify(tokens.body)).toBe(200);
  return tokens.body;
}

async function photograph(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await page.reload();
      await page.evaluate(() => document.fonts.ready);
      await section(page, "Connected apps").scrollIntoViewIfNeeded();
      await section(page, "Connected apps").screenshot({ path: `${SHOTS}/${name}-${colorScheme}-${width}.png` });
      if (colorScheme === "light") await page.screenshot({ path: `${SHOTS}/${name}-page-${width}.png`, fullPage: true });
      // Nothing sticks out sideways.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      if (width !== 390) continue;
      await expectAxeClean(page, `${name} (${colorScheme})`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
}

test("Connected apps lists an app the person allowed, what it may do and its last use; Revoke ends its tokens", async ({ page, createUser }) => {
  test.setTimeout(120_000);
  const user = await createUser();
  const clientId = await registerApp("Example Notes");
  await login(page, user);
  await expect(section(page, "Connected apps").getByText("No apps are connected.", { exact: false })).toBeVisible();

  const tokens = await allowApp(page, clientId);
  expect(tokens.refresh_token).toBeTruthy();

  await page.goto("/profile");
  const apps = section(page, "Connected apps");
  const item = apps.getByRole("listitem").filter({ hasText: "Example Notes" });
  await expect(item).toBeVisible();
  for (const may of ["Confirm who you are", "See your e-mail address and whether it is confirmed", "See your name and date of birth", "Stay connected while you are away"]) {
    await expect(item.getByText(may, { exact: true })).toBeVisible();
  }
  await expect(item.getByText("Last used just now")).toBeVisible();
  await photograph(page, "connected-apps");

  await apps.getByRole("button", { name: "Revoke Example Notes" }).click();
  await expect(apps.getByText("No apps are connected.", { exact: false })).toBeVisible();
  await expect(apps.getByRole("listitem")).toHaveCount(0);
  // Its refresh token stopped working at once.
  const refreshed = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: clientId });
  expect(refreshed.status).toBe(400);
  expect(refreshed.body.error).toBe("invalid_grant");
  await photograph(page, "connected-apps-none");
});

test("an app's sign-out (RP-initiated logout) comes back to the app, ends the browser session and leaves the offline grant working", async ({ page, createUser }) => {
  const user = await createUser();
  const clientId = await registerApp("Example Notes", "--post-logout-redirect-uri", "https://notes.example.test/signed-out");
  await login(page, user);
  const tokens = await allowApp(page, clientId);

  const logout = new URLSearchParams({ client_id: clientId, post_logout_redirect_uri: "https://notes.example.test/signed-out", state: "bye" });
  await page.goto(`/oauth/session/end?${logout}`);
  await expect(page.getByRole("heading", { name: "Sign out?" })).toBeVisible();
  await expect(page.getByText("Example Notes asks to sign you out")).toBeVisible();
  for (const width of [390, 1280]) {
    await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
    await page.screenshot({ path: `${SHOTS}/sign-out-${width}.png`, fullPage: true });
  }
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  // The form's answer is a redirect to the app: the page's CSP must let the browser follow it.
  await page.waitForURL(/^https:\/\/notes\.example\.test\/signed-out\?state=bye$/);
  await page.goto("/profile");
  await expect(page).toHaveURL(/\/login\?next=%2Fprofile$/);
  // Offline by definition: the app's refresh token still works.
  const refreshed = await tokenRequest({ grant_type: "refresh_token", refresh_token: tokens.refresh_token!, client_id: clientId });
  expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200);
});
