// The HTTP entry point for `npm run dev` and `npm start`. Next.js does the serving; this file only
// records the TCP peer address in a header the app trusts (a client cannot forge it: any incoming
// copy is removed) and shuts down gracefully. Start-up work (environment check, migrations, mail
// sender) runs in instrumentation.ts before the first request is served.
import { createServer } from "node:http";
import { format } from "node:util";
import next from "next";

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

const app = next({ dev, hostname, port });
const handle = app.getRequestHandler();

try {
  await app.prepare();
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}

// Behind https, browsers are told to use nothing else for a year (HSTS), on every response.
const https = (process.env.APP_URL ?? "").startsWith("https://");

const server = createServer((req, res) => {
  if (https) res.setHeader("strict-transport-security", "max-age=31536000; includeSubDomains");
  delete req.headers[PEER_ADDRESS_HEADER];
  if (req.socket.remoteAddress) req.headers[PEER_ADDRESS_HEADER] = req.socket.remoteAddress;
  handle(req, res);
});
server.keepAliveTimeout = 65_000;

server.listen(port, hostname, () => {
  console.log(JSON.stringify({ time: new Date().toISOString(), level: "info", msg: "listening", url: `http://localhost:${port}`, dev }));
});

let closing = false;
for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    if (closing) process.exit(1);
    closing = true;
    server.close(() => process.exit(0));
    server.closeIdleConnections?.();
    setTimeout(() => process.exit(0), 10_000).unref();
  });
}
