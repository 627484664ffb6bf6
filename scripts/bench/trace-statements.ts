// The SQL statements each flow sends to the database, and how many of them commit (each commit is
// an fsync: synchronous=FULL on SQLite, a durable commit on PostgreSQL). A tool for the
// performance notes:
//   npx tsx scripts/bench/trace-statements.ts              (the embedded SQLite database)
//   npx tsx scripts/bench/trace-statements.ts --postgres   (a throwaway PostgreSQL cluster; or
//                                                           TRACE_DATABASE_URL=postgres://…)
// On PostgreSQL each statement listed is one round trip to the server.
//   … --cpu 400   then runs the sign-up, login, refresh and session check 400 times each, one at a
//                 time, and prints the CPU each costs the app's main thread, its other threads (the
//                 hash's workers, libuv's pool) and (on the throwaway
//                 cluster, durable then) the PostgreSQL server's processes: what a change to a
//                 flow's statements buys, without the throughput bench's noise. Linux (/proc).
//   … --cpu 400 --statements   (PostgreSQL) also loads pg_stat_statements into the cluster and
//                 lists, for each flow, what each of its statements cost the server a call: the
//                 time executing and planning it, the WAL it wrote, and what is left of the
//                 server's CPU outside the statements (the protocol, the commits' flushes).
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { startThrowawayPostgres } from "../postgres-cluster.mjs";
import { CLK_TCK, processTreeTicks, procStat } from "./processes.mjs";

const dir = mkdtempSync(path.join(tmpdir(), "auth-trace-"));
const onPostgres = process.argv.includes("--postgres") || Boolean(process.env.TRACE_DATABASE_URL);
const cpuCalls = process.argv.includes("--cpu") ? Number(process.argv[process.argv.indexOf("--cpu") + 1] ?? 400) : 0;
const statementStats = cpuCalls > 0 && onPostgres && process.argv.includes("--statements");
// Commits cost what they cost in production when CPU is counted: fsync and synchronous_commit on.
const cluster = onPostgres && !process.env.TRACE_DATABASE_URL
  ? await startThrowawayPostgres({
      durable: cpuCalls > 0,
      settings: statementStats ? { shared_preload_libraries: "pg_stat_statements", "pg_stat_statements.track_planning": "on" } : {},
    })
  : undefined;
Object.assign(process.env, {
  DATABASE_URL: onPostgres ? (process.env.TRACE_DATABASE_URL ?? cluster!.url) : `file:${path.join(dir, "auth.db")}`,
  DATA_DIR: dir,
  AUTH_SECRET: "trace-secret-".padEnd(48, "x"),
  JWT_PRIVATE_KEY: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  APP_URL: "http://localhost:3000",
  LOG_LEVEL: "silent",
});

const { migrateDeploy } = await import("@/prisma/engine/wasm-engine.mjs");
await migrateDeploy({ url: process.env.DATABASE_URL! });
const { createSignedInAccount } = await import("@/lib/auth/signup");
const { refreshSession, authenticate } = await import("@/lib/auth/sessions");
const { loginWithPassword } = await import("@/lib/auth/login");
const { verifyCode } = await import("@/lib/auth/email-verification");
const { updateUser } = await import("@/lib/auth/profile");
const { disconnectDb } = await import("@/lib/db");
const { pingDatabase } = await import("@/lib/db/health");
const { commitsOf, recordSqliteStatements } = await import("@/lib/db/sqlite-statements");
const { recordPostgresStatements } = await import("@/lib/db/postgres-statements");
const record = () => (onPostgres ? { viaPrismaClient: [] as boolean[], ...recordPostgresStatements() } : { roundTrips: undefined, ...recordSqliteStatements() });

