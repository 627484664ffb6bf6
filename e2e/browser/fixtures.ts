import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import AxeBuilder from "@axe-core/playwright";
import Database from "better-sqlite3";
import { generate } from "otplib";
import { test as base, expect, type APIRequestContext, type Browser, type BrowserContext, type CDPSession, type Page } from "@playwright/test";
import { mailbox, STRONG_PASSWORD, uniqueEmail, type Mail } from "../support/mailbox";
import { ENV, type GoogleIdentity } from "./env";

/**
 * Fixtures in the manner of the Epic Stack's playwright-utils: users made through the public API
 * (each test its own, with unique addresses), codes and links read from the mail the app really
 * sent (the SMTP sink's HTTP API), `login` through the real form, and a watch on the browser
 * console: an unexpected console.error or uncaught exception fails the test.
 */

export { STRONG_PASSWORD, uniqueEmail, type Mail } from "../support/mailbox";

export interface TestUser {
  email: string;
  password: string;
  name: string;
  mobile: string;
  dob: string;
}

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run through playwright.config.ts (its globalSetup sets it)`);
  return value;
};

export const { mailsTo, waitForMail } = mailbox(() => env(ENV.mailApiUrl));

/** The code is the first number in the text part (lib/mail/templates.ts puts it on its own line). */
export const codeIn = (mail: Mail) => {
  const code = /^(\d{4,10})$/m.exec(mail.text)?.[1];
  if (!code) throw new Error(`no code in mail "${mail.subject}"`);
  return code;
};

/** The path and query of the first link to `pathname` in the mail, to open against baseURL. */
export const linkIn = (mail: Mail, pathname: "/confirm" | "/confirm-email" | "/reset-password") => {
  const url = /(https?:\/\/\S+)/g;
  for (const [, href] of mail.text.matchAll(url)) {
    const parsed = new URL(href!);
    if (parsed.pathname === pathname) return `${parsed.pathname}${parsed.search}`;
  }
  throw new Error(`no ${pathname} link in mail "${mail.subject}"`);
};

/**
 * Runs one of the server's shell scripts (`scripts/oauth-client.ts`, `scripts/user-role.ts`) as an
 * operator does, against the suite's database; its standard output. What it stores needs no
 * secret of the server's (a public client, a role): the development secrets of a scratch DATA_DIR do.
 */
export async function operatorScript(script: string, ...args: string[]): Promise<string> {
  const root = path.resolve(import.meta.dirname, "../..");
  const { stdout } = await promisify(execFile)(path.join(root, "node_modules/.bin/tsx"), [script, ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      DATABASE_URL: env(ENV.databaseUrl),
      APP_URL: env(ENV.baseUrl),
      DATA_DIR: mkdtempSync(path.join(tmpdir(), "auth-operator-script-")),
      LOG_LEVEL: "silent",
      NODE_ENV: "development",
    },
  });
  return stdout;
}

/** Signs a user up through the Django service's `POST /auth/`, verified with the e-mailed code unless told not to. */
export async function createUser(
  request: APIRequestContext,
  { verified = true, ...fields }: Partial<TestUser> & { verified?: boolean } = {},
): Promise<TestUser> {
  const user: TestUser = {
    email: uniqueEmail(),
    password: STRONG_PASSWORD,
    name: "Ada Lovelace",
    mobile: "+44 20 7946 0958",
    dob: "1990-01-12",
    ...fields,
  };
  const res = await request.post("/auth/", {
    data: { name: user.name, dob: user.dob, mobile: user.mobile, email: user.email, password: user.password },
  });
  expect(res.status(), await res.text()).toBe(201);
  if (verified) {
    const code = codeIn(await waitForMail(user.email));
    const ok = await request.post("/auth/verify/otp/", { data: { email: user.email, otp: code } });
    expect(ok.status(), await ok.text()).toBe(200);
  }
  return user;
}

/** Signs in through the login form and waits for the profile page. */
export async function login(page: Page, user: Pick<TestUser, "email" | "password">, path = "/login") {
  await page.goto(path);
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/profile(\?|$)/);
}

/**
 * Chromium's virtual authenticator (over CDP), a platform authenticator with resident keys that
 * verifies its user: passkeys are created and used without any prompt to click through.
 */
export async function addVirtualAuthenticator(page: Page, { transport = "internal" }: { transport?: "internal" | "usb" } = {}) {
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    // Chromium has one platform ("internal") authenticator at most; a second one is a security key.
    options: { protocol: "ctap2", transport, hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { credentials: async () => (await cdp.send("WebAuthn.getCredentials", { authenticatorId })).credentials };
}

/**
 * The virtual authenticator answers the Email field's autofill request (conditional mediation) at
 * once, where a person would pick the passkey from the suggestions. Tests of the button take that
 * request away, as a browser without passkey autofill would.
 */
export const withoutPasskeyAutofill = (page: Page) =>
  page.addInitScript(() => {
    if (window.PublicKeyCredential) PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });

/** axe on the page as it is now: no serious or critical violation of WCAG 2.2 AA or of best practice. */
export async function expectAxeClean(page: Page, what: string) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]).analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(serious, `axe on ${what}`).toEqual([]);
}

/** Makes `email` an admin as an operator does: `npm run user:role -- <email> admin`. */
export const grantAdmin = (email: string) => operatorScript("scripts/user-role.ts", email, "admin");

/**
 * Photographs the page as it is now into `dir`, light and dark at 390 and 1280 px (full length, or
 * the viewport for a dialog), with transitions finished (a photograph just after the scheme
 * changed would catch colours half way); checks nothing sticks out sideways at either width, and
 * runs axe at the phone width. No reload: what is on screen (a secret shown once) stays.
 */
export async function photograph(page: Page, dir: string, name: string, shot: "full" | "viewport" = "full") {
  mkdirSync(dir, { recursive: true });
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: width < 600 ? 844 : 900 });
      await page.evaluate(() => document.fonts.ready);
      await page.screenshot({ path: `${dir}/${name}-${colorScheme}-${width}.png`, fullPage: shot === "full", animations: "disabled" });
      expect(await page.evaluate(() => document.documentElement.scrollWidth), `${name} at ${width} px`).toBeLessThanOrEqual(width);
      if (width === 390) await expectAxeClean(page, `${name} (${colorScheme})`);
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** Signs out with the header's button. */
export async function signOut(page: Page) {
  await page.getByRole("banner").getByRole("button", { name: "Sign out" }).click();
  // The sign-in page; with ?next= when a refresh of the page (after the action just before)
  // was still on its way as the session ended: the page then sends the visitor to sign in too.
  await expect(page).toHaveURL(/\/login(\?next=%2F[a-z-]*)?$/);
  await expect(page.getByRole("heading", { name: /sign in/i })).toBeVisible();
}

/** Turns two-factor on from /profile with the key shown beside the QR code; the secret and the recovery codes. */
export async function turnOnTwoFactor(page: Page, codeFor: (secret: string) => Promise<string>) {
  const box = page.getByRole("region", { name: "Two-factor authentication", exact: true });
  await box.getByRole("button", { name: "Set up two-factor authentication" }).click();
  await expect(box.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
  const secret = (await box.locator("code").innerText()).replace(/\s/g, "");
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  await box.getByLabel("Authentication code", { exact: true }).fill(await codeFor(secret));
  await box.getByRole("button", { name: "Turn on", exact: true }).click();
  const list = box.getByRole("list", { name: "Recovery codes" });
  await expect(list.getByRole("listitem")).toHaveCount(10);
  const recoveryCodes = await list.getByRole("listitem").allInnerTexts();
  return { secret, recoveryCodes, box };
}

/** The identity the stand-in Google signs in as on its next authorization. */
export async function setGoogleIdentity(identity: GoogleIdentity) {
  const res = await fetch(`${env(ENV.googleControlUrl)}/identity`, { method: "POST", body: JSON.stringify(identity) });
  if (!res.ok) throw new Error("could not set the mock Google identity");
}

/** Console errors a test may not cause. Failed requests show up here too (a 404 asset, a CSP block). */
function watchConsole(page: Page, errors: string[]) {
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const source = message.location().url;
    errors.push(`console.error on ${page.url()}: ${message.text()}${source && source !== page.url() ? ` (${source})` : ""}`);
  });
  page.on("pageerror", (error) => errors.push(`uncaught on ${page.url()}: ${error.message}`));
}

/**
 * Every test runs from 127.0.0.1, so the per-address limits of the contract (30 requests per 5
 * minutes per group of endpoints) would count the whole suite as one client. TRUST_PROXY stays
 * off here (a browser cannot vary its address), so each test starts with those counters cleared
 * instead; the per-address and per-account limits are tested in e2e/api.
 */
function clearClientRateLimits() {
  const file = fileURLToPath(env(ENV.databaseUrl).replace(/^file:/, "file://"));
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 5000");
    db.prepare(`DELETE FROM "RateLimit" WHERE "key" LIKE 'client:%'`).run();
  } finally {
    db.close();
  }
}

// Fixture bodies name Playwright's callback `provide`, not `use`: the React hooks lint rule would
// take `use(…)` for React's hook.
interface Fixtures {
  consoleErrors: string[];
  /** A page in a second, separate browser (its own cookies), watched like `page`. */
  openOtherBrowser: () => Promise<{ context: BrowserContext; page: Page }>;
  createUser: (fields?: Partial<TestUser> & { verified?: boolean }) => Promise<TestUser>;
  resetRateLimits: void;
  /**
   * The server's clock (lib/clock.ts), moved forward with `later(ms)` and back to real time after
   * the test; `codeFor(secret)` is the authenticator code for the server's "now".
   */
  clock: { later: (ms: number) => void; codeFor: (secret: string) => Promise<string> };
}

export const test = base.extend<Fixtures>({
  resetRateLimits: [
    async ({}, provide) => {
      clearClientRateLimits();
      await provide();
    },
    { auto: true },
  ],
  consoleErrors: async ({}, provide) => {
    const errors: string[] = [];
    await provide(errors);
    expect(errors, "the browser console must stay free of errors").toEqual([]);
  },
  page: async ({ page, consoleErrors }, provide) => {
    watchConsole(page, consoleErrors);
    await provide(page);
  },
  openOtherBrowser: async ({ browser, consoleErrors }: { browser: Browser; consoleErrors: string[] }, provide) => {
    const contexts: BrowserContext[] = [];
    await provide(async () => {
      const context = await browser.newContext({ baseURL: env(ENV.baseUrl) });
      contexts.push(context);
      const page = await context.newPage();
      watchConsole(page, consoleErrors);
      return { context, page };
    });
    for (const context of contexts) await context.close();
  },
  createUser: async ({ request }, provide) => {
    await provide((fields) => createUser(request, fields));
  },
  clock: async ({}, provide) => {
    let offset = 0;
    const write = (ms: number) => writeFileSync(env(ENV.clockFile), String(ms));
    await provide({
      later: (ms) => write((offset += ms)),
      codeFor: (secret) => generate({ secret, epoch: Math.floor((Date.now() + offset) / 1000) }),
    });
    write(0);
  },
});

export { expect };
