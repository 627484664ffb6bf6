#!/usr/bin/env node
// What a browser downloads for a page: every request Chromium makes while loading it (until the
// network is idle), its type and its size on the wire, and whether it was requested before the
// first paint. Starts the production server itself (needs `next build`) unless --url is given.
//   node scripts/bench/page-weight.mjs [--url http://127.0.0.1:3000] [/login /signup …] [--json FILE]
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "@playwright/test";
import { freePort } from "../free-port.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args.splice(i, 2)[1] : undefined;
};
const given = opt("url");
const jsonFile = opt("json");
const pages = args.length ? args : ["/login", "/signup"];

async function startServer() {
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "auth-weight-"));
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: ROOT,
    stdio: "ignore",
    env: {
      ...process.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_URL: url,
      DATA_DIR: dir,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      JWT_PRIVATE_KEY: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      SMTP_URL: "smtp://127.0.0.1:9",
      LOG_LEVEL: "warn",
    },
  });
  for (let i = 0; i < 300; i++) {
    if ((await fetch(`${url}/healthz`).then((r) => r.status, () => 0)) === 200) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  // The server compresses the build's scripts once, in the background, after it starts.
  await new Promise((r) => setTimeout(r, 5000));
  return { url, stop: () => (child.kill("SIGTERM"), rmSync(dir, { recursive: true, force: true })) };
}

const server = given ? { url: given, stop() {} } : await startServer();
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const report = [];
try {
  for (const page of pages) {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const cdp = await context.newCDPSession(tab);
    await cdp.send("Network.enable");
    const requests = new Map();
    cdp.on("Network.requestWillBeSent", (e) => requests.set(e.requestId, { url: e.request.url, type: e.type, at: e.timestamp }));
    cdp.on("Network.responseReceived", (e) => {
      const r = requests.get(e.requestId);
      if (r) Object.assign(r, { status: e.response.status, headerBytes: e.response.encodedDataLength, encoding: e.response.headers["content-encoding"] ?? e.response.headers["Content-Encoding"] ?? "" });
    });
    cdp.on("Network.loadingFinished", (e) => {
      const r = requests.get(e.requestId);
      if (r) r.bytes = e.encodedDataLength;
    });
    await tab.goto(`${server.url}${page}`, { waitUntil: "networkidle" });
    const paint = await tab.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null);
    const navStart = await tab.evaluate(() => performance.timeOrigin / 1000);
    const list = [...requests.values()].map((r) => ({
      path: new URL(r.url).pathname,
      type: r.type,
      // On the wire: the body as sent (compressed), and with the response headers.
      bytes: Math.max(0, (r.bytes ?? 0) - (r.headerBytes ?? 0)),
      wireBytes: r.bytes ?? 0,
      encoding: r.encoding,
      // CDP timestamps are monotonic seconds; compare with the paint through the navigation's own.
      beforePaint: paint !== null && r.at - list0(requests) <= paint / 1000,
    }));
    const js = list.filter((r) => r.type === "Script");
    const fonts = list.filter((r) => r.type === "Font");
    const images = list.filter((r) => r.type === "Image");
    const jsBytes = js.reduce((a, r) => a + r.bytes, 0);
    const jsWire = js.reduce((a, r) => a + r.wireBytes, 0);
    report.push({ page, firstContentfulPaintMs: paint, jsFiles: js.length, jsBytes, jsWireBytes: jsWire, fonts, images, requests: list });
    console.log(
      `${page}: ${js.length} JS files, ${jsBytes} bytes of JS bodies on the wire (${(jsBytes / 1024).toFixed(1)} KiB; ${(jsWire / 1024).toFixed(1)} KiB with headers); ` +
        `${fonts.length} fonts, ${images.length} images; first contentful paint ${paint?.toFixed(0)} ms`,
    );
    for (const r of list) console.log(`  ${r.type.padEnd(10)} ${(r.bytes / 1024).toFixed(1).padStart(7)} KiB  ${r.encoding.padEnd(4)}  ${r.path.slice(0, 90)}`);
    void navStart;
    await context.close();
  }
} finally {
  await browser.close();
  server.stop();
}
if (jsonFile) writeFileSync(jsonFile, JSON.stringify(report, null, 2));

function list0(requests) {
  return Math.min(...[...requests.values()].map((r) => r.at));
}
