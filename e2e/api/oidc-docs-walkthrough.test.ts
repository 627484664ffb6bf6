import { readFileSync } from "node:fs";
import path from "node:path";
import * as openidClient from "openid-client";
import ts from "typescript";
import { expect, it } from "vitest";
import { baseUrl } from "./client";
import { registeredVerifiedUser } from "./helpers";
import { addClient, Browser } from "./oidc-support";

/**
 * docs/oidc.md's "Any Node.js app with openid-client", run as a reader runs it: the app is
 * registered with the command the guide gives, and the guide's own code (its TypeScript, as
 * written) signs a person in, reads userinfo and refreshes, against this service. Only what a test
 * must change is changed: the issuer's address is the test server's, which speaks plain http, and
 * the person's browser is the test's. Editing the guide changes what runs here.
 */

const GUIDE = readFileSync(path.resolve(import.meta.dirname, "../../docs/oidc.md"), "utf8");
const SECTION = "## Any Node.js app with openid-client";
const GUIDE_ISSUER = "https://accounts.example.com";

/** The section's first TypeScript block, split where its comments say the callback begins. */
function guideCode(): { start: string; callback: string } {
  const section = GUIDE.slice(GUIDE.indexOf(SECTION));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error(`no TypeScript block under "${SECTION}"`);
  const code = block.replace(/^import \* as client from "openid-client";\n/m, "").replaceAll(GUIDE_ISSUER, baseUrl());
  const at = code.indexOf("// 2.");
  return { start: code.slice(0, at), callback: code.slice(at) };
}

/** The registration command the guide gives for the redirect URI its code uses, as arguments. */
function registrationFor(redirectUri: string): string[] {
  const line = GUIDE.split("\n").find((l) => l.startsWith("npm run oauth:client -- add ") && l.includes(`--redirect-uri ${redirectUri}`));
  if (!line) throw new Error(`the guide registers no client with ${redirectUri}`);
  return [...line.slice("npm run oauth:client -- add ".length).matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...args: string[]) => (...values: unknown[]) => Promise<unknown>;

/** Runs a piece of the guide's TypeScript with `names` bound to `values`; what `returns` names, afterwards. */
async function runGuide(code: string, names: string[], values: unknown[], returns: string[]): Promise<Record<string, unknown>> {
  // Compiled as a function's body (the guide's top-level awaits included), then run as one.
  const js = ts.transpileModule(`async function guide() {\n${code}\nreturn { ${returns.join(", ")} };\n}`, {
    compilerOptions: { target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const body = js.slice(js.indexOf("{") + 1, js.lastIndexOf("}"));
  return (await new AsyncFunction(...names, body)(...values)) as Record<string, unknown>;
}

it("signs a person in, reads userinfo and refreshes, with the guide's registration and code as written", async () => {
  const { start, callback } = guideCode();
  const redirectUri = /redirect_uri: "([^"]+)"/.exec(start)?.[1];
  expect(redirectUri).toBeTruthy();
  const registered = await addClient(...registrationFor(redirectUri!));
  // The test server speaks http: openid-client asks to be told that is fine.
  const client = { ...openidClient, discovery: (...args: Parameters<typeof openidClient.discovery>) => openidClient.discovery(args[0], args[1], args[2], args[3], { execute: [openidClient.allowInsecureRequests] }) };

  const begun = await runGuide(start, ["client", "CLIENT_ID", "CLIENT_SECRET"], [client, registered.client_id, registered.client_secret], ["config", "verifier", "state", "nonce", "url"]);

  const user = await registeredVerifiedUser();
  const browser = new Browser();
  await browser.signIn(user.email, user.password, "/profile");
  const landed = await browser.follow(String(begun.url));
  const uid = new URL(landed.url).searchParams.get("interaction");
  expect(new URL(landed.url).pathname, landed.url).toBe("/oauth/consent");
  const allowed = await browser.consent(uid!, "allow");
  const back = await browser.follow(allowed.headers.get("location")!);
  expect(back.url.startsWith(`${redirectUri}?`), back.url).toBe(true);

  const done = await runGuide(
    callback,
    ["client", "config", "verifier", "state", "nonce", "currentUrl"],
    [client, begun.config, begun.verifier, begun.state, begun.nonce, new URL(back.url)],
    ["tokens", "sub", "email", "profile", "refreshed"],
  );
  expect(done).toMatchObject({ sub: String(user.userId), email: user.email, profile: { sub: String(user.userId), email: user.email } });
  expect((done.refreshed as { access_token?: string }).access_token).toBeTruthy();
  expect((done.refreshed as { refresh_token?: string }).refresh_token).not.toBe((done.tokens as { refresh_token?: string }).refresh_token);
}, 60_000);
