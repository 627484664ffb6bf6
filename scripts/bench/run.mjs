#!/usr/bin/env node
// npm run bench [-- options]
//
// The service's HTTP benchmark: builds if the sources changed since the last build, measures the
// raw Argon2id rate of this machine, starts the production server (`npm start`'s command line)
// on a fresh embedded database (or on BENCH_DATABASE_URL) with an SMTP sink of its own, drives
// each scenario with autocannon from a separate process, and prints one table; the same figures
// go to bench-results/bench-<time>.json.
//
// Options: --duration 10 --warmup 2 --connections 16 --flood-connections 32 --only a,b,…
//          --build (always build) --no-build --json FILE --wait-quiet (wait for load < 0.7)
//          --cpu-prof DIR (the server writes a V8 CPU profile there when it stops)
//          --app DIR (benchmark the checkout in DIR instead of this one, e.g. a worktree of main)
// Scenarios: login, register, trivial, me, verify, refresh, profile, flood, and the OpenID
// provider's: oauth-userinfo, oauth-refresh, oauth-cc (client credentials), oauth-introspect.
//
// The server is configured as for production with two bench settings, both ordinary ones:
// TRUST_PROXY=1 (every request carries its own X-Forwarded-For, so the per-address limits see
// many clients instead of one abuser; the limits stay as documented) and AUTH_EXPOSE_OTP=true
// (the legacy switch: register answers with the code, so the prepared account can be verified
// without parsing mail). Only 127.0.0.1 is used; everything started here is stopped here.
import { execFileSync, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { SMTPServer } from "smtp-server";
import { freePort } from "../free-port.mjs";
import { prepareOAuth } from "./oauth-prepare.mjs";
import { startCommand } from "../start-command.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
// The checkout whose server is measured (--app); results and tools stay in this one.
let APP = ROOT;
const HERE = import.meta.dirname;
// In this order so that each ratio compares figures taken minutes apart at most, not a whole run
// apart (this machine's speed drifts): login and sign-up right after the raw hash rate, and the
// session check right after the trivial route it is compared with.
const ALL = ["login", "register", "trivial", "me", "oauth-userinfo", "verify", "refresh", "oauth-refresh", "profile", "oauth-cc", "oauth-introspect", "flood"];
const PASSWORD = "Bench-password-123!";
const CLK_TCK = 100; // Linux USER_HZ

// ---- options

function parseArgs(argv) {
  const o = { duration: 10, warmup: 2, connections: 16, floodConnections: 32, only: ALL, build: "auto", json: null, waitQuiet: false, cpuProf: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i];
    if (a === "--duration") o.duration = Number(value());
    else if (a === "--warmup") o.warmup = Number(value());
    else if (a === "--connections") o.connections = Number(value());
    else if (a === "--flood-connections") o.floodConnections = Number(value());
    else if (a === "--only") o.only = value().split(",");
    else if (a === "--build") o.build = "always";
    else if (a === "--no-build") o.build = "never";
    else if (a === "--json") o.json = value();
    else if (a === "--wait-quiet") o.waitQuiet = true;
    else if (a === "--cpu-prof") o.cpuProf = path.resolve(value());
    else if (a === "--app") APP = path.resolve(value());
    else throw new Error(`unknown option ${a} (see the top of scripts/bench/run.mjs)`);
  }
  for (const s of o.only) if (!ALL.includes(s)) throw new Error(`unknown scenario ${s}; known: ${ALL.join(", ")}`);
  o.only = ALL.filter((s) => o.only.includes(s));
  return o;
}

// ---- helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The newest modification time under the directories the build reads. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === "node_modules" || entry.name === "generated" || entry.name.startsWith(".")) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  for (const d of ["app", "components", "lib", "public", "prisma"]) if (existsSync(path.join(APP, d))) walk(path.join(APP, d));
  for (const f of ["next.config.js", "proxy.ts", "instrumentation.ts", "package.json", "postcss.config.mjs"]) {
    if (existsSync(path.join(APP, f))) newest = Math.max(newest, statSync(path.join(APP, f)).mtimeMs);
  }
  return newest;
}

