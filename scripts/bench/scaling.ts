// What each flow costs PostgreSQL, for docs/scaling.md: WAL bytes and CPU time (the database
// server's and the app's) per flow, and the bytes each kind of row takes on disk with its indexes.
// (Statements and commits per flow: scripts/bench/trace-statements.ts.)
//   npx tsx scripts/bench/scaling.ts [--accounts 300]
// runs the service's flows in this process against a throwaway PostgreSQL cluster started durable
// (fsync and synchronous_commit on, as production runs), or SCALING_DATABASE_URL=postgres://…
// (a database of its own: the figures are the whole database's). Each flow runs `--accounts` times,
// four at a time (the hash pool's pace), twice: the first round fills the tables, the second is
// measured. WAL is read from pg_current_wal_lsn() before and after,
// once warm (pages already touched since the last checkpoint) and once right after a CHECKPOINT
// (every page touched again writes a full-page image first: the cost on a database far larger
// than what one checkpoint interval touches).
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { childrenOf, startThrowawayPostgres } from "../postgres-cluster.mjs";
import { CLK_TCK, processTreeTicks } from "./processes.mjs";

const argValue = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const ACCOUNTS = argValue("--accounts", 300);
const IN_FLIGHT = 4;

const dir = mkdtempSync(path.join(tmpdir(), "auth-scaling-"));
const cluster = process.env.SCALING_DATABASE_URL ? undefined : await startThrowawayPostgres({ durable: true });
const url = process.env.SCALING_DATABASE_URL ?? cluster!.url;
Object.assign(process.env, {
  DATABASE_URL: url,
  DATA_DIR: dir,
  AUTH_SECRET: "scaling-secret-".padEnd(48, "x"),
  JWT_PRIVATE_KEY: generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  APP_URL: "http://localhost:3000",
  LOG_LEVEL: "silent",
});

const { migrateDeploy } = await import("@/prisma/engine/wasm-engine.mjs");
await migrateDeploy({ url });
const { createSignedInAccount } = await import("@/lib/auth/signup");
const { refreshSession, authenticate } = await import("@/lib/auth/sessions");
const { loginWithPassword } = await import("@/lib/auth/login");
const { verifyCode } = await import("@/lib/auth/email-verification");
const { disconnectDb } = await import("@/lib/db");

// A connection of its own for the server's figures (not one of the pool's).
const admin = new pg.Client({ connectionString: url });
await admin.connect();
const one = async (text: string) => (await admin.query(text)).rows[0];
const settings = await admin.query(`SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'wal_level', 'shared_buffers', 'max_connections', 'checkpoint_timeout', 'max_wal_size', 'wal_compression')`);

