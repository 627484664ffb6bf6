import { execFile } from "node:child_process";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import * as oidc from "openid-client";
import { testSecrets } from "../support/app-server";
import { ENV } from "./env";
import { addVirtualAuthenticator, expect, login, setGoogleIdentity, signOut, test, turnOnTwoFactor, uniqueEmail, waitForMail, withoutPasskeyAutofill } from "./fixtures";

/**
 * The OpenID provider (ADR 015) in Chromium: openid-client in the test process is the app (code +
 * PKCE, a public client), Chromium is the person, going through this service's login page and
 * consent page. The app's redirect URI is this server by another name, so on another origin as an
 * app's is (127.0.0.1 where the service is localhost; its /healthz answers 200 whatever the query):
 * the browser stops there and the code is read from its address (Playwright's routes do not see the
 * ends of redirect chains). Screenshots go to /tmp/shots-oidc/.
 */

const SHOTS = "/tmp/shots-oidc";
const REDIRECT_URI = `${process.env[ENV.baseUrl]!.replace("//localhost:", "//127.0.0.1:")}/healthz`;
const SFA = "https://refeds.org/profile/sfa";
const MFA = "https://refeds.org/profile/mfa";
const run = promisify(execFile);

/** Registers a public client as an operator does: `npm run oauth:client -- add … --public` against the suite's database. */
async function addPublicClient(name: string, ...more: string[]): Promise<string> {
  const root = process.cwd();
  const { stdout } = await run(path.join(root, "node_modules/.bin/tsx"), ["scripts/oauth-client.ts", "add", "--name", name, "--redirect-uri", REDIRECT_URI, "--public", ...more], {
    cwd: root,
    // A public client has no secret to seal: the server's AUTH_SECRET is not needed here.
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...testSecrets(), DATABASE_URL: process.env[ENV.databaseUrl]!, APP_URL: process.env[ENV.baseUrl]!, LOG_LEVEL: "silent", NODE_ENV: "development" },
  });
  return (JSON.parse(stdout.trim().split("\n").at(-1)!) as { client_id: string }).client_id;
}

/** The app's side: discovery, and an authorization URL with PKCE (S256), state and nonce. */
async function startSignIn(clientId: string, scope = "openid email profile", extra: Record<string, string> = {}) {
  const config = await oidc.discovery(new URL(process.env[ENV.baseUrl]!), clientId, undefined, oidc.None(), { execute: [oidc.allowInsecureRequests] });
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope, code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: "S256", state, nonce, ...extra });
  return { config, url: url.href, finish: (at: string) => oidc.authorizationCodeGrant(config, new URL(at), { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce }) };
}

let clientId: string;
let firstPartyId: string;

test.beforeAll(async () => {
  clientId = await addPublicClient("Example Planner");
  firstPartyId = await addPublicClient("Our Own App", "--first-party");
});

test("an app signs a person in: the login page, the consent page's Allow, and openid-client's code exchange", async ({ page, createUser }) => {
  const user = await createUser();
  const app = await startSignIn(clientId);

  await page.goto(app.url);
  await expect(page).toHaveURL(/\/login\?next=%2Foauth%2Finteraction%2F/);
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();

  await expect(page).toHaveURL(/\/oauth\/consent\?interaction=/);
  await expect(page.getByRole("heading", { name: "Allow access to your account?" })).toBeVisible();
  await expect(page.getByText(`Example Planner asks to use your account ${user.email}`)).toBeVisible();
  mkdirSync(SHOTS, { recursive: true });
  for (const [width, height] of [[390, 844], [1280, 900]] as const) {
    await page.setViewportSize({ width, height });
    await page.evaluate(() => document.fonts.ready);
    expect(await page.evaluate(() => document.documentElement.scrollWidth), `consent at ${width}`).toBeLessThanOrEqual(width);
    await page.screenshot({ path: `${SHOTS}/consent-${width}.png`, fullPage: true });
  }
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: `${SHOTS}/consent-dark-1280.png`, fullPage: true });
  await page.emulateMedia({ colorScheme: "light" });

  await page.getByRole("button", { name: "Allow", exact: true }).click();
  await page.waitForURL((url) => url.href.startsWith(`${REDIRECT_URI}?`));
  const tokens = await app.finish(page.url());
  expect(tokens.claims()).toMatchObject({ email: user.email, name: user.name, birthdate: user.dob, amr: ["pwd"], acr: SFA });
});

