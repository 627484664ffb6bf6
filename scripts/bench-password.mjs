#!/usr/bin/env node
// Throughput of password hashing on this machine, to size login capacity and to check the
// Argon2 parameters still cost what OWASP intends (tens of ms, not single ms or seconds).
//   node scripts/bench-password.mjs
// Argon2id uses the exact parameters production uses (lib/password/params.json). bcrypt (cost 10)
// and PBKDF2-SHA256 (600000, Django 4.2) are the legacy formats we still verify, for comparison.
// Each measurement stops after a fixed number of operations or ~3 s, whichever comes first.
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { availableParallelism, cpus } from "node:os";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { promisify } from "node:util";
import params from "../lib/password/params.json" with { type: "json" };

const TIME_BUDGET_MS = 3000;
const pbkdf2Async = promisify(pbkdf2);
// libuv reads this once, at the first thread-pool use; 4 unless set in the environment.
const threadPool = Number(process.env.UV_THREADPOOL_SIZE) || 4;
const cores = availableParallelism();
const PASSWORD = "correct horse battery staple";

/**
 * Runs `op` from `concurrency` loops until `maxOps` complete or the time budget is spent.
 * Also records event-loop stalls, which show whether the work left the main thread (on a
 * machine with fewer cores than busy threads, the OS starving the main thread shows up too).
 */
async function measure(op, { concurrency = 1, maxOps }) {
  await op(); // warm-up: first call pays for lazy initialisation and thread-pool start
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  let done = 0;
  let started = 0;
  const latencies = [];
  const t0 = performance.now();
  const worker = async () => {
    while (started < maxOps && performance.now() - t0 < TIME_BUDGET_MS) {
      started++;
      const s = performance.now();
      await op();
      latencies.push(performance.now() - s);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - t0;
  lag.disable();
  latencies.sort((a, b) => a - b);
  return {
    ops: done,
    perSec: (done * 1000) / elapsed,
    msPerOp: elapsed / done,
    p50: latencies[Math.floor(latencies.length / 2)],
    stallP99Ms: lag.percentile(99) / 1e6,
    stallMaxMs: lag.max / 1e6,
  };
}

const rows = [];
async function bench(label, op, opts) {
  const r = await measure(op, opts);
  rows.push({ label, concurrency: opts.concurrency ?? 1, ...r });
  const f = (n, d = 1) => n.toFixed(d).padStart(8);
  console.log(
    `${label.padEnd(34)} c=${String(opts.concurrency ?? 1).padEnd(3)}` +
      `${f(r.perSec)} ops/s ${f(r.msPerOp)} ms/op (wall)  p50 ${f(r.p50)} ms` +
      `  loop stall p99/max ${f(r.stallP99Ms)} /${f(r.stallMaxMs)} ms  [${r.ops} ops]`,
  );
}

// Several concurrency levels may coincide (e.g. 4 threads and 4 cores): measure each once.
const levels = [...new Set([1, threadPool, cores])].sort((a, b) => a - b);

console.log(
  `node ${process.version}, ${cpus()[0]?.model ?? "unknown CPU"}, availableParallelism=${cores}, ` +
    `UV_THREADPOOL_SIZE=${threadPool}${process.env.UV_THREADPOOL_SIZE ? "" : " (default)"}`,
);
console.log(
  `argon2id m=${params.memoryCost} KiB, t=${params.timeCost}, p=${params.parallelism}, ` +
    `out=${params.outputLen} B; time budget ${TIME_BUDGET_MS} ms per line\n`,
);

const argon2Stored = await argon2Hash(PASSWORD, params);
for (const c of levels) {
  await bench("argon2id hash", () => argon2Hash(PASSWORD, params), { concurrency: c, maxOps: 200 });
}
for (const c of levels) {
  await bench("argon2id verify", () => argon2Verify(argon2Stored, PASSWORD), { concurrency: c, maxOps: 200 });
}

// bcryptjs is pure JavaScript on the main thread: concurrency cannot add throughput, only
// interleave ~100 ms slices; the c>1 line is there to show exactly that.
const bcryptStored = await bcrypt.hash(PASSWORD, 10);
await bench("bcrypt cost 10 hash (bcryptjs)", () => bcrypt.hash(PASSWORD, 10), { maxOps: 50 });
for (const c of levels) {
  await bench("bcrypt cost 10 verify (bcryptjs)", () => bcrypt.compare(PASSWORD, bcryptStored), {
    concurrency: c,
    maxOps: 50,
  });
}

// Node's async pbkdf2 runs on the thread pool, like argon2, so it is measured the same way.
const salt = randomBytes(16).toString("base64url");
const pbkdf2Key = await pbkdf2Async(PASSWORD, salt, 600_000, 32, "sha256");
for (const c of levels) {
  await bench(
    "pbkdf2_sha256 600000 verify",
    async () => timingSafeEqual(await pbkdf2Async(PASSWORD, salt, 600_000, 32, "sha256"), pbkdf2Key),
    { concurrency: c, maxOps: 30 },
  );
}

const seqHash = rows.find((r) => r.label === "argon2id hash" && r.concurrency === 1);
const bestHash = rows
  .filter((r) => r.label === "argon2id hash")
  .reduce((a, b) => (b.perSec > a.perSec ? b : a));
console.log(
  `\nargon2id: ${seqHash.perSec.toFixed(1)} hashes/s sequential, best ${bestHash.perSec.toFixed(1)}/s at ` +
    `c=${bestHash.concurrency} (${(bestHash.perSec / seqHash.perSec).toFixed(2)}x); ` +
    `${(params.memoryCost / 1024).toFixed(0)} MiB per concurrent hash.`,
);