let n = 0;
const client = () => ({ ip: `10.${(++n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, userAgent: "scaling" });
const PASSWORD = "correct horse battery staple";
const emails = Array.from({ length: 2 * ACCOUNTS }, (_, i) => `scaling-${i}@example.com`);

/** Runs `work(i)` for i in 0..count-1, IN_FLIGHT at a time. */
async function each(count: number, work: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < count) await work(next++);
  }));
}

/**
 * CPU time of the database server so far, in ms: its postmaster and every process under it (one per
 * connection, and the WAL writer, checkpointer…, ended ones included), from /proc (this machine's server only).
 */
const dataDirectory = (await one(`SELECT setting FROM pg_settings WHERE name = 'data_directory'`)).setting as string;
const postmaster = Number(readFileSync(path.join(dataDirectory, "postmaster.pid"), "utf8").split("\n")[0]);
function serverCpuMs(): number {
  return (processTreeTicks(() => [postmaster, ...childrenOf(postmaster)]) * 1000) / CLK_TCK;
}

const lsn = async () => BigInt((await one(`SELECT pg_current_wal_lsn() - '0/0'::pg_lsn AS b`)).b);

interface FlowCost { flow: string; count: number; walBytesWarm: number; walBytesAfterCheckpoint: number; serverCpuMs: number; appCpuMs: number }
const costs: FlowCost[] = [];

/** WAL per run of `flow`, half the runs warm and half right after a checkpoint. */
async function measure(flow: string, count: number, work: (i: number) => Promise<unknown>) {
  const half = Math.floor(count / 2);
  const before = await lsn();
  const [cpuBefore, appBefore] = [serverCpuMs(), process.cpuUsage()];
  await each(half, work);
  const [cpuWarm, appWarm] = [serverCpuMs(), process.cpuUsage(appBefore)];
  const warm = await lsn();
  await admin.query("CHECKPOINT");
  const afterCheckpoint = await lsn();
  await each(count - half, (i) => work(half + i));
  const end = await lsn();
  costs.push({
    flow,
    count,
    walBytesWarm: Number(warm - before) / half,
    walBytesAfterCheckpoint: Number(end - afterCheckpoint) / (count - half),
    serverCpuMs: (cpuWarm - cpuBefore) / half,
    appCpuMs: (appWarm.user + appWarm.system) / 1000 / half,
  });
}

/** Every flow once for each of accounts first … first+count-1; `measured` records each flow's cost. */
async function round(first: number, count: number, measured: boolean) {
  const run = measured ? measure : (_flow: string, n: number, work: (i: number) => Promise<unknown>) => each(n, work);
  const account = (i: number) => emails[first + i]!;
  const codes: string[] = [];
  await run("register (account, session, code, mail)", count, async (i) => {
    codes[i] = (await createSignedInAccount({ email: account(i), password: PASSWORD }, client())).code;
  });
  await run("verify with the code (a second session)", count, (i) => verifyCode(account(i), codes[i]!, client()));
  const refreshTokens: string[] = [];
  const accessTokens: string[] = [];
  await run("login, right password", count, async (i) => {
    const login = await loginWithPassword(account(i), PASSWORD, client());
    if (login.kind !== "session") throw new Error(`expected a session, got ${login.kind}`);
    refreshTokens[i] = login.tokens.refreshToken;
    accessTokens[i] = login.tokens.accessToken;
  });
  await run("login, wrong password", count, async (i) => {
    await loginWithPassword(account(i), "wrong password entirely", client()).then(
      () => Promise.reject(new Error("a wrong password signed in")),
      () => {},
    );
  });
  await run("refresh", count, (i) => refreshSession(refreshTokens[i]!, client()));
  await run("me", count, (i) => authenticate(accessTokens[i]!));
}

/**
 * Rows and bytes on disk of each table, with its indexes and TOAST, after VACUUM (free space and
 * visibility maps as in a running database).
 */
async function sizes(): Promise<Map<string, { rows: number; total: number; heap: number }>> {
  await admin.query("VACUUM ANALYZE");
  const tables = await admin.query<{ table: string; total: string; heap: string }>(
    `SELECT c.relname AS table, pg_total_relation_size(c.oid) AS total, pg_relation_size(c.oid) AS heap
     FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE c.relkind = 'r' AND ns.nspname = 'public'`,
  );
  const out = new Map<string, { rows: number; total: number; heap: number }>();
  for (const t of tables.rows) out.set(t.table, { rows: Number((await one(`SELECT COUNT(*) AS n FROM "${t.table}"`)).n), total: Number(t.total), heap: Number(t.heap) });
  return out;
}

// The first round fills the tables (so that fixed costs, an index's first pages, are paid); the
// second is measured, and each table's bytes per row are what that round added over what it had.
const started = performance.now();
await round(0, ACCOUNTS, false);
const filled = await sizes();
await round(ACCOUNTS, ACCOUNTS, true);
const grown = await sizes();
const seconds = (performance.now() - started) / 1000;

console.log(`PostgreSQL ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(" ")}`);
console.log(`2 × ${ACCOUNTS} accounts, ${IN_FLIGHT} flows at a time, ${seconds.toFixed(0)} s; load average ${loadavg().map((l) => l.toFixed(2)).join(" ")}\n`);
console.log("per flow".padEnd(44) + "WAL bytes, warm".padStart(17) + "after CHECKPOINT".padStart(18) + "db CPU ms".padStart(11) + "app CPU ms".padStart(12));
for (const c of costs) {
  console.log(c.flow.padEnd(44) + c.walBytesWarm.toFixed(0).padStart(17) + c.walBytesAfterCheckpoint.toFixed(0).padStart(18) + c.serverCpuMs.toFixed(2).padStart(11) + c.appCpuMs.toFixed(2).padStart(12));
}
console.log("(db CPU: the PostgreSQL server's processes; app CPU: this process, hash threads included, no HTTP; both over the warm half)");
console.log("\n" + "table (the measured round)".padEnd(28) + "rows".padStart(8) + "rows added".padStart(12) + "bytes total".padStart(13) + "bytes/row".padStart(11) + "heap/row".padStart(10));
for (const [table, end] of [...grown].sort((x, y) => y[1].total - x[1].total)) {
  const before = filled.get(table)!;
  const added = end.rows - before.rows;
  if (added <= 0) continue;
  console.log(table.padEnd(28) + String(end.rows).padStart(8) + String(added).padStart(12) + String(end.total).padStart(13) + ((end.total - before.total) / added).toFixed(0).padStart(11) + ((end.heap - before.heap) / added).toFixed(0).padStart(10));
}

await admin.end();
await disconnectDb();
cluster?.stop();
rmSync(dir, { recursive: true, force: true });
