import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import * as oidc from "openid-client";
import { inject } from "vitest";
import { baseUrl, randomIp } from "./client";
import { postFormAction } from "./helpers";

/**
 * What the OpenID provider's tests share (ADR 015): a client registered as an operator does, a
 * browser that is plain fetch with a cookie jar (as the other HTTP tests drive the pages), and
 * openid-client (panva) as the relying party.
 */

const run = promisify(execFile);
export const REDIRECT_URI = "https://rp.example.test/callback";

/** Registers a client as an operator does, from a shell on the server: `npm run oauth:client -- add …`. */
export async function addClient(...args: string[]): Promise<{ client_id: string; client_secret?: string }> {
  return addClientTo(undefined, ...args);
}

/** The same, for another deployment than the suite's server (its database and public address). */
export async function addClientTo(deployment: Deployment | undefined, ...args: string[]): Promise<{ client_id: string; client_secret?: string }> {
  const stdout = await clientCommand(deployment, "add", ...args);
  return JSON.parse(stdout.trim().split("\n").at(-1)!) as { client_id: string; client_secret?: string };
}

/** `npm run oauth:client -- remove CLIENT_ID`, as an operator runs it on the server. */
export async function removeClient(clientId: string): Promise<void> {
  await clientCommand(undefined, "remove", clientId);
}

interface Deployment {
  databaseUrl: string;
  appUrl: string;
  /** Its AUTH_SECRET seals the client's secret. */
  secrets: Record<string, string>;
}

async function clientCommand(deployment: Deployment | undefined, ...args: string[]): Promise<string> {
  const root = path.resolve(import.meta.dirname, "../..");
  const { databaseUrl, appUrl, secrets } = deployment ?? { databaseUrl: inject("databaseUrl"), appUrl: baseUrl(), secrets: inject("serverSecrets") };
  const { stdout } = await run(path.join(root, "node_modules/.bin/tsx"), ["scripts/oauth-client.ts", ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...secrets, DATABASE_URL: databaseUrl, APP_URL: appUrl, LOG_LEVEL: "silent", NODE_ENV: "development" },
  });
  return stdout;
}

/** A browser: cookies by name and path (the provider's interaction cookies are per path), redirects followed by hand. */
export class Browser {
  private jar = new Map<string, { name: string; value: string; path: string }>();
  readonly ip = randomIp();

  cookie(pathname = "/"): string {
    return [...this.jar.values()]
      .filter((c) => pathname === c.path || pathname.startsWith(c.path.endsWith("/") ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join("; ");
  }

  keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1);
      const path = attrs.map((a) => /^\s*path=(.*)$/i.exec(a)?.[1]?.trim()).find(Boolean) ?? "/";
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=.*1970/i.test(a)) || value === "";
      if (gone) this.jar.delete(`${name} ${path}`);
      else this.jar.set(`${name} ${path}`, { name, value, path });
    }
  }

  async get(url: string): Promise<Response> {
    const target = new URL(url, baseUrl());
    const res = await fetch(target, { redirect: "manual", headers: { cookie: this.cookie(target.pathname), accept: "text/html", "x-forwarded-for": this.ip } });
    this.keep(res);
    return res;
  }

  /** Follows redirects from `url` until one leaves this service (the app's redirect URI) or a page answers. */
  async follow(url: string): Promise<{ url: string; res?: Response }> {
    let next = new URL(url, baseUrl()).href;
    for (let hops = 0; hops < 10; hops++) {
      if (!next.startsWith(baseUrl())) return { url: next };
      const res = await this.get(next);
      const location = res.headers.get("location");
      if (res.status < 300 || res.status >= 400 || !location) return { url: next, res };
      next = new URL(location, next).href;
    }
    throw new Error(`too many redirects, last ${next}`);
  }

  /** Signs in through the login page's action, as the browser's form does. */
  async signIn(email: string, password: string, next: string): Promise<string | null> {
    const res = await postFormAction("/login", "loginAction", { email, password, next }, { cookie: this.cookie("/login"), "x-forwarded-for": this.ip });
    this.keep(res);
    // Next.js names the redirect's kind after a ";" ("…;push").
    return res.headers.get("x-action-redirect")?.split(";")[0] ?? null;
  }

  /** Presses Allow or Deny on the consent page: its form posts to the interaction. */
  async consent(uid: string, decision: "allow" | "deny", origin = baseUrl()): Promise<Response> {
    const path = `/oauth/interaction/${uid}`;
    const res = await fetch(`${baseUrl()}${path}`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie: this.cookie(path), origin, "content-type": "application/x-www-form-urlencoded", "x-forwarded-for": this.ip },
      body: new URLSearchParams({ decision }),
    });
    this.keep(res);
    return res;
  }
}

export const configFor = (clientId: string, clientSecret?: string) =>
  oidc.discovery(new URL(baseUrl()), clientId, clientSecret, clientSecret ? undefined : oidc.None(), { execute: [oidc.allowInsecureRequests] });

export async function authorizationRequest(config: oidc.Configuration, extra: Record<string, string> = {}) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: "openid email profile offline_access",
    prompt: "consent",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
    nonce,
    ...extra,
  });
  return { url: url.href, verifier, state, nonce };
}
