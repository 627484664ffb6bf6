#!/usr/bin/env node
// npm run bench [-- options]
//
// The service's HTTP benchmark: builds if the sources changed since the last build, and for each
// database asked for measures the raw Argon2id rate of this machine (again after login and
// sign-up: their ratios take the mean of the two readings), starts the production server
// (`npm start`'s command line) on a fresh database with an SMTP sink of its own, drives each
// scenario with autocannon from a separate process, and prints its table; with two databases a
// table of SQLite beside PostgreSQL and the issue's goals follow. The same figures go to
// bench-results/bench-<time>.json.
//
// Options: --duration 10 --warmup 2 --connections 16 --flood-connections 32 --only a,b,…
//          --database sqlite,postgres (default sqlite; PostgreSQL is BENCH_DATABASE_URL when set,
//            else a throwaway durable cluster of scripts/postgres-cluster.mjs, stopped at the end)
//          --seed N (after the scenarios: stop the server, bulk-load N accounts, 3N sessions, 10N
//            audit events and N limit windows with scripts/bench/seed-big.mjs, run the same
//            scenarios again, then the sweep of the seeded backlog while me is driven, given at
//            most --sweep-seconds 1800)
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
// without parsing mail); the sweep scenario's server adds HOUSEKEEPING_INTERVAL_MS. Only 127.0.0.1
// is used; everything started here is stopped here.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { freePort } from "../free-port.mjs";
import { startThrowawayPostgres } from "../postgres-cluster.mjs";
import { prepareOAuth } from "./oauth-prepare.mjs";
import { measure, procStat, sleep, startMailSink, startServer } from "./processes.mjs";
import { mainMsPerRequest, printComparison, printEmptyVsSeeded, printRun, printSweep, ratiosOf } from "./report.mjs";
import { logSize, SWEEP_FIRST_MS, sweepWhileDriving } from "./sweep.mjs";

const ROOT = path.resolve(import.meta.dirname, "../..");
// The checkout whose server is measured (--app); results and tools stay in this one.
let APP = ROOT;
const HERE = import.meta.dirname;
// In this order so that each ratio compares figures taken minutes apart at most, not a whole run
// apart (this machine's speed drifts): login and sign-up right after the raw hash rate, and the
// session check right after the trivial route it is compared with.
const HASHING = ["login", "register"];
const ALL = ["login", "register", "trivial", "me", "oauth-userinfo", "verify", "refresh", "oauth-refresh", "profile", "oauth-cc", "oauth-introspect", "flood"];
const DATABASES = ["sqlite", "postgres"];
const DATABASE_LABEL = { sqlite: "SQLite (embedded)", postgres: "PostgreSQL" };
const PASSWORD = "Bench-password-123!";

// ---- options

