// The HTTP entry point for `npm run dev` and `npm start`. Next.js does the serving; this file
// records the TCP peer address in a header the app trusts (a client cannot forge it: any incoming
// copy is removed), hands the JSON API's requests to its entry without Next.js's router in
// production (lib/http/api-router.mjs, ADR 008; API_ROUTER=next turns that off), hands the OpenID
// provider its requests (/oauth/…, discovery; lib/oauth/entry.ts, ADR 015), serves the build's
// scripts and stylesheets compressed once (lib/http/static-assets.mjs), and shuts down gracefully.
// Start-up work (environment check, migrations, mail sender) runs in instrumentation.ts before the
// first request is served.
import { createServer } from "node:http";
import path from "node:path";
import { format } from "node:util";
import next from "next";
import { apiRouter } from "./lib/http/api-router.mjs";
import { staticAssets } from "./lib/http/static-assets.mjs";

const PEER_ADDRESS_HEADER = "x-auth-peer-address";
const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOST ?? "0.0.0.0";

if (!dev) process.env.NODE_ENV ??= "production";

// A production log is one JSON object per line (lib/log.ts). What Next.js and libraries print
// through the console (start-up notes, error reports) is wrapped the same way, so log shippers
// never see a stray line.
if (!dev) {
  const levels = { debug: "debug", log: "info", info: "info", warn: "warn", error: "error" };
  for (const [method, level] of Object.entries(levels)) {
    const stream = level === "warn" || level === "error" ? process.stderr : process.stdout;
    console[method] = (...args) => {
      const text = format(...args).trim();
      if (!text) return;
      if (text.startsWith("{") && isJsonLine(text)) return void stream.write(`${text}\n`);
      // Next.js prefixes its notes with a status glyph ("✓ Ready", "⚠ …", "⨯ …").
      const msg = text.replace(/^[✓⚠⨯▲○›-]\s+/u, "");
      stream.write(`${JSON.stringify({ time: new Date().toISOString(), level, msg })}\n`);
    };
  }
}

function isJsonLine(text) {
  if (text.includes("\n")) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

// Start-up (instrumentation.ts → lib/startup.ts) runs while Next.js prepares its server; the API
// requests served here without Next.js wait for it, as Next.js's own requests do.
const started = new Promise((resolve, reject) => {
  globalThis.__authStartupDone = (error) => (error ? reject(error) : resolve());
});
started.catch(() => {}); // Next.js reports a failed start-up itself

const app = next({ dev, hostname, port });
const handle = app.getRequestHandler();

let api = null;
let assets = null;
try {
  await app.prepare();
  if (!dev && process.env.API_ROUTER !== "next") api = apiRouter(started);
  if (!dev) assets = staticAssets(path.join(process.cwd(), ".next/static"));
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

// Behind https, browsers are told to use nothing else for a year (HSTS), on every response.
const https = (process.env.APP_URL ?? "").startsWith("https://");

// The app marks the moment its database last failed to answer (lib/db/availability.ts). A page
// that fails meanwhile is an outage, not a bug: 503 with Retry-After instead of 500.
const DATABASE_OUTAGE_WINDOW_MS = 5_000;
const databaseRecentlyUnavailable = () => {
  const at = globalThis.__authDatabaseUnavailableAt;
  return at !== undefined && Date.now() - at < DATABASE_OUTAGE_WINDOW_MS;
};

function answerOutagesWith503(res) {
  const writeHead = res.writeHead;
  res.writeHead = function (status, ...rest) {
    if (status === 500 && databaseRecentlyUnavailable()) {
      status = 503;
      res.setHeader("retry-after", "5");
    }
    return writeHead.call(this, status, ...rest);
  };
}

const server = createServer((req, res) => {
  if (https) res.setHeader("strict-transport-security", "max-age=31536000; includeSubDomains");
  answerOutagesWith503(res);
  delete req.headers[PEER_ADDRESS_HEADER];
  if (req.socket.remoteAddress) req.headers[PEER_ADDRESS_HEADER] = req.socket.remoteAddress;
  if (globalThis.__authOAuth?.serve(req, res, started) || api?.serve(req, res) || assets?.serve(req, res)) return;
  handle(req, res);
});
server.keepAliveTimeout = 65_000;
// A client that sends its request a byte at a time holds a socket, not a request slot; it is cut
// off once its headers take 20 s or the whole request 30 s.
server.headersTimeout = 20_000;
server.requestTimeout = 30_000;

server.listen(port, hostname, () => {
  console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "listening", url: `http://localhost:${port}`, dev }));
});
// By the end of start-up instrumentation.ts has offered the API's entry; the fast path serves from then on.
started.then(
  () => console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "started", apiEndpoints: api?.endpoints() ?? 0 })),
  () => {},
);

// Graceful shutdown: stop accepting, let in-flight requests finish (the readiness probe answers
// 503 meanwhile), then stop the background work, which hands back mail it had claimed. A second
// signal, or 15 s, ends the process at once.
const SHUTDOWN_DEADLINE_MS = 15_000;
let closing = false;
async function stopBackgroundWork() {
  try {
    await globalThis.__authStopBackgroundWork?.();
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
  }
}
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (closing) process.exit(1);
    closing = true;
    globalThis.__authShuttingDown = true;
    console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "shutting down", signal }));
    server.close(async () => {
      await stopBackgroundWork();
      process.exit(0);
    });
    server.closeIdleConnections?.();
    setTimeout(async () => {
      await stopBackgroundWork();
      process.exit(0);
    }, SHUTDOWN_DEADLINE_MS).unref();
  });
}
