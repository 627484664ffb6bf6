// The OpenID provider's bench data (scripts/bench/run.mjs): a client registered as an operator
// does (`npm run oauth:client`, confidential, first-party, with the client credentials grant), and
// the prepared user's tokens from the authorization code flow with PKCE, driven as a browser does
// (the login page's server action, the provider's redirects) with openid-client as the app.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import * as oidc from "openid-client";

const REDIRECT_URI = "https://bench.example/callback";

function registerClient(app, env) {
  const out = execFileSync(
    path.join(app, "node_modules/.bin/tsx"),
    ["scripts/oauth-client.ts", "add", "--name", "Bench App", "--redirect-uri", REDIRECT_URI, "--grant", "client_credentials", "--first-party"],
    { cwd: app, env: { ...process.env, ...env, LOG_LEVEL: "silent" }, encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").at(-1));
}

function actionId(app, name) {
  const manifest = JSON.parse(readFileSync(path.join(app, ".next/server/server-reference-manifest.json"), "utf8"));
  const id = Object.entries(manifest.node).find(([, entry]) => entry.exportedName === name)?.[0];
  if (!id) throw new Error(`${name} is not in the build's server-reference manifest`);
  return id;
}

/** A browser's cookie jar, enough for one origin (the provider's cookies are per path). */
function jar() {
  const cookies = new Map();
  return {
    header: (pathname) =>
      [...cookies.values()].filter((c) => pathname.startsWith(c.path)).map((c) => `${c.name}=${c.value}`).join("; "),
    keep(res) {
      for (const line of res.headers.getSetCookie()) {
        const [pair, ...attrs] = line.split(";");
        const eq = pair.indexOf("=");
        const cookiePath = attrs.map((a) => /^\s*path=(.*)$/i.exec(a)?.[1]?.trim()).find(Boolean) ?? "/";
        cookies.set(`${pair.slice(0, eq).trim()} ${cookiePath}`, { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1), path: cookiePath });
      }
    },
  };
}

async function signIn(url, app, cookies, email, password, ip) {
  const boundary = `----bench${randomBytes(8).toString("hex")}`;
  const fields = [["_1_email", email], ["_1_password", password], ["_1_next", "/profile"], ["0", `[{"status":"idle"},"$K1"]`]];
  const body = fields.map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join("") + `--${boundary}--\r\n`;
  const res = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { origin: url, accept: "text/x-component", "next-action": actionId(app, "loginAction"), "content-type": `multipart/form-data; boundary=${boundary}`, "x-forwarded-for": ip },
    body,
  });
  cookies.keep(res);
  if (!res.headers.get("x-action-redirect")) throw new Error(`the login page's action did not sign the bench user in (${res.status})`);
}

/** One run of the code flow in a signed-in browser: the app's tokens. */
async function codeFlow(config, url, cookies, ip) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const request = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: "openid email profile offline_access",
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state,
  });
  let next = request.href;
  for (let hops = 0; hops < 10 && next.startsWith(url); hops++) {
    const target = new URL(next);
    const res = await fetch(target, { redirect: "manual", headers: { cookie: cookies.header(target.pathname), "x-forwarded-for": ip } });
    cookies.keep(res);
    const location = res.headers.get("location");
    if (!location) throw new Error(`the code flow stopped at ${target.pathname} (${res.status})`);
    next = new URL(location, next).href;
  }
  return oidc.authorizationCodeGrant(config, new URL(next), { pkceCodeVerifier: verifier, expectedState: state });
}

/** What the OpenID scenarios need: the client, an access token, and `refreshSessions` refresh tokens of their own grants. */
export async function prepareOAuth({ url, app, env, email, password, refreshSessions }) {
  const client = registerClient(app, env);
  const config = await oidc.discovery(new URL(url), client.client_id, client.client_secret, undefined, { execute: [oidc.allowInsecureRequests] });
  const cookies = jar();
  const ip = "10.250.0.1";
  await signIn(url, app, cookies, email, password, ip);
  const first = await codeFlow(config, url, cookies, ip);
  const refreshTokens = [];
  for (let i = 0; i < refreshSessions; i++) refreshTokens.push((await codeFlow(config, url, cookies, ip)).refresh_token);
  return { clientId: client.client_id, clientSecret: client.client_secret, oauthAccessToken: first.access_token, oauthRefreshTokens: refreshTokens };
}
