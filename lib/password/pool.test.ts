import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./hash";
import { HashPool, HashThreads } from "./pool";

const holder = globalThis as unknown as { __authHashPool?: HashPool };
const PASSWORD = "correct horse battery staple";
const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The hash thread's script, made to die (as a crash would) on a job for `password`. */
function crashingOn(password: string): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "hash-thread-")), "crashing.mjs");
  const real = path.resolve("lib/password/hash-worker.mjs");
  writeFileSync(
    file,
    `import { parentPort } from "node:worker_threads";
const on = parentPort.on.bind(parentPort);
parentPort.on = (event, handle) => on(event, (message) => (message.job.password === ${JSON.stringify(password)} ? process.exit(3) : handle(message)));
await import(${JSON.stringify(pathToFileURL(real).href)});`,
  );
  return file;
}

/** Runs `test` with the app's hashing on `pool`, then closes its threads. */
async function withPool(pool: HashPool, test: () => Promise<void>) {
  const saved = holder.__authHashPool;
  holder.__authHashPool = pool;
  try {
    await test();
  } finally {
    await pool.threads.close();
    holder.__authHashPool = saved;
  }
}

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe("HashPool", () => {
  it("runs at most `concurrency` at once, the others in order", async () => {
    const pool = new HashPool(2, 10, new HashThreads(1));
    const gates = Array.from({ length: 5 }, deferred);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    const jobs = gates.map((gate, i) =>
      pool.run(async () => {
        running++;
        peak = Math.max(peak, running);
        order.push(i);
        await gate.promise;
        running--;
      }),
    );
    await new Promise((r) => setTimeout(r, 10));
    expect(order).toEqual([0, 1]);
    expect(pool.waiting).toBe(3);
    for (const gate of gates) gate.resolve();
    await Promise.all(jobs);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(pool.waiting).toBe(0);
  });

  it("sheds work at once with 503 + Retry-After when the queue is full", async () => {
    const pool = new HashPool(1, 2, new HashThreads(1));
    const gate = deferred();
    const held = [pool.run(() => gate.promise), pool.run(() => gate.promise), pool.run(() => gate.promise)];
    await expect(pool.run(async () => "never")).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", retryAfterSeconds: 1 });
    gate.resolve();
    await Promise.all(held);
    await expect(pool.run(async () => "now it runs")).resolves.toBe("now it runs");
  });

  it("frees its slot when the work fails", async () => {
    const pool = new HashPool(1, 1, new HashThreads(1));
    await expect(pool.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(pool.run(async () => 42)).resolves.toBe(42);
  });
});

describe("hash threads", () => {
  it("start a queued hash when the thread is free, not when the event loop next is", () =>
    withPool(new HashPool(2, 10, new HashThreads(1)), async () => {
      const stored = await hashPassword(PASSWORD);
      const started = performance.now();
      expect(await verifyPassword(PASSWORD, stored)).toBe(true);
      const oneHash = performance.now() - started;
      let settled = 0;
      const both = [verifyPassword(PASSWORD, stored), verifyPassword(PASSWORD, stored)].map((p) => p.then((v) => (settled++, v)));
      // The event loop held for far longer than two hashes take: both are done by the time it is
      // free, where a hash started by the main thread would need as long again after it.
      busy(Math.max(500, oneHash * 10));
      await sleep(oneHash / 2);
      expect(settled).toBe(2);
      expect(await Promise.all(both)).toEqual([true, true]);
    }));

  it("compute every format the service verifies, and report a library's refusal as a failed job", () =>
    withPool(new HashPool(2, 10, new HashThreads(2)), async () => {
      const threads = holder.__authHashPool!.threads;
      await expect(threads.run({ op: "argon2-verify", phc: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", password: "x" })).rejects.toThrow();
      await expect(threads.run({ op: "no-such-job" } as never)).rejects.toThrow("unknown hash job no-such-job");
      const stored = await hashPassword(PASSWORD);
      expect(await verifyPassword(PASSWORD, stored)).toBe(true);
      expect(await verifyPassword("wrong", stored)).toBe(false);
    }));

  it("replace a thread that dies, failing the jobs it held as unanswered", () =>
    withPool(new HashPool(2, 10, new HashThreads(1, crashingOn("crash"))), async () => {
      const stored = await hashPassword(PASSWORD);
      const crash = verifyPassword("crash", stored);
      const held = verifyPassword(PASSWORD, stored);
      // Unanswered, not "no match": the caller sheds the request; the next job gets a new thread.
      await expect(crash).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", retryAfterSeconds: 1 });
      await expect(held).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
      expect(await verifyPassword(PASSWORD, stored)).toBe(true);
    }));

  it("start() waits for every thread to load its libraries, and fails when one cannot", async () => {
    const threads = new HashThreads(2);
    await expect(threads.start()).resolves.toBeUndefined();
    await threads.close();
    const broken = new HashThreads(1, path.join(tmpdir(), "no-such-hash-worker.mjs"));
    await expect(broken.start()).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE" });
    await broken.close();
  });
});
