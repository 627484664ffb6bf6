// The JSON API without Next.js's router (docs/decisions/008-api-outside-the-page-router.md).
//
// The API's route files are one line each (`serve("/auth/login")`, lib/api/serve.ts): plain
// (Request) => Response functions that use nothing of Next.js's request context. Next.js builds
// them; server.mjs hands their requests to them directly, which skips the router's per-request
// work (route resolution, manifests, async contexts, tracing, stream adapters) — most of the cost
// of a cheap call. The handlers are the very modules Next.js loads (same files, same instances),
// so nothing is built or held twice. Anything unusual — another method, an odd path, a build
// without the expected route modules — still goes to Next.js, so its answer there is unchanged.
import { createRequire } from "node:module";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { MAX_BODY_BYTES } from "./limits.mjs";

const gzipAsync = promisify(gzip);
const require = createRequire(import.meta.url);

/** The paths the proxy (proxy.ts) leaves alone: the API and the service's own documents. */
const API_PREFIXES = ["/auth", "/healthz", "/livez", "/readyz", "/metrics", "/.well-known/jwks.json"];
const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
// Plain segments only; encoded characters, empty or dot segments are left to Next.js.
const CLEAN_PATH = /^(?:\/[A-Za-z0-9._-]+)+\/?$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;
/** Bodies this small are sent as they are: gzip would cost more than it saves. */
const COMPRESS_FROM_BYTES = 1024;

const isApiPath = (p) => API_PREFIXES.some((prefix) => p === prefix || p.startsWith(`${prefix}/`));

/**
 * Loads the API's route modules from a production build in `distDir` (.next). Resolves to null
 * when the build does not have them in the expected shape (then Next.js serves everything).
 * Requests are answered once `started` (the app's start-up) has resolved.
 */
export async function loadApiRouter(distDir, started = Promise.resolve()) {
  let ready = false;
  started.then(() => (ready = true), () => {});
  const manifestFile = path.join(distDir, "app-path-routes-manifest.json");
  if (!existsSync(manifestFile)) return null;
  const manifest = JSON.parse(readFileSync(manifestFile, "utf8"));
  const statics = new Map();
  const dynamics = [];
  for (const [entry, route] of Object.entries(manifest)) {
    if (!entry.endsWith("/route") || !isApiPath(route)) continue;
    const file = path.join(distDir, "server/app", `${entry}.js`);
    const routeModule = existsSync(file) ? require(file).routeModule : undefined;
    if (typeof routeModule?.ensureUserland !== "function") return null;
    await routeModule.ensureUserland();
    const handlers = Object.fromEntries([...METHODS].map((m) => [m, routeModule.userland[m]]).filter(([, f]) => typeof f === "function"));
    const segments = route.split("/").filter(Boolean);
    if (segments.some((s) => s.startsWith("["))) dynamics.push({ segments, handlers });
    else statics.set(route, { handlers, params: {} });
  }
  // More specific patterns first: /auth/[userId] before /auth/[userId]/[...rest].
  dynamics.sort((a, b) => a.segments.filter((s) => s.startsWith("[...")).length - b.segments.filter((s) => s.startsWith("[...")).length || b.segments.length - a.segments.length);
  if (statics.size === 0) return null;

  function match(pathname) {
    const trimmed = pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname;
    const exact = statics.get(trimmed);
    if (exact) return exact;
    const parts = trimmed.split("/").filter(Boolean);
    for (const { segments, handlers } of dynamics) {
      const params = paramsOf(segments, parts);
      if (params) return { handlers, params };
    }
    return null;
  }

  /** Answers `req` and returns true, or returns false for Next.js to answer it. */
  function serve(req, res) {
    const url = req.url ?? "";
    const q = url.indexOf("?");
    const pathname = q >= 0 ? url.slice(0, q) : url;
    if (!METHODS.has(req.method) || !CLEAN_PATH.test(pathname) || DOT_SEGMENT.test(pathname) || !isApiPath(pathname)) return false;
    const route = match(pathname);
    const handler = route && (route.handlers[req.method] ?? (req.method === "HEAD" ? route.handlers.GET : undefined));
    if (!handler) return false;
    let headers;
    let target;
    try {
      headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(", ") : value);
      }
      target = new URL(`http://${headers.get("host") ?? "localhost"}${url}`);
    } catch {
      return false;
    }
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    const respond = (body) => handler(new Request(target, { method: req.method, headers, ...(hasBody ? { body } : {}) }), { params: Promise.resolve(route.params) });
    const answered = (hasBody ? bufferedBody(req) : Promise.resolve(undefined)).then((body) => {
      // The client went away while sending: there is no one to answer.
      if (body === CLIENT_GONE) return req.destroy();
      return answer(ready ? respond(body) : started.then(() => respond(body)), req, res);
    });
    answered.catch((error) => {
      console.error(error instanceof Error ? error.stack : error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal Server Error");
    });
    return true;
  }

  return { serve, routes: statics.size + dynamics.length };
}

const CLIENT_GONE = Symbol("client gone");

/**
 * The request body as one buffer: the handlers read small JSON bodies, and a buffer makes a far
 * cheaper Request than the socket's stream wrapped as a web stream. Reading stops one byte past
 * the handlers' limit (lib/http/limits.mjs), which they then answer with 413, as they would have.
 */
function bufferedBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    let size = 0;
    let settled = false;
    const settle = (body) => {
      if (settled) return;
      settled = true;
      resolve(body);
    };
    req.on("data", (chunk) => {
      // Past the limit the rest is still read, and dropped, so the 413 can be sent on the connection.
      if (settled) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size > MAX_BODY_BYTES) settle(Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1));
    });
    req.on("end", () => settle(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)));
    req.on("error", () => settle(CLIENT_GONE));
    req.on("close", () => settle(CLIENT_GONE));
  });
}

/** The route parameters of `parts` under a pattern like auth/[userId]/[...rest]; null if it does not fit. */
function paramsOf(segments, parts) {
  const params = {};
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    if (s.startsWith("[...")) {
      if (i >= parts.length) return null;
      params[s.slice(4, -1)] = parts.slice(i);
      return params;
    }
    if (i >= parts.length) return null;
    if (s.startsWith("[")) params[s.slice(1, -1)] = parts[i];
    else if (s !== parts[i]) return null;
  }
  return parts.length === segments.length ? params : null;
}

async function answer(pending, req, res) {
  const response = await pending;
  const headers = {};
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") headers[name] = value;
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length) headers["set-cookie"] = cookies;
  headers.vary = headers.vary ? `${headers.vary}, Accept-Encoding` : "Accept-Encoding";
  let body = response.body ? Buffer.from(await response.arrayBuffer()) : null;
  if (body && body.length >= COMPRESS_FROM_BYTES && !headers["content-encoding"] && /\bgzip\b/i.test(req.headers["accept-encoding"] ?? "")) {
    body = await gzipAsync(body);
    headers["content-encoding"] = "gzip";
  }
  if (req.method === "HEAD") {
    res.writeHead(response.status, headers);
    res.end();
    return;
  }
  if (body) headers["content-length"] = String(body.length);
  res.writeHead(response.status, headers);
  res.end(body);
}
