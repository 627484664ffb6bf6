// The import at scale (issue 24): writes N Django-shaped rows to a temporary file, runs the real
// `users:import` CLI on it against a fresh database, and prints its rate and its peak memory.
//   npm run bench:import -- [--rows 1000000] [--db sqlite|postgres] [--format csv|json] [--again]
// sqlite: a fresh DATA_DIR (synchronous=FULL, as in production). postgres: a throwaway cluster
// started durable (fsync and synchronous_commit on), Debian's binaries. --again runs the import a
// second time on the same file (every row then skipped). It runs `npm run users:import` as an
// operator would, and samples the peak memory of each process under it. Everything is removed at the end.
import { spawn } from "node:child_process";
import { pbkdf2Sync } from "node:crypto";
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { once } from "node:events";
import { parseArgs } from "node:util";
import { startThrowawayPostgres, type ThrowawayPostgres } from "../postgres-cluster.mjs";

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "1000000" },
    db: { type: "string", default: "sqlite" },
    format: { type: "string", default: "csv" },
    again: { type: "boolean", default: false },
  },
});
const rows = Number(args.rows);
if (!Number.isInteger(rows) || rows <= 0 || !["sqlite", "postgres"].includes(args.db!) || !["csv", "json"].includes(args.format!)) {
  console.error("usage: npm run bench:import -- [--rows N] [--db sqlite|postgres] [--format csv|json] [--again]");
  process.exit(2);
}

const root = path.resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(path.join(tmpdir(), "auth-bench-import-"));
const file = path.join(dir, `users.${args.format}`);
const load = () => loadavg().map((l) => l.toFixed(2)).join(" ");

/**
 * One Django pbkdf2_sha256 hash, its salt's text varied per row: the import checks a hash's
 * format, never verifies it, so the rows need not be valid passwords.
 */
const digest = pbkdf2Sync("bench password", "benchsalt", 1000, 32, "sha256").toString("base64");
const COLUMNS = ["email", "name", "dob", "mobile", "roleid", "password", "is_verified", "is_active"] as const;

function djangoRow(i: number): Record<(typeof COLUMNS)[number], string | number | boolean> {
  return {
    email: `user.${i}@example${i % 97}.test`,
    name: i % 10 === 0 ? "" : `User ${i}`,
    dob: i % 3 === 0 ? "" : `19${50 + (i % 50)}-${String(1 + (i % 12)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`,
    mobile: i % 4 === 0 ? "" : `7${String(i).padStart(7, "0")}`,
    roleid: 2 + (i % 4),
    // About one in a hundred Django accounts has no usable password.
    password: i % 100 === 0 ? `!unusable${i}` : `pbkdf2_sha256$1000$s${i.toString(36)}$${digest}`,
    is_verified: i % 5 !== 0,
    is_active: i % 50 !== 0,
  };
}

async function writeRows(): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, "drain");
  };
  if (args.format === "csv") {
    await write(`${COLUMNS.join(",")}\n`);
    for (let i = 0; i < rows; i++) {
      const row = djangoRow(i);
      await write(`${COLUMNS.map((c) => (typeof row[c] === "boolean" ? (row[c] ? "1" : "0") : row[c])).join(",")}\n`);
    }
  } else {
    await write("[\n");
    for (let i = 0; i < rows; i++) await write(`${i ? ",\n" : ""}${JSON.stringify(djangoRow(i))}`);
    await write("\n]\n");
  }
  out.end();
  await once(out, "finish");
}

/** The processes below `pid` (npm, its shell, tsx and the node process it starts), from /proc. */
function descendantsOf(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // it ended meanwhile
    }
  }
  const out: number[] = [];
  const visit = (p: number) => (parents.get(p) ?? []).forEach((c) => (out.push(c), visit(c)));
  visit(pid);
  return out;
}

/** Fields of /proc/PID/stat after the command's name (the first is field 3, the state). */
function statFields(pid: number | "self"): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}
const TICKS_PER_SECOND = 100; // getconf CLK_TCK on Linux
/** CPU seconds of a process (user + system), with its reaped children's when `children`. */
function cpuSecondsOf(pid: number | "self", children: boolean): number {
  const f = statFields(pid).map(Number); // f[11] utime, f[12] stime, f[13] cutime, f[14] cstime
  return (f[11]! + f[12]! + (children ? f[13]! + f[14]! : 0)) / TICKS_PER_SECOND;
}

/**
 * The CPU the PostgreSQL cluster listening on `port` has used: its postmaster and the backends
 * that ended (reaped into its children's time), and those still running.
 */