function parseArgs(argv) {
  const o = { duration: 10, warmup: 2, connections: 16, floodConnections: 32, only: ALL, databases: ["sqlite"], seed: 0, sweepSeconds: 1800, build: "auto", json: null, waitQuiet: false, cpuProf: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => argv[++i];
    if (a === "--duration") o.duration = Number(value());
    else if (a === "--warmup") o.warmup = Number(value());
    else if (a === "--connections") o.connections = Number(value());
    else if (a === "--flood-connections") o.floodConnections = Number(value());
    else if (a === "--only") o.only = value().split(",");
    else if (a === "--database") o.databases = value().split(",");
    else if (a === "--seed") o.seed = Number(value());
    else if (a === "--sweep-seconds") o.sweepSeconds = Number(value());
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
  for (const d of o.databases) if (!DATABASES.includes(d)) throw new Error(`unknown database ${d}; known: ${DATABASES.join(", ")}`);
  o.databases = DATABASES.filter((d) => o.databases.includes(d));
  if (!Number.isInteger(o.seed) || o.seed < 0) throw new Error("--seed takes a number of accounts");
  return o;
}

// ---- helpers

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

async function waitQuiet() {
  for (let i = 0; i < 30; i++) {
    const [one] = loadavg();
    if (one < 0.7) return;
    console.log(`[bench] load ${one.toFixed(2)} ≥ 0.7: waiting 60 s for the machine to be quiet …`);
    await sleep(60_000);
  }
  throw new Error("the machine did not become quiet within 30 minutes");
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

function gitCommit(dir) {
  try {
    return execFileSync("git", ["-C", dir, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return null;
  }
}


// ---- one database

/** The scenarios of `o.only`, one after the other, against a running server. */
async function runScenarios(o, { server, mail, env, dataDir, databaseProcesses, data }) {
  const rows = [];
  let rawAfter = null;
  const lastHashing = o.only.filter((s) => HASHING.includes(s)).at(-1);
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
    const m = await measure(o, server, mail, { drivers }, databaseProcesses);
    m.results.forEach((r, i) => {
      const row = { ...r, scenario: drivers[i].label ?? scenario, server: i === 0 ? m.server : null, databaseCpuCores: i === 0 ? m.databaseCpuCores : null, machineCpuCores: m.machineCpuCores, mails: m.mails, window: m.window };
      rows.push(row);
      console.log(`[bench] ${row.scenario}: ${row.rps.toFixed(1)} req/s, 2xx ${row.okPerSecond.toFixed(1)}/s, p50 ${row.p50} ms, p99 ${row.p99} ms, codes ${JSON.stringify(row.codes)}, server ${m.server.cpuCores.toFixed(2)} cores (main thread ${mainMsPerRequest(m.server, row.rps)} ms/req)${m.databaseCpuCores === null ? "" : `, database ${m.databaseCpuCores.toFixed(2)} cores`}, peak ${m.server.peakRssMb.toFixed(0)} MB`);
    });
    // The raw rate again once the scenarios that hash are done (the server idle meanwhile): their
    // ratios take the mean of the two readings, so a drift of the machine's speed over the minute
    // between them does not land on one side of the ratio only.
    if (scenario === lastHashing) {
      console.log("[bench] raw Argon2id rate again …");
      rawAfter = rawHashRate([4]);
    }
  }
  return { rows, rawAfter };
}

/** The raw Argon2id rate (scripts/bench/hash.mjs): with each number of calls in flight, and on the server's hash threads. */
function rawHashRate(concurrency, threads) {
  const args = ["--seconds", "5", "--concurrency", [...new Set(concurrency)].join(","), ...(threads ? ["--threads", String(threads)] : [])];
  return JSON.parse(execFileSync(process.execPath, [path.join(HERE, "hash.mjs"), ...args], { cwd: ROOT, encoding: "utf8" }));
}

/** A server on `env`, the prepared account (and OpenID client), then every scenario: one table's rows. */
async function serveAndMeasure(o, ctx, label) {
  const server = await startServer({ app: APP, port: ctx.port, env: ctx.env, logFile: ctx.logFile, cpuProf: o.cpuProf });
  try {
    console.log(`[bench] ${label}: server pid ${server.pid} on ${server.url} from ${APP}; log ${path.relative(ROOT, ctx.logFile)}`);
    let data = await prepare(server.url, o.connections * 4);
    if (o.only.some((s) => s.startsWith("oauth-"))) {
      data = { ...data, ...(await prepareOAuth({ url: server.url, app: APP, env: ctx.env, email: data.email, password: data.password, refreshSessions: o.connections * 4 })) };
    }
    const startupPeakRssMb = procStat(server.pid).hwmKb / 1024;
    const { rows, rawAfter } = await runScenarios(o, { ...ctx, server, data });
    return { rows, ...(rawAfter ? { hashAfter: rawAfter } : {}), startupPeakRssMb, serverPeakRssMb: Math.max(startupPeakRssMb, ...rows.filter((r) => r.server).map((r) => r.server.peakRssMb)) };
  } finally {
    await server.stop();
  }
}

/** scripts/bench/seed-big.mjs against the server's database (the server stopped); its figures. */
function seedBig(env, accounts) {
  console.log(`[bench] seeding ${accounts.toLocaleString("en")} accounts …`);
  const out = execFileSync(process.execPath, [path.join(HERE, "seed-big.mjs"), String(accounts), "--hold-lease"], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return JSON.parse(out.trim().split("\n").at(-1));
}

/** The sweep scenario: the backlog's lease handed back, a server that sweeps soon, me driven meanwhile. */
async function sweepScenario(o, ctx, seeding) {
  execFileSync(process.execPath, [path.join(HERE, "seed-big.mjs"), "--release-lease"], { cwd: ROOT, env: { ...process.env, ...ctx.env }, stdio: ["ignore", "ignore", "inherit"] });
  const logFrom = logSize(ctx.logFile);
  const server = await startServer({ app: APP, port: ctx.port, env: { ...ctx.env, HOUSEKEEPING_INTERVAL_MS: String(SWEEP_FIRST_MS) }, logFile: ctx.logFile });
  try {
    console.log(`[bench] sweep: server pid ${server.pid}, first sweep ${SWEEP_FIRST_MS / 1000} s after start-up, GET /auth/me/ driven meanwhile …`);
    const data = await prepare(server.url, 0);
    return await sweepWhileDriving({ server, logFile: ctx.logFile, logFrom, data, backlog: seeding.backlog.total, limitSeconds: o.sweepSeconds });
  } finally {
    await server.stop();
  }
}

async function benchDatabase(o, database, { mail, outDir, stamp }) {
  const load = loadavg();
  console.log(`[bench] ${DATABASE_LABEL[database]}: raw Argon2id rate …`);
  const cores = availableParallelism();
  const hash = rawHashRate([4, cores], cores);
  const dataDir = mkdtempSync(path.join(tmpdir(), "auth-bench-"));
  let cluster = null;
  try {
    let databaseUrl;
    if (database === "postgres") {
      databaseUrl = process.env.BENCH_DATABASE_URL;
      if (!databaseUrl) {
        console.log("[bench] starting a throwaway PostgreSQL cluster (fsync and synchronous_commit on) …");
        cluster = await startThrowawayPostgres({ durable: true });
        databaseUrl = cluster.url;
      }
    }
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
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    };
    // The cluster's processes, for the database's CPU per request (unknown for BENCH_DATABASE_URL's).
    const databaseProcesses = cluster ? () => cluster.processes() : null;
    const ctx = { port, env, mail, dataDir, databaseProcesses, logFile: path.join(outDir, `server-${stamp}-${database}.log`) };
    const run = { database: DATABASE_LABEL[database], load, hash, ...(await serveAndMeasure(o, ctx, DATABASE_LABEL[database])) };
    run.ratios = ratiosOf(run.rows, hash, run.hashAfter);
    if (o.seed > 0) {
      const seeding = seedBig(env, o.seed);
      const seededLoad = loadavg();
      const seededHash = rawHashRate([4, cores], cores);
      const seeded = { load: seededLoad, hash: seededHash, seeding, ...(await serveAndMeasure(o, ctx, `${DATABASE_LABEL[database]}, seeded`)) };
      seeded.ratios = ratiosOf(seeded.rows, seededHash, seeded.hashAfter);
      run.seeded = seeded;
      run.sweep = await sweepScenario(o, ctx, seeding);
    }
    return run;
  } finally {
    cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
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

  const mail = await startMailSink();
  const runs = [];
  try {
    for (const database of o.databases) runs.push(await benchDatabase(o, database, { mail, outDir, stamp }));
  } finally {
    await mail.close();
  }

  const report = {
    date: started.at,
    app: APP,
    commit: gitCommit(APP),
    loadAtStart: started.load,
    loadAtEnd: loadavg(),
    node: process.version,
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? "?" },
    autocannon: JSON.parse(readFileSync(path.join(ROOT, "node_modules/autocannon/package.json"), "utf8")).version,
    duration: o.duration,
    warmup: o.warmup,
    seed: o.seed,
    runs,
  };
  for (const run of runs) {
    printRun(report, run, run.database);
    if (run.seeded) printRun(report, run.seeded, `${run.database}, seeded with ${o.seed.toLocaleString("en")} accounts`);
  }
  const [sqlite, postgres] = [runs.find((r) => r.database === DATABASE_LABEL.sqlite), runs.find((r) => r.database === DATABASE_LABEL.postgres)];
  if (sqlite && postgres) {
    report.goals = printComparison(sqlite, postgres);
    if (sqlite.seeded && postgres.seeded) report.seededGoals = printComparison(sqlite.seeded, postgres.seeded);
  }
  for (const run of runs) {
    if (run.seeded) run.seededGoals = printEmptyVsSeeded(run, run.database);
    if (run.sweep) printSweep(run.sweep, run.database);
  }
  console.log(`\nload average at the start ${started.load.map((x) => x.toFixed(2)).join(" ")}, at the end ${report.loadAtEnd.map((x) => x.toFixed(2)).join(" ")}`);
  const jsonFile = o.json ? path.resolve(o.json) : path.join(outDir, `bench-${stamp}.json`);
  writeFileSync(jsonFile, JSON.stringify(report, null, 2));
  console.log(`\n[bench] JSON written to ${path.relative(ROOT, jsonFile)}`);
}

main().catch((error) => {
  console.error(`[bench] FAILED: ${error.stack ?? error}`);
  process.exit(1);
});
