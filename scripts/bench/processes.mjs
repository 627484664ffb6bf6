// The processes a bench run starts and watches (scripts/bench/run.mjs): the production server,
// an SMTP sink, the autocannon drivers, and the /proc readings of CPU and memory around each
// measured period.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { SMTPServer } from "smtp-server";
import { freePort } from "../free-port.mjs";
import { startCommand } from "../start-command.mjs";

const HERE = import.meta.dirname;
export const CLK_TCK = 100; // Linux USER_HZ
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU ticks and memory of a process, from /proc. */
export function procStat(pid) {
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

/**
 * CPU ticks of a process tree, its root first (`pids()`: the PostgreSQL cluster's postmaster and its
 * children): the root's own, its children's that have ended (its cutime and cstime: it reaps them),
 * and those of its children still running. The difference of two readings is what the tree spent
 * between them, autovacuum workers and backends that came and went meanwhile included.
 */
export function processTreeTicks(pids) {
  let ticks = 0;
  pids().forEach((pid, i) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      ticks += Number(f[11]) + Number(f[12]) + (i === 0 ? Number(f[13]) + Number(f[14]) : 0);
    } catch {
      // ended meanwhile: counted in the root's cutime once reaped
    }
  });
  return ticks;
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

// ---- the pieces the bench starts

/** An SMTP server that accepts and counts mail without parsing it (the cheapest possible relay). */
export async function startMailSink() {
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

/** The server of checkout `app` as `npm start` runs it, healthy. */
export async function startServer({ app, port, env, logFile, cpuProf }) {
  const start = startCommand(app);
  const args = cpuProf ? [`--cpu-prof`, `--cpu-prof-dir=${cpuProf}`, ...start.args] : start.args;
  const out = openSync(logFile, "a");
  const child = spawn(process.execPath, args, { cwd: app, env: { ...process.env, ...start.env, ...env }, stdio: ["ignore", out, out] });
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
export async function startDriver(spec) {
  const child = spawn(process.execPath, [path.join(HERE, "drive.mjs"), JSON.stringify(spec)], { cwd: HERE, stdio: ["pipe", "pipe", "inherit"] });
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

// ---- one scenario

/** Drives `spec.drivers` at once against the server; its CPU and memory, the machine's CPU, the mail sent. */
export async function measure(o, server, mail, spec, databaseProcesses = null) {
  const drivers = [];
  try {
    // The scenario's peak memory includes its warm-up.
    const peakReset = resetPeak(server.pid);
    for (const s of spec.drivers) drivers.push(await startDriver({ origin: server.url, warmup: o.warmup, duration: o.duration, ...s }));
    await settle(server.pid);
    const before = procStat(server.pid);
    const machineBefore = machineTicks();
    const databaseBefore = databaseProcesses ? processTreeTicks(databaseProcesses) : 0;
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
    const databaseAfter = databaseProcesses ? processTreeTicks(databaseProcesses) : 0;
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
      // The PostgreSQL server's processes (postmaster, backends, WAL writer, checkpointer…) when the bench started the cluster.
      databaseCpuCores: databaseProcesses ? (databaseAfter - databaseBefore) / CLK_TCK / wall : null,
      mails: mail.accepted() - mailBefore,
      // CLOCK_MONOTONIC in µs, the clock of V8's CPU profiles: profile-summary.mjs --window picks these samples.
      window: [windowStartUs, windowEndUs],
    };
  } finally {
    for (const d of drivers) d.kill();
  }
}

