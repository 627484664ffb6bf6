// The JSON API without Next.js's router (docs/decisions/008-api-outside-the-page-router.md).
//
// Every API request, whichever way it comes in, is answered by lib/api/entry.ts's `answer`
// (Request => Response), which uses nothing of Next.js's request context. At start-up
// instrumentation.ts has the entry offer itself on globalThis (`__authApi`): the very module
// instance Next.js's route handlers call, so nothing is built or held twice. server.mjs hands it
// the API's ordinary requests directly, which skips the router's per-request work (route
// resolution, async contexts, tracing, stream adapters) — most of the cost of a cheap call. This
// file only adapts Node's req/res to Request/Response. Anything unusual — another method, an odd
// path, no entry on offer — still goes to Next.js, so its answer there is unchanged.
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { MAX_BODY_BYTES } from "./limits.mjs";

const gzipAsync = promisify(gzip);

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);
// Plain segments only; encoded characters, empty or dot segments are left to Next.js.
const CLEAN_PATH = /^(?:\/[A-Za-z0-9._-]+)+\/?$/;
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;
/** Bodies this small are sent as they are: gzip would cost more than it saves. */
const COMPRESS_FROM_BYTES = 1024;

/** The API's entry (lib/api/entry.ts, ApiEntry), once instrumentation.ts has offered it. */
const offeredEntry = () => globalThis.__authApi;

/**
 * Answers the API's requests with the offered entry. Requests are answered once `started` (the
 * app's start-up) has resolved.
 */
export function apiRouter(started = Promise.resolve()) {
  let ready = false;
  started.then(() => (ready = true), () => {});

  /** Answers `req` and returns true, or returns false for Next.js to answer it. */
  function serve(req, res) {
    const entry = offeredEntry();
    if (!entry) return false;
    const url = req.url ?? "";
    const q = url.indexOf("?");
    const pathname = q >= 0 ? url.slice(0, q) : url;
    if (!METHODS.has(req.method) || !CLEAN_PATH.test(pathname) || DOT_SEGMENT.test(pathname) || !entry.isApiPath(pathname)) return false;
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
    const respond = (body) => entry.answer(new Request(target, { method: req.method, headers, ...(hasBody ? { body } : {}) }));
    const answered = (hasBody ? bufferedBody(req) : Promise.resolve(undefined)).then((body) => {
      // The client went away while sending: there is no one to answer.
      if (body === CLIENT_GONE) return req.destroy();
      return send(ready ? respond(body) : started.then(() => respond(body)), req, res);
    });
    answered.catch((error) => {
      console.error(error instanceof Error ? error.stack : error);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("Internal Server Error");
    });
    return true;
  }

  /** The declared endpoints served this way (0 until the entry is offered). */
  const endpoints = () => offeredEntry()?.endpoints ?? 0;

  return { serve, endpoints };
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

async function send(pending, req, res) {
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