let n = 0;
// A new address each call: the limits per address never refuse the repeated calls of --cpu.
const client = () => ({ ip: `10.${(++n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, userAgent: "trace" });

async function trace<T>(name: string, run: () => Promise<T>): Promise<T> {
  const { statements, roundTrips, viaPrismaClient, stop } = record();
  let result: T;
  try {
    result = await run();
  } finally {
    stop();
  }
  const line = (s: string) => s.replace(/\s+/g, " ").slice(0, 140);
  if (roundTrips) {
    // On PostgreSQL: one paragraph per round trip.
    console.log(`\n${name}: ${statements.length} statements in ${roundTrips.length} round trips, ${commitsOf(statements)} commits`);
    roundTrips.forEach((trip, i) => trip.forEach((s, j) => console.log(`  ${j === 0 ? String(i + 1).padStart(2) : "  "}  ${line(s)}`)));
  } else {
    console.log(`\n${name}: ${statements.length} statements, ${commitsOf(statements)} commits`);
    statements.forEach((s, i) => console.log(`  ${viaPrismaClient[i] ? "prisma" : "direct"}  ${line(s)}`));
  }
  return result;
}

const email = "trace@example.com";
const password = "correct horse battery staple";
await pingDatabase();
const created = await trace("register (createSignedInAccount)", () => createSignedInAccount({ email, password }, client()));
const verified = await trace("verify (verifyCode)", () => verifyCode(email, created.code, client()));
const login = await trace("login (loginWithPassword, verified account)", () => loginWithPassword(email, password, client()));
if (login.kind !== "session") throw new Error(`expected a session, got ${login.kind}`);
await trace("login, wrong password (loginWithPassword, refused)", () => loginWithPassword(email, `${password}!`, client()).then(
  () => Promise.reject(new Error("a wrong password was accepted")),
  (error: unknown) => error,
));
const refreshed = await trace("refresh (refreshSession)", () => refreshSession(login.tokens.refreshToken, client()));
const caller = await trace("me (authenticate)", () => authenticate(verified.accessToken));
await trace("profile update (authenticate + updateUser)", async () => {
  const c = await authenticate(verified.accessToken);
  await updateUser(c, caller.user.id, { name: "Trace" });
});
if (cpuCalls > 0) {
  const mainThread = () => procStat(process.pid)?.mainTicks ?? 0;
  // The process's other threads: the hash's workers, and libuv's pool (WebCrypto's jobs, file I/O).
  const otherThreads = () => {
    const stat = procStat(process.pid);
    return stat ? stat.ticks - stat.mainTicks : 0;
  };
  // The cluster's processes, a backend that ended meanwhile included (through the postmaster's reaped children).
  const server = () => (cluster ? processTreeTicks(() => cluster.processes()) : 0);
  const stats = statementStats ? new pg.Client({ connectionString: process.env.DATABASE_URL }) : undefined;
  if (stats) {
    await stats.connect();
    await stats.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
  }
  const measure = async (name: string, call: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 20; i++) await call(-1 - i); // warm: compiled, prepared
    await stats?.query("SELECT pg_stat_statements_reset()");
    const [main0, other0, server0, wall0] = [mainThread(), otherThreads(), server(), performance.now()];
    for (let i = 0; i < cpuCalls; i++) await call(i);
    const [main1, other1, server1, wall1] = [mainThread(), otherThreads(), server(), performance.now()];
    const perCall = (ticks: number) => ((ticks * 1000) / CLK_TCK / cpuCalls).toFixed(2);
    const serverPart = cluster ? `, PostgreSQL ${perCall(server1 - server0)} ms` : "";
    console.log(`${name.padEnd(8)} main thread ${perCall(main1 - main0)} ms, other threads ${perCall(other1 - other0)} ms${serverPart} a call (${cpuCalls} calls, ${((wall1 - wall0) / cpuCalls).toFixed(1)} ms apart)`);
    if (stats) await printStatementCosts(stats, (server1 - server0) * 1000 / CLK_TCK / cpuCalls);
  };
  /** The flow's statements by the server's time on them, a call (pg_stat_statements' times are wall clock). */
  const printStatementCosts = async (db: pg.Client, serverCpuMs: number) => {
    const { rows } = await db.query<{ query: string; calls: string; exec: number; plan: number; wal: string }>(
      `SELECT query, calls, total_exec_time AS exec, total_plan_time AS plan, wal_bytes AS wal
         FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%' ORDER BY total_exec_time + total_plan_time DESC`,
    );
    const us = (ms: number) => `${Math.round((ms * 1000) / cpuCalls)}`.padStart(5);
    console.log("           calls  exec µs  plan µs  WAL B  statement (a call)");
    let spent = 0;
    for (const r of rows) {
      spent += r.exec + r.plan;
      console.log(`          ${(Number(r.calls) / cpuCalls).toFixed(1).padStart(6)}  ${us(r.exec)}    ${us(r.plan)}  ${String(Math.round(Number(r.wal) / cpuCalls)).padStart(5)}  ${r.query.replace(/\s+/g, " ").slice(0, 90)}`);
    }
    // The times are wall clock (an INSERT's may include a wait for a lock or a page); COMMIT is not
    // among them, so its work (the WAL's flush) is in what is left of the server's CPU.
    console.log(`          in statements ${us(spent)} µs; the server's CPU outside them (the protocol, the commits) ${us(serverCpuMs * cpuCalls - spent)} µs`);
  };
  const stamp = Date.now();
  console.log(`\nCPU per call, one call at a time${cluster ? " (PostgreSQL durable)" : ""}:`);
  await measure("sign-up", (i) => createSignedInAccount({ email: `cpu-${stamp}-${i}@example.com`, password }, client()));
  await measure("login", () => loginWithPassword(email, password, client()));
  let refreshToken = refreshed.refreshToken;
  await measure("refresh", async () => {
    refreshToken = (await refreshSession(refreshToken, client())).refreshToken;
  });
  await measure("me", () => authenticate(verified.accessToken));
  await stats?.end();
}

await disconnectDb();
cluster?.stop();
rmSync(dir, { recursive: true, force: true });
