#!/usr/bin/env node
// One benchmark scenario, driven by autocannon in a process of its own (so the load generator
// never shares an event loop with the runner or the server). Started by scripts/bench/run.mjs:
//   node scripts/bench/drive.mjs '<json spec>'
// Protocol on stdout/stdin (one JSON object per line): after the warm-up the driver prints
// {"event":"warm"} and waits for a line "go" (the runner lets the server settle and takes its
// CPU and memory readings meanwhile), then runs the measured period and prints
// {"event":"result", ...}.
import autocannon from "autocannon";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";

const spec = JSON.parse(process.argv[2] ?? "{}");
const { origin, scenario, connections, warmup, duration, data = {} } = spec;
const PASSWORD = data.password;

// A different client address per request: behind TRUST_PROXY the load looks like many clients,
// as production traffic does, and the per-address limits stay what the contract says.
const spreadIp = () =>
  `10.${(Math.random() * 250) | 0}.${(Math.random() * 250) | 0}.${1 + ((Math.random() * 250) | 0)}`;
const JSON_HEADERS = { "content-type": "application/json" };
const bearer = (token) => ({ authorization: `Bearer ${token}` });

let counter = 0;
const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

// Single-use credentials (codes, refresh tokens) are handed out from shared pools: autocannon
// resets a connection's context after every request when there is only one request template.
const verifyPairs = data.verifyFile ? JSON.parse(readFileSync(data.verifyFile, "utf8")) : [];
const refreshPool = [...(data.refreshTokens ?? [])];
const oauthRefreshPool = [...(data.oauthRefreshTokens ?? [])];
const FORM_HEADERS = { "content-type": "application/x-www-form-urlencoded" };
const clientBasic = () => ({ authorization: `Basic ${Buffer.from(`${encodeURIComponent(data.clientId)}:${encodeURIComponent(data.clientSecret)}`).toString("base64")}` });

function requestsFor(name) {
  switch (name) {
    case "login":
      return [{
        method: "POST",
        path: "/auth/login/",
        headers: JSON_HEADERS,
        body: JSON.stringify({ email: data.email, password: PASSWORD }),
        setupRequest: (req) => ({ ...req, headers: { ...req.headers, "x-forwarded-for": spreadIp() } }),
      }];
    case "register":
      return [{
        method: "POST",
        path: "/auth/register/",
        headers: JSON_HEADERS,
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, "x-forwarded-for": spreadIp() },
          body: JSON.stringify({ email: `r-${runId}-${counter++}@bench.local`, password: PASSWORD }),
        }),
      }];
    case "verify":
      return [{
        method: "POST",
        path: "/auth/verify/otp/",
        headers: JSON_HEADERS,
        setupRequest: (req) => {
          const pair = verifyPairs[counter++] ?? { email: "exhausted@bench.local", otp: "0000" };
          return { ...req, headers: { ...req.headers, "x-forwarded-for": spreadIp() }, body: JSON.stringify(pair) };
        },
      }];
    case "refresh":
      return [{
        method: "POST",
        path: "/auth/token/refresh/",
        headers: JSON_HEADERS,
        setupRequest: (req) => ({
          ...req,
          headers: { ...req.headers, "x-forwarded-for": spreadIp() },
          body: JSON.stringify({ refresh: refreshPool.shift() ?? "exhausted" }),
        }),
        onResponse: (status, body) => {
          if (status !== 200) return;
          const next = JSON.parse(body)?.tokens?.refresh;
          if (next) refreshPool.push(next);
        },
      }];
    case "me":
      return [{ method: "GET", path: "/auth/me/", headers: bearer(data.accessToken) }];
    case "profile":
      return [{
        method: "PUT",
        path: `/auth/${data.userId}/`,
        headers: { ...JSON_HEADERS, ...bearer(data.accessToken) },
        setupRequest: (req) => ({ ...req, body: JSON.stringify({ name: `Bench User ${counter++ % 1000}`, mobile: "+44 20 7946 0958" }) }),
      }];
    case "oauth-userinfo":
      return [{ method: "GET", path: "/oauth/me", headers: bearer(data.oauthAccessToken) }];
    case "oauth-refresh":
      return [{
        method: "POST",
        path: "/oauth/token",
        headers: { ...FORM_HEADERS, ...clientBasic() },
        setupRequest: (req) => ({ ...req, body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: oauthRefreshPool.shift() ?? "exhausted" }).toString() }),
        onResponse: (status, body) => {
          if (status !== 200) return;
          const next = JSON.parse(body)?.refresh_token;
          if (next) oauthRefreshPool.push(next);
        },
      }];
    case "oauth-cc":
      return [{ method: "POST", path: "/oauth/token", headers: { ...FORM_HEADERS, ...clientBasic() }, body: "grant_type=client_credentials" }];
    case "oauth-introspect":
      return [{ method: "POST", path: "/oauth/token/introspection", headers: { ...FORM_HEADERS, ...clientBasic() }, body: new URLSearchParams({ token: data.oauthAccessToken }).toString() }];
    case "trivial":
      return [{ method: "GET", path: "/.well-known/jwks.json" }];
    default:
      throw new Error(`unknown scenario ${name}`);
  }
}

function cannon(seconds) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      { url: origin, connections, pipelining: 1, timeout: 30, duration: seconds, requests: requestsFor(scenario) },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
    instance.on("error", () => {});
  });
}

const emit = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const lines = createInterface({ input: process.stdin });
const nextLine = () => new Promise((resolve) => lines.once("line", resolve));

if (warmup > 0) await cannon(warmup);
emit({ event: "warm" });
await nextLine();
const r = await cannon(duration);
emit({
  event: "result",
  scenario,
  connections,
  duration: r.duration,
  requests: r.requests.total,
  rps: r.requests.total / r.duration,
  ok: r["2xx"],
  okPerSecond: r["2xx"] / r.duration,
  p50: r.latency.p50,
  p90: r.latency.p90,
  p99: r.latency.p99,
  max: r.latency.max,
  errors: r.errors,
  timeouts: r.timeouts,
  non2xx: r.non2xx,
  codes: Object.fromEntries(Object.entries(r.statusCodeStats ?? {}).map(([code, s]) => [code, s.count])),
});
lines.close();
