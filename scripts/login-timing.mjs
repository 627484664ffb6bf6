#!/usr/bin/env node
// Does a failed login take as long for an unknown e-mail as for a wrong password? If not, the
// response time tells an attacker which addresses have accounts (lib/auth/login.ts hashes against
// a dummy for exactly this reason). Starts the production server over a fresh SQLite database and a
// local SMTP sink, all on 127.0.0.1, then times sequential, interleaved failed logins.
//   npm run build            (once; the script serves the last production build in .next)
//   node scripts/login-timing.mjs
// Each login comes from its own X-Forwarded-For address and every unknown e-mail is new, so no
// per-address limit is reached. The per-account ceiling (100 failures per 24 h) would be: the wrong
// passwords are spread over a few real accounts, fewer than 100 each. Exits non-zero only when
// something fails (start-up, registration, an unexpected answer), never because of the figures.
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes, randomUUID } from "node:crypto";
import { createWriteStream, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { freePort } from "./free-port.mjs";

const ROOT = path.resolve(import.meta.dirname, "..");
const SAMPLES = 200;
const WARM_UP = 10;
/** Real accounts the wrong passwords are spread over, each well under the 100-failure ceiling. */
const ACCOUNTS = 4;
const PASSWORD = "correct horse battery staple";
const WRONG_PASSWORD = "correct horse battery stapler";

/** A tiny SMTP sink: keeps the text of every message by recipient. */
async function startMailSink() {
  const inbox = new Map();
  const port = await freePort();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          for (const { address } of session.envelope.rcptTo) {
            const key = address.toLowerCase();
            inbox.set(key, [...(inbox.get(key) ?? []), mail.text ?? ""]);
          }
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise((resolve) => smtp.listen(port, "127.0.0.1", resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    async waitFor(to, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const mails = inbox.get(to.toLowerCase());
        if (mails?.length) return mails[0];
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no mail reached ${to} within ${timeoutMs} ms`);
    },
    close: () => new Promise((resolve) => smtp.close(resolve)),
  };
}

async function startServer(smtpUrl, dir) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const { privateKey } = generateKeyPairSync("ed25519");
  const logFile = path.join(dir, "server.log");
  const log = createWriteStream(logFile);
  const child = spawn(process.execPath, ["server.mjs"], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NODE_ENV: "production",
      PORT: String(port),
      HOST: "127.0.0.1",
      APP_URL: url,
      DATABASE_URL: `file:${path.join(dir, "auth.db")}`,
      AUTH_SECRET: randomBytes(32).toString("base64url"),
      JWT_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      SMTP_URL: smtpUrl,
      MAIL_FROM: "auth@example.test",
      TRUST_PROXY: "1",
      LOG_LEVEL: "warn",
      NEXT_TELEMETRY_DISABLED: "1",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const status = await fetch(`${url}/healthz`).then((r) => r.status, () => 0);
    if (status === 200) return { url, logFile, stop };
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r("running"), 200))]);
    if (early !== "running") throw new Error(`the server exited (${early}) during start-up; see ${logFile}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the server did not become healthy within 60 s; see ${logFile}`);
    }
  }
}

let nextAddress = 0;
/** A client address no other request of this run has used (10.0.0.1, 10.0.0.2, …). */
const freshAddress = () => {
  const n = ++nextAddress;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
};

async function post(baseUrl, pathname, json) {
  const res = await fetch(`${baseUrl}${pathname}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": freshAddress() },
    body: JSON.stringify(json),
  });
  return { status: res.status, body: await res.json() };
}

async function registerVerified(baseUrl, mail) {
  const email = `timing-${randomUUID().slice(0, 8)}@example.test`;
  const reg = await post(baseUrl, "/auth/register/", { email, password: PASSWORD });
  if (reg.status !== 200) throw new Error(`register ${email}: ${reg.status} ${JSON.stringify(reg.body)}`);
  const code = /\b(\d{4,10})\b/.exec(await mail.waitFor(email))?.[1];
  if (!code) throw new Error(`no code in the verification mail to ${email}`);
  const verified = await post(baseUrl, "/auth/verify/otp/", { email, otp: code });
  if (verified.status !== 200) throw new Error(`verify ${email}: ${verified.status} ${JSON.stringify(verified.body)}`);
  return email;
}

/** One failed login, timed from the request to the end of the body; the answer must be the expected refusal. */
async function timedFailure(baseUrl, email, field) {
  const t0 = performance.now();
  const { status, body } = await post(baseUrl, "/auth/login", { email, password: WRONG_PASSWORD });
  const ms = performance.now() - t0;
  if (status !== 400 || !Array.isArray(body?.errors?.[field])) {
    throw new Error(`login ${email}: expected 400 with errors.${field}, got ${status} ${JSON.stringify(body)}`);
  }
  return ms;
}

function stats(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, p90: at(0.9), mean: samples.reduce((s, x) => s + x, 0) / samples.length };
}

async function main() {
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) throw new Error("no production build: run `npm run build` first");
  const dir = mkdtempSync(path.join(tmpdir(), "auth-login-timing-"));
  const mail = await startMailSink();
  let server;
  let ok = false;
  try {
    server = await startServer(mail.url, dir);
    const accounts = [];
    for (let i = 0; i < ACCOUNTS; i++) accounts.push(await registerVerified(server.url, mail));
    const unknownEmail = () => `nobody-${randomUUID().slice(0, 12)}@example.test`;
    let turn = 0;
    const wrongPassword = () => timedFailure(server.url, accounts[turn++ % ACCOUNTS], "password");
    const unknown = () => timedFailure(server.url, unknownEmail(), "email");

    for (let i = 0; i < WARM_UP; i++) {
      await unknown();
      await wrongPassword();
    }
    const times = { unknown: [], wrong: [] };
    // Alternate which kind goes first, so a drift of the machine's speed weighs on both alike.
    for (let i = 0; i < SAMPLES; i++) {
      if (i % 2 === 0) {
        times.unknown.push(await unknown());
        times.wrong.push(await wrongPassword());
      } else {
        times.wrong.push(await wrongPassword());
        times.unknown.push(await unknown());
      }
    }

    const u = stats(times.unknown);
    const w = stats(times.wrong);
    const f = (ms) => `${ms.toFixed(1).padStart(7)} ms`;
    console.log(`Failed logins, ${SAMPLES} of each, sequential and interleaved (after ${WARM_UP} warm-up pairs):`);
    console.log(`                          median        p90       mean`);
    console.log(`unknown e-mail         ${f(u.median)} ${f(u.p90)} ${f(u.mean)}`);
    console.log(`wrong password         ${f(w.median)} ${f(w.p90)} ${f(w.mean)}`);
    console.log(
      `ratio unknown / wrong  ${(u.median / w.median).toFixed(3).padStart(10)} ${(u.p90 / w.p90).toFixed(3).padStart(10)} ${(u.mean / w.mean).toFixed(3).padStart(10)}`,
    );
    ok = true;
  } finally {
    await server?.stop();
    await mail.close();
    // The database and the server log stay behind when something went wrong, to be read.
    if (ok) rmSync(dir, { recursive: true, force: true });
    else console.error(`server log and database kept in ${dir}`);
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
