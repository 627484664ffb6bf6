#!/usr/bin/env node
// The raw Argon2id rate of this machine: what the password check alone can do, for comparing the
// login and sign-up rates against. Verifies one hash with the project's own parameters
// (lib/password/params.json) with `c` calls in flight in one process, for each concurrency given,
// and, with --threads N, on N hash threads of the server's own (lib/password/hash-worker.mjs, two
// jobs at each: what the server's hashing alone can do).
//   node scripts/bench/hash.mjs [--seconds 5] [--concurrency 4,2] [--threads 2]   → one JSON line
import { hash, verify } from "@node-rs/argon2";
import { Worker } from "node:worker_threads";
import params from "../../lib/password/params.json" with { type: "json" };

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const seconds = Number(arg("seconds", "5"));
const levels = arg("concurrency", "4").split(",").map(Number);
const PASSWORD = "correct horse battery staple";
const ARGON2ID = 2;

const stored = await hash(PASSWORD, { ...params, algorithm: ARGON2ID });

async function rate(concurrency) {
  await Promise.all(Array.from({ length: concurrency }, () => verify(stored, PASSWORD))); // warm the threads
  let done = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  const loop = async () => {
    while (performance.now() < until) {
      await verify(stored, PASSWORD);
      done++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  return { concurrency, perSecond: (done * 1000) / (performance.now() - t0), hashes: done };
}

async function threadRate(count) {
  const script = new URL("../../lib/password/hash-worker.mjs", import.meta.url);
  const threads = Array.from({ length: count }, () => new Worker(script));
  let lastId = 0;
  const onThread = (worker) =>
    new Promise((resolve, reject) => {
      const id = ++lastId;
      const reply = (m) => {
        if (m.id !== id) return;
        worker.off("message", reply);
        if (m.error === undefined) resolve(m.value);
        else reject(new Error(m.error));
      };
      worker.on("message", reply);
      worker.postMessage({ id, job: { op: "argon2-verify", phc: stored, password: PASSWORD } });
    });
  await Promise.all(threads.map(onThread)); // start the threads
  let done = 0;
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  const loop = async (worker) => {
    while (performance.now() < until) {
      await onThread(worker);
      done++;
    }
  };
  await Promise.all(threads.flatMap((worker) => [loop(worker), loop(worker)]));
  await Promise.all(threads.map((worker) => worker.terminate()));
  return { threads: count, perSecond: (done * 1000) / (performance.now() - t0), hashes: done };
}

const results = [];
for (const c of levels) results.push(await rate(c));
const threads = Number(arg("threads", "0"));
if (threads > 0) results.push(await threadRate(threads));
process.stdout.write(`${JSON.stringify({ params, seconds, threadPool: Number(process.env.UV_THREADPOOL_SIZE) || 4, results })}\n`);
