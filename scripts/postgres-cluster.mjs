// A throwaway PostgreSQL cluster in a temporary folder, from Debian's postgresql binaries: for the
// test run (scripts/test.mjs) and for tests that stop and freeze a database (e2e/api/outage.test.ts).
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** The newest installed PostgreSQL's bin directory, or undefined. */
export function postgresBinDir() {
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(path.join(base, v, "bin", "initdb"))) return path.join(base, v, "bin");
  return undefined;
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Processes whose parent is `pid`, read from /proc (field 4 of /proc/<pid>/stat is the parent). */
export function childrenOf(pid) {
  const out = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/**
 * Starts a cluster on a free port (initdb refuses root: it then runs as the postgres user).
 * Returns its URL, its processes (for their CPU time) and controls: stop for good, stop and start
 * again (an outage), freeze and thaw (a server that accepts connections but never answers). Tests
 * run it with fsync off; `durable` keeps PostgreSQL's own defaults (fsync and synchronous_commit
 * on), as production runs, for figures that are meant to say what a commit costs. `settings` are
 * more server settings (name → value, no spaces), e.g. a library to preload.
 */
export async function startThrowawayPostgres({ durable = false, settings = {} } = {}) {
  const bin = postgresBinDir();
  if (!bin) throw new Error("PostgreSQL is not installed (apt-get install postgresql)");
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), "auth-test-pg-"));
  chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
  const run = (argv) => {
    const [cmd, ...rest] = [...asPostgres, ...argv];
    execFileSync(cmd, rest, { stdio: ["ignore", "ignore", "inherit"] });
  };
  const extra = Object.entries(settings).map(([name, value]) => ` -c ${name}=${value}`).join("");
  const start = () =>
    run([
      path.join(bin, "pg_ctl"), "-D", data, "-l", path.join(dir, "server.log"), "-w", "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${durable ? "" : " -c fsync=off"} -c max_connections=200${extra}`, "start",
    ]);
  const halt = () => run([path.join(bin, "pg_ctl"), "-D", data, "-m", "immediate", "stop"]);
  /** The postmaster and its children (one per connection, and its background workers). */
  const processes = () => {
    const pid = Number(readFileSync(path.join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    return [pid, ...childrenOf(pid)];
  };
  // SIGSTOP freezes them all.
  const signalAll = (signal) => {
    for (const p of processes()) process.kill(p, signal);
  };
  run([path.join(bin, "initdb"), "-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    start,
    halt,
    processes,
    freeze: () => signalAll("SIGSTOP"),
    thaw: () => signalAll("SIGCONT"),
    stop: () => {
      try {
        halt();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// `node scripts/postgres-cluster.mjs [--durable]`: a cluster to point BENCH_DATABASE_URL at, kept
// until Ctrl-C (or SIGTERM), then removed.
if (import.meta.url === `file://${process.argv[1]}`) {
  const cluster = await startThrowawayPostgres({ durable: process.argv.includes("--durable") });
  console.log(cluster.url);
  const stop = () => {
    cluster.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  setInterval(() => {}, 1 << 30);
}