function ensureBuild(mode) {
  const buildId = path.join(APP, ".next/BUILD_ID");
  const generated = path.join(APP, "lib/db/generated/sqlite/client.ts");
  if (!existsSync(generated)) execFileSync("npm", ["run", "db:generate"], { cwd: APP, stdio: "inherit" });
  const stale = !existsSync(buildId) || statSync(buildId).mtimeMs < newestSource();
  if (mode === "always" || (mode === "auto" && stale)) {
    console.log("[bench] building (next build) …");
    execFileSync("npx", ["next", "build"], { cwd: APP, stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" } });
  } else if (!existsSync(buildId)) {
    throw new Error("no production build (.next/BUILD_ID); run without --no-build");
  }
}

/** CPU ticks and memory of a process, from /proc. */
function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    // The main thread (the event loop: JavaScript, SQLite's calls) apart from the others (hashes, GC helpers).
    const main = readFileSync(`/proc/${pid}/task/${pid}/stat`, "utf8");
    const m = main.slice(main.lastIndexOf(")") + 2).split(" ");
    return { ticks: Number(f[11]) + Number(f[12]), mainTicks: Number(m[11]) + Number(m[12]), rssKb: kb("VmRSS"), hwmKb: kb("VmHWM"), at: performance.now() };
  } catch {
    return null;
  }
}

/** Busy CPU of the whole machine (all processes), in ticks, from /proc/stat. */
function machineTicks() {
  const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = cpu;
  return { busy: user + nice + system + irq + softirq + steal, idle: idle + iowait };
}

/** The peak RSS (VmHWM) starts again from the current RSS (Linux: clear_refs 5). */
function resetPeak(pid) {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/** Waits until `pid` uses < 5 % of a core over 250 ms (at most 10 s): the last scenario's requests are done. */
async function settle(pid) {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const a = procStat(pid);
    await sleep(250);
    const b = procStat(pid);
    if (!a || !b) return;
    if ((b.ticks - a.ticks) / CLK_TCK / ((b.at - a.at) / 1000) < 0.05) return;
  }
}

async function waitQuiet() {
  for (let i = 0; i < 30; i++) {
    const [one] = loadavg();
    if (one < 0.7) return;
    console.log(`[bench] load ${one.toFixed(2)} ≥ 0.7: waiting 60 s for the machine to be quiet …`);
    await sleep(60_000);
  }
  throw new Error("the machine did not become quiet within 30 minutes");
}

// ---- the pieces the bench starts

/** An SMTP server that accepts and counts mail without parsing it (the cheapest possible relay). */
async function startMailSink() {
  let accepted = 0;
  const port = await freePort();
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      stream.on("end", () => {
        accepted++;
        callback();
      });
      stream.resume();
    },
  });
  await new Promise((resolve) => smtp.listen(port, "127.0.0.1", resolve));
  return { url: `smtp://127.0.0.1:${port}`, accepted: () => accepted, close: () => new Promise((r) => smtp.close(r)) };
}