function postgresCpuSeconds(port: number): number {
  const postmaster = readdirSync("/proc").find((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      return argv[0]!.endsWith("postgres") && argv.includes(`-p`) && argv[argv.indexOf("-p") + 1] === String(port);
    } catch {
      return false;
    }
  });
  if (!postmaster) return NaN;
  let seconds = cpuSecondsOf(Number(postmaster), true);
  for (const pid of descendantsOf(Number(postmaster))) {
    try {
      seconds += cpuSecondsOf(pid, false);
    } catch {
      // it ended meanwhile
    }
  }
  return seconds;
}

/** A process's peak resident memory so far (VmHWM), in MB, with its command line. */
function peakOf(pid: number): { mb: number; command: string } | undefined {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ").trim();
    return kb ? { mb: Number(kb) / 1024, command } : undefined;
  } catch {
    return undefined; // it has ended
  }
}

interface Run {
  seconds: number;
  /** CPU seconds of everything `npm run` started (npm, tsx, the import), once they have ended. */
  cpuSeconds: number;
  /** The largest single process's peak (the node process that imports), and its command line. */
  peak: { mb: number; command: string };
  code: number | null;
  totalsLine: string;
  progressLines: number;
}

/** `npm run users:import -- FILE` exactly as an operator runs it. */
async function runImport(env: NodeJS.ProcessEnv): Promise<Run> {
  const started = performance.now();
  const cpuBefore = cpuSecondsOf("self", true);
  const child = spawn("npm", ["run", "-s", "users:import", "--", file], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  let peak = { mb: 0, command: "" };
  const sample = () => {
    for (const pid of [child.pid!, ...descendantsOf(child.pid!)]) {
      const p = peakOf(pid);
      if (p && p.mb > peak.mb) peak = p;
    }
  };
  const sampler = setInterval(sample, 200);
  let lastStdout = "";
  let progressLines = 0;
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    // Skipped rows scroll by (a second run has one per row): only the last line, the totals, is kept.
    lastStdout = (lastStdout + chunk).split("\n").slice(-2).join("\n");
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    progressLines += chunk.split("\n").filter((l) => l.includes("rows read")).length;
    process.stderr.write(`  | ${chunk.trimEnd().replaceAll("\n", "\n  | ")}\n`);
  });
  // "close", not "exit": the last of its output (the totals) may still be in the pipe at exit.
  const [code] = (await once(child, "close")) as [number | null];
  clearInterval(sampler);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: cpuSecondsOf("self", true) - cpuBefore, peak, code, totalsLine: lastStdout.trim().split("\n").at(-1) ?? "", progressLines };
}

let postgres: ThrowawayPostgres | undefined;
try {
  console.log(`import bench: ${rows} rows, ${args.format}, ${args.db}; ${cpus().length} cores, node ${process.version}; load average ${load()}`);
  let started = performance.now();
  await writeRows();
  console.log(`wrote ${file} (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  // Development settings: production would ask for the server's secrets, which an import never uses.
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: "development", LOG_LEVEL: "warn" };
  if (args.db === "postgres") {
    started = performance.now();
    postgres = await startThrowawayPostgres({ durable: true });
    env.DATABASE_URL = postgres.url;
    console.log(`started a durable PostgreSQL cluster in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } else {
    delete env.DATABASE_URL;
    env.DATA_DIR = path.join(dir, "data");
  }

  const runs = args.again ? ["first run", "second run (every row already imported)"] : ["first run"];
  for (const name of runs) {
    console.log(`${name}: load average before ${load()}`);
    const postgresCpuBefore = postgres ? postgresCpuSeconds(Number(new URL(postgres.url).port)) : 0;
    const run = await runImport(env);
    const postgresCpu = postgres ? postgresCpuSeconds(Number(new URL(postgres.url).port)) - postgresCpuBefore : 0;
    console.log(
      `${name}: ${run.totalsLine} (exit ${run.code}) in ${run.seconds.toFixed(1)} s, ${Math.round(rows / run.seconds)} rows/s ` +
        `(process start and migrations included), ${run.progressLines} progress lines; load average after ${load()}`,
    );
    // On a machine others share, the wall time says little: the CPU each side took says what the rows cost.
    console.log(
      `${name}: CPU ${run.cpuSeconds.toFixed(1)} s in the import's processes (${Math.round(rows / run.cpuSeconds)} rows per CPU second)` +
        (postgres ? `, ${postgresCpu.toFixed(1)} s in PostgreSQL's (${Math.round(rows / postgresCpu)} rows per CPU second)` : ""),
    );
    console.log(`${name}: peak RSS ${run.peak.mb.toFixed(0)} MB (VmHWM, sampled every 200 ms) of ${run.peak.command}`,
    );
    if (run.code !== 0) process.exitCode = 1;
  }
} finally {
  postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}