test("a passkey sign-in inside the flow says hwk (and mfa: the authenticator verified its user)", async ({ page, createUser }) => {
  await withoutPasskeyAutofill(page);
  await addVirtualAuthenticator(page);
  const user = await createUser();
  await login(page, user);
  const passkeys = page.getByRole("region", { name: "Passkeys", exact: true });
  await passkeys.getByLabel("Passkey name", { exact: true }).fill("Test laptop");
  await passkeys.getByRole("button", { name: "Add a passkey" }).click();
  await expect(passkeys.getByRole("status").filter({ hasText: "added" })).toBeVisible();
  await waitForMail(user.email, 2);
  await signOut(page);

  const app = await startSignIn(clientId, "openid");
  await page.goto(app.url);
  await expect(page).toHaveURL(/\/login\?next=%2Foauth%2Finteraction%2F/);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page).toHaveURL(/\/oauth\/consent\?interaction=/);
  await page.getByRole("button", { name: "Allow", exact: true }).click();
  await page.waitForURL((url) => url.href.startsWith(`${REDIRECT_URI}?`));
  expect((await app.finish(page.url())).claims()).toMatchObject({ amr: ["hwk", "mfa"], acr: MFA });
});

test("a first-party app: the sign-in goes straight back to it, and prompt=login asks a signed-in person to sign in again", async ({ page, createUser }) => {
  const user = await createUser();
  const first = await startSignIn(firstPartyId);
  await page.goto(first.url);
  await page.getByLabel("Email", { exact: true }).fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  // The sign-in's redirect goes to the interaction, whose answer leaves the site: the browser follows it, not a fetch of Next.js's router.
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.href.startsWith(`${REDIRECT_URI}?`));
  const firstAuthTime = (await first.finish(page.url())).claims()!.auth_time!;

  await page.waitForTimeout(1100);
  const again = await startSignIn(firstPartyId, "openid", { prompt: "login" });
  await page.goto(again.url);
  await expect(page).toHaveURL(/\/login\?next=%2Foauth%2Finteraction%2F.*&prompt=login/);
  await expect(page.getByText("sign in again to continue")).toBeVisible();
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(user.email);
  mkdirSync(SHOTS, { recursive: true });
  for (const [width, height] of [[390, 844], [1280, 900]] as const) {
    await page.setViewportSize({ width, height });
    await page.screenshot({ path: `${SHOTS}/login-again-${width}.png`, fullPage: true });
  }
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.href.startsWith(`${REDIRECT_URI}?`));
  expect((await again.finish(page.url())).claims()!.auth_time).toBeGreaterThan(firstAuthTime);
});

test("Google and the second step inside the flow: back to the app's interaction after the code, and fed, otp, mfa", async ({ page, clock }) => {
  const email = uniqueEmail("google-2fa");
  await setGoogleIdentity({ sub: `google-${email}`, email, name: "Grace Hopper", email_verified: true });
  await page.goto("/login");
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await expect(page).toHaveURL(/\/profile$/);
  const { secret, box } = await turnOnTwoFactor(page, clock.codeFor);
  await box.getByRole("button", { name: "I have saved them" }).click();
  await signOut(page);

  const app = await startSignIn(clientId, "openid email");
  await page.goto(app.url);
  await page.getByRole("button", { name: "Continue with Google" }).click();
  await expect(page).toHaveURL(/\/login\/two-factor\?next=%2Foauth%2Finteraction%2F/);
  // The code that turned two-factor on is spent: the next one, 30 s later.
  clock.later(30_000);
  await page.getByLabel("Authentication code", { exact: true }).fill(await clock.codeFor(secret));
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page).toHaveURL(/\/oauth\/consent\?interaction=/);
  await page.getByRole("button", { name: "Allow", exact: true }).click();
  await page.waitForURL((url) => url.href.startsWith(`${REDIRECT_URI}?`));
  expect((await app.finish(page.url())).claims()).toMatchObject({ email, amr: ["fed", "otp", "mfa"], acr: MFA });
});

test("prompt=login answered by signing in as another account: the app gets that account", async ({ page, createUser }) => {
  const [first, second] = [await createUser(), await createUser()];
  const start = await startSignIn(firstPartyId, "openid");
  await page.goto(start.url);
  await page.getByLabel("Email", { exact: true }).fill(first.email);
  await page.getByLabel("Password", { exact: true }).fill(first.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.href.startsWith(`${REDIRECT_URI}?`));
  const firstSub = (await start.finish(page.url())).claims()!.sub;

  // auth_time counts seconds: a proof in the request's own second would count as made for it.
  await page.waitForTimeout(1100);
  const again = await startSignIn(firstPartyId, "openid", { prompt: "login" });
  await page.goto(again.url);
  await expect(page).toHaveURL(/&prompt=login/);
  await page.getByLabel("Email", { exact: true }).fill(second.email);
  await page.getByLabel("Password", { exact: true }).fill(second.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.waitForURL((url) => url.href.startsWith(`${REDIRECT_URI}?`));
  const secondSub = (await again.finish(page.url())).claims()!.sub;
  expect(secondSub).not.toBe(firstSub);
  await page.goto("/profile");
  await expect(page.getByRole("main").getByText(second.email, { exact: true }).first()).toBeVisible();
});