async function startServer({ port, env, logFile, cpuProf }) {
  const start = startCommand(APP);
  const args = cpuProf ? [`--cpu-prof`, `--cpu-prof-dir=${cpuProf}`, ...start.args] : start.args;
  const out = openSync(logFile, "a");
  const child = spawn(process.execPath, args, { cwd: APP, env: { ...process.env, ...start.env, ...env }, stdio: ["ignore", out, out] });
  closeSync(out);
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    const status = await fetch(`${url}/healthz`).then((r) => r.status, () => 0);
    if (status === 200) break;
    const early = await Promise.race([exited, sleep(200).then(() => "running")]);
    if (early !== "running") throw new Error(`the server exited (${early}) during start-up; see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the server did not become healthy within 90 s; see ${logFile}`);
    }
  }
  return {
    url,
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      const done = await Promise.race([exited, sleep(20_000).then(() => "timeout")]);
      if (done === "timeout") {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** A driver process (scripts/bench/drive.mjs) that has done its warm-up and waits for "go". */
async function startDriver(spec) {
  const child = spawn(process.execPath, [path.join(HERE, "drive.mjs"), JSON.stringify(spec)], { cwd: ROOT, stdio: ["pipe", "pipe", "inherit"] });
  const events = createInterface({ input: child.stdout });
  const queue = [];
  const waiters = [];
  events.on("line", (line) => {
    const event = JSON.parse(line);
    const w = waiters.shift();
    if (w) w(event);
    else queue.push(event);
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const next = () => (queue.length ? Promise.resolve(queue.shift()) : Promise.race([new Promise((r) => waiters.push(r)), exited.then((code) => { throw new Error(`driver ${spec.scenario} exited (${code})`); })]));
  const warm = await next();
  if (warm.event !== "warm") throw new Error(`driver ${spec.scenario}: unexpected ${JSON.stringify(warm)}`);
  return {
    go() {
      child.stdin.write("go\n");
      return next().then(async (result) => {
        child.stdin.end();
        await exited;
        return result;
      });
    },
    kill: () => child.kill("SIGTERM"),
  };
}

// ---- preparation over HTTP (what a client does), before the measured runs

const spreadIp = () => `10.${(Math.random() * 250) | 0}.${(Math.random() * 250) | 0}.${1 + ((Math.random() * 250) | 0)}`;

async function post(url, body, headers = {}) {
  const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json", "x-forwarded-for": spreadIp(), ...headers }, body: JSON.stringify(body) });
  const json = await r.json().catch(() => null);
  if (r.status >= 300) throw new Error(`POST ${new URL(url).pathname} answered ${r.status}: ${JSON.stringify(json)}`);
  return json;
}

async function prepare(url, refreshSessions) {
  const email = `bench-${Date.now().toString(36)}@bench.local`;
  const registered = await post(`${url}/auth/register/`, { email, password: PASSWORD });
  // As the legacy answer gives it: a number, whose leading zeros the server pads back.
  await post(`${url}/auth/verify/otp/`, { email, otp: registered.otp });
  const login = await post(`${url}/auth/login/`, { email, password: PASSWORD });
  const me = await fetch(`${url}/auth/me/`, { headers: { authorization: `Bearer ${login.tokens.access_token}` } }).then((r) => r.json());
  if (me.user?.email !== email) throw new Error(`GET /auth/me/ did not answer the prepared user: ${JSON.stringify(me)}`);
  const refreshTokens = [];
  for (let i = 0; i < refreshSessions; i++) refreshTokens.push((await post(`${url}/auth/login/`, { email, password: PASSWORD })).tokens.refresh);
  return { email, password: PASSWORD, accessToken: login.tokens.access_token, userId: login.user.userid, refreshTokens };
}

function seedUnverified(env, count, file) {
  // Run from the measured checkout, so its own data layer writes the rows.
  execFileSync(path.join(APP, "node_modules/.bin/tsx"), [path.join(HERE, "seed-unverified.ts"), String(count), file], {
    cwd: APP,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
}

// ---- one scenario

async function measure(o, server, mail, spec) {
  const drivers = [];
  try {
    // The scenario's peak memory includes its warm-up.
    const peakReset = resetPeak(server.pid);
    for (const s of spec.drivers) drivers.push(await startDriver({ origin: server.url, warmup: o.warmup, duration: o.duration, ...s }));
    await settle(server.pid);
    const before = procStat(server.pid);
    const machineBefore = machineTicks();
    const mailBefore = mail.accepted();
    const windowStartUs = Number(process.hrtime.bigint() / 1000n);
    let maxRssKb = before.rssKb;
    const sampler = setInterval(() => {
      const s = procStat(server.pid);
      if (s) maxRssKb = Math.max(maxRssKb, s.rssKb);
    }, 100);
    const results = await Promise.all(drivers.map((d) => d.go()));
    clearInterval(sampler);
    const windowEndUs = Number(process.hrtime.bigint() / 1000n);
    const after = procStat(server.pid);
    const machineAfter = machineTicks();
    const wall = (after.at - before.at) / 1000;
    const busy = machineAfter.busy - machineBefore.busy;
    const total = busy + machineAfter.idle - machineBefore.idle;
    return {
      results,
      server: {
        cpuCores: (after.ticks - before.ticks) / CLK_TCK / wall,
        mainThreadCores: (after.mainTicks - before.mainTicks) / CLK_TCK / wall,
        peakRssMb: (peakReset ? after.hwmKb : Math.max(maxRssKb, after.rssKb)) / 1024,
        rssMb: after.rssKb / 1024,
        peakSource: peakReset ? "VmHWM (reset before the scenario)" : "VmRSS sampled every 100 ms",
      },
      machineCpuCores: (busy / total) * cpus().length,
      mails: mail.accepted() - mailBefore,
      // CLOCK_MONOTONIC in µs, the clock of V8's CPU profiles: profile-summary.mjs --window picks these samples.
      window: [windowStartUs, windowEndUs],
    };
  } finally {
    for (const d of drivers) d.kill();
  }
}

// ---- the table

const SCENARIO_LABEL = {
  trivial: "GET /.well-known/jwks.json (floor)",
  login: "POST /auth/login/",
  register: "POST /auth/register/",
  verify: "POST /auth/verify/otp/",
  refresh: "POST /auth/token/refresh/",
  me: "GET /auth/me/",
  profile: "PUT /auth/{id}/",
  "oauth-userinfo": "GET /oauth/me (OpenID userinfo)",
  "oauth-refresh": "POST /oauth/token (refresh_token)",
  "oauth-cc": "POST /oauth/token (client_credentials)",
  "oauth-introspect": "POST /oauth/token/introspection",
  "flood:login": "flood: POST /auth/login/",
  "flood:me": "flood: GET /auth/me/ meanwhile",
};

/** Main-thread CPU per request: what the event loop, the one thread every request passes, spends on each. */
function mainMsPerRequest(server, rps) {
  return ((server.mainThreadCores * 1000) / Math.max(rps, 1e-9)).toFixed(2);
}

function printTable(report) {
  const head = ["scenario", "conns", "req/s", "2xx/s", "p50 ms", "p99 ms", "max ms", "errors", "status codes", "srv CPU", "main ms/req", "peak RSS MB"];
  const rows = report.rows.map((r) => [
    SCENARIO_LABEL[r.scenario] ?? r.scenario,
    String(r.connections),
    r.rps.toFixed(1),
    r.okPerSecond.toFixed(1),
    String(r.p50),
    String(r.p99),
    String(r.max),
    String(r.errors + r.timeouts + r.non2xx),
    Object.entries(r.codes).map(([k, v]) => `${k}:${v}`).join(" ") || "-",
    r.server ? r.server.cpuCores.toFixed(2) : "",
    r.server ? mainMsPerRequest(r.server, r.rps) : "",
    r.server ? r.server.peakRssMb.toFixed(0) : "",
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 || i === 8 ? c.padEnd(w[i]) : c.padStart(w[i]))).join("  ");
  const h = report.hash;
  console.log(`\n${report.machine.cpus} CPUs (${report.machine.model}), node ${report.node}, ${report.database}, ${report.duration} s each after ${report.warmup} s warm-up, autocannon ${report.autocannon}`);
  const how = (x) => (x.threads ? `on ${x.threads} hash threads as the server runs them` : `with ${x.concurrency} in flight`);
  console.log(`raw Argon2id (m=${h.params.memoryCost} KiB, t=${h.params.timeCost}, p=${h.params.parallelism}), verify in one process: ${h.results.map((x) => `${x.perSecond.toFixed(1)}/s ${how(x)}`).join(", ")}\n`);
  console.log(line(head));
  console.log(w.map((n) => "-".repeat(n)).join("  "));
  for (const r of rows) console.log(line(r));
  console.log("");
  for (const [k, v] of Object.entries(report.ratios)) console.log(`${k.padEnd(44)} ${v}`);
  console.log(`${"server peak RSS over the run (VmHWM)".padEnd(44)} ${report.serverPeakRssMb.toFixed(0)} MB (start-up and preparation: ${report.startupPeakRssMb.toFixed(0)} MB)`);
}

function gitCommit(dir) {
  try {
    return execFileSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}

// ---- main

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.waitQuiet) await waitQuiet();
  ensureBuild(o.build);
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const outDir = path.join(ROOT, "bench-results");
  mkdirSync(outDir, { recursive: true });
  const started = { load: loadavg(), at: new Date().toISOString() };
  if (started.load[0] >= 0.7) console.log(`[bench] WARNING: load ${started.load[0].toFixed(2)} at start: other work shares the CPUs; figures will be low`);

  const cores = availableParallelism();
  console.log("[bench] raw Argon2id rate …");
  const hash = JSON.parse(execFileSync(process.execPath, [path.join(HERE, "hash.mjs"), "--seconds", "5", "--concurrency", [...new Set([4, cores])].join(","), "--threads", String(cores)], { cwd: ROOT, encoding: "utf8" }));

  const mail = await startMailSink();
  const dataDir = mkdtempSync(path.join(tmpdir(), "auth-bench-"));
  const port = await freePort();
  const { privateKey } = generateKeyPairSync("ed25519");
  const { privateKey: rsaKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const env = {
    NODE_ENV: "production",
    PORT: String(port),
    HOST: "127.0.0.1",
    APP_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    AUTH_SECRET: randomBytes(32).toString("base64url"),
    JWT_PRIVATE_KEY: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    OIDC_RSA_PRIVATE_KEY: rsaKey.export({ type: "pkcs8", format: "pem" }).toString(),
    SMTP_URL: mail.url,
    TRUST_PROXY: "1",
    AUTH_EXPOSE_OTP: "true",
    NEXT_TELEMETRY_DISABLED: "1",
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  };
  const logFile = path.join(outDir, `server-${stamp}.log`);
  let server;
  let startupPeakMb = 0;
  const rows = [];
  try {
    server = await startServer({ port, env, logFile, cpuProf: o.cpuProf });
    console.log(`[bench] server pid ${server.pid} on ${server.url} (${process.env.BENCH_DATABASE_URL ? "PostgreSQL" : "embedded SQLite"}) from ${APP}; log ${path.relative(ROOT, logFile)}`);
    let data = await prepare(server.url, o.connections * 4);
    if (o.only.some((s) => s.startsWith("oauth-"))) {
      data = { ...data, ...(await prepareOAuth({ url: server.url, app: APP, env, email: data.email, password: data.password, refreshSessions: o.connections * 4 })) };
    }
    startupPeakMb = procStat(server.pid).hwmKb / 1024;

    for (const scenario of o.only) {
      let drivers;
      if (scenario === "flood") {
        drivers = [
          { scenario: "login", connections: o.floodConnections, data, label: "flood:login" },
          { scenario: "me", connections: 4, data, label: "flood:me" },
        ];
      } else if (scenario === "verify") {
        const file = path.join(dataDir, "verify-pairs.json");
        seedUnverified(env, 25_000, file);
        drivers = [{ scenario, connections: o.connections, data: { ...data, verifyFile: file } }];
      } else {
        drivers = [{ scenario, connections: o.connections, data }];
      }
      const m = await measure(o, server, mail, { drivers });
      m.results.forEach((r, i) => {
        const row = { ...r, scenario: drivers[i].label ?? scenario, server: i === 0 ? m.server : null, machineCpuCores: m.machineCpuCores, mails: m.mails, window: m.window };
        rows.push(row);
        console.log(`[bench] ${row.scenario}: ${row.rps.toFixed(1)} req/s, 2xx ${row.okPerSecond.toFixed(1)}/s, p50 ${row.p50} ms, p99 ${row.p99} ms, codes ${JSON.stringify(row.codes)}, server ${m.server.cpuCores.toFixed(2)} cores (main thread ${mainMsPerRequest(m.server, row.rps)} ms/req), peak ${m.server.peakRssMb.toFixed(0)} MB`);
      });
    }
  } finally {
    await server?.stop();
    await mail.close();
    rmSync(dataDir, { recursive: true, force: true });
  }

  const raw4 = hash.results.find((x) => x.concurrency === 4)?.perSecond;
  const byName = Object.fromEntries(rows.map((r) => [r.scenario, r]));
  const ratios = {};
  if (byName.login && raw4) ratios["login 2xx/s ÷ raw Argon2id (4 in flight)"] = (byName.login.okPerSecond / raw4).toFixed(2);
  if (byName.register && raw4) ratios["register 2xx/s ÷ raw Argon2id (4 in flight)"] = (byName.register.okPerSecond / raw4).toFixed(2);
  // The server's own way of hashing is faster than the library's asynchronous calls; against it,
  // what remains is the cost of everything else a login or sign-up does.
  const onThreads = hash.results.find((x) => x.threads)?.perSecond;
  if (byName.login && onThreads) ratios["login 2xx/s ÷ the server's hash threads alone"] = (byName.login.okPerSecond / onThreads).toFixed(2);
  if (byName.register && onThreads) ratios["register 2xx/s ÷ the server's hash threads alone"] = (byName.register.okPerSecond / onThreads).toFixed(2);
  if (byName.me && byName.trivial) ratios["me req/s ÷ trivial route req/s"] = (byName.me.rps / byName.trivial.rps).toFixed(2);
  if (byName["oauth-userinfo"] && byName.me) ratios["OpenID userinfo req/s ÷ me req/s"] = (byName["oauth-userinfo"].rps / byName.me.rps).toFixed(2);
  if (byName["oauth-refresh"] && byName.refresh) ratios["OpenID refresh 2xx/s ÷ API refresh 2xx/s"] = (byName["oauth-refresh"].okPerSecond / byName.refresh.okPerSecond).toFixed(2);
  if (byName["oauth-cc"]) ratios["client credentials tokens/s"] = byName["oauth-cc"].okPerSecond.toFixed(0);
  if (byName["oauth-introspect"]) ratios["introspections/s"] = byName["oauth-introspect"].okPerSecond.toFixed(0);
  if (byName["flood:me"]) ratios["me p50 / p99 while login is flooded"] = `${byName["flood:me"].p50} / ${byName["flood:me"].p99} ms`;
  const report = {
    date: started.at,
    app: APP,
    commit: gitCommit(APP),
    loadAtStart: started.load,
    node: process.version,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "?" },
    database: process.env.BENCH_DATABASE_URL ? "PostgreSQL" : "SQLite (embedded)",
    autocannon: JSON.parse(readFileSync(path.join(ROOT, "node_modules/autocannon/package.json"), "utf8")).version,
    duration: o.duration,
    warmup: o.warmup,
    hash,
    rows,
    ratios,
    startupPeakRssMb: startupPeakMb,
    serverPeakRssMb: Math.max(startupPeakMb, ...rows.filter((r) => r.server).map((r) => r.server.peakRssMb)),
  };
  printTable(report);
  const jsonFile = o.json ? path.resolve(o.json) : path.join(outDir, `bench-${stamp}.json`);
  writeFileSync(jsonFile, JSON.stringify(report, null, 2));
  console.log(`\n[bench] JSON written to ${path.relative(ROOT, jsonFile)}`);
}

main().catch((error) => {
  console.error(`[bench] FAILED: ${error.stack ?? error}`);
  process.exit(1);
});
