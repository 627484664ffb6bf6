import { availableParallelism } from "node:os";
import path from "node:path";
import { Worker } from "node:worker_threads";
import { AppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { metrics } from "@/lib/metrics";

/**
 * Password hashing is the one CPU-heavy thing the service does. It runs on hash threads of its
 * own, one per core, each computing one hash at a time (more would only make every one slower and
 * hold more Argon2 memory). Each thread keeps its next job at hand, so it starts that job the
 * moment it finishes one: on libuv's pool the next hash could start only when the main thread
 * next got to it, and a core sat idle while the event loop was busy (a commit, a response).
 * Further jobs wait here in order, and when the wait would be long (a flood of logins) new ones
 * are shed at once with 503 + Retry-After rather than queued behind hundreds of hashes.
 */

/** What a hash thread computes (lib/password/hash-worker.mjs); hash.ts checks the inputs first. */
export type HashJob =
  | { op: "ready" }
  | { op: "argon2-hash"; password: string; options: Record<string, number> }
  | { op: "argon2-verify"; phc: string; password: string }
  | { op: "bcrypt-compare"; password: string; stored: string }
  | { op: "pbkdf2-sha256"; password: string; salt: string; iterations: number; keyLength: number };

export class HashPool {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    /** Jobs handed on at once: what the threads compute and what they hold next. */
    readonly concurrency: number,
    readonly maxWaiting: number,
    readonly threads: HashThreads,
  ) {}

  /** Runs `job` on a hash thread when its turn comes. */
  hash<T>(job: HashJob): Promise<T> {
    return this.run(() => this.threads.run<T>(job));
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.maxWaiting) throw new AppError("SERVICE_UNAVAILABLE", { retryAfterSeconds: 1 });
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    this.#report();
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      // A waiter takes over the slot; otherwise it is freed.
      if (next) next();
      else this.#running--;
      this.#report();
    }
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  #report() {
    metrics().hashesRunning.set(this.#running);
    metrics().hashesWaiting.set(this.#waiting.length);
  }
}

interface Reply {
  id: number;
  value?: unknown;
  error?: string;
}

// The app runs from its own directory (lib/password/policy.ts reads its list from there too).
const WORKER_SCRIPT = path.join(/* turbopackIgnore: true */ process.cwd(), "lib/password/hash-worker.mjs");

// A hash thread holds a few strings; Argon2's memory is native, outside these limits.
const THREAD_LIMITS = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16, stackSizeMb: 1 };

/** The hash threads; a job goes to the one with the fewest jobs. */
export class HashThreads {
  readonly #threads: HashThread[];

  constructor(
    readonly size: number,
    script = WORKER_SCRIPT,
  ) {
    this.#threads = Array.from({ length: size }, () => new HashThread(script));
  }

  /** Starts every thread and waits until each can hash (a missing script or library fails here). */
  async start(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.run({ op: "ready" })));
  }

  run<T>(job: HashJob): Promise<T> {
    let chosen = this.#threads[0]!;
    for (const thread of this.#threads) if (thread.jobs < chosen.jobs) chosen = thread;
    return chosen.run<T>(job);
  }

  async close(): Promise<void> {
    await Promise.all(this.#threads.map((thread) => thread.close()));
  }
}

/** One worker thread, started at its first job and again after a crash. */
class HashThread {
  constructor(private readonly script: string) {}

  #worker: Worker | null = null;
  #lastId = 0;
  readonly #jobs = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();

  get jobs(): number {
    return this.#jobs.size;
  }

  run<T>(job: HashJob): Promise<T> {
    const worker = (this.#worker ??= this.#start());
    const id = ++this.#lastId;
    return new Promise<T>((resolve, reject) => {
      this.#jobs.set(id, { resolve: resolve as (value: never) => void, reject });
      // Keeps the process alive while a job is out, not while the thread idles.
      if (this.#jobs.size === 1) worker.ref();
      worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    const worker = this.#worker;
    this.#worker = null;
    this.#fail(threadLost("hash threads closed"));
    await worker?.terminate();
  }

  #fail(error: Error) {
    const waiters = [...this.#jobs.values()];
    this.#jobs.clear();
    for (const waiter of waiters) waiter.reject(error);
  }

  #start(): Worker {
    const worker = new Worker(this.script, { resourceLimits: THREAD_LIMITS });
    worker.unref();
    worker.on("message", ({ id, value, error }: Reply) => {
      const waiter = this.#jobs.get(id);
      if (!waiter) return;
      this.#jobs.delete(id);
      if (this.#jobs.size === 0) worker.unref();
      if (error === undefined) waiter.resolve(value as never);
      else waiter.reject(new Error(error));
    });
    // A thread that dies fails the jobs it held, as unanswered rather than as no match (503, try
    // again), and the next job starts a new thread.
    const lost = (reason: string) => {
      if (this.#worker !== worker) return;
      this.#worker = null;
      log.error("hash thread lost", { reason });
      this.#fail(threadLost(reason));
    };
    worker.on("error", (error) => lost(error.message));
    worker.on("exit", (code) => lost(`exited with code ${code}`));
    return worker;
  }
}

const threadLost = (reason: string) => new AppError("SERVICE_UNAVAILABLE", { retryAfterSeconds: 1, cause: reason });

/** Each thread computes one hash and holds the next. */
const JOBS_PER_THREAD = 2;
/** About a third of a second of hashing per core may wait; beyond that, logins are shed. */
const WAITING_PER_CORE = 32;

const holder = globalThis as unknown as { __authHashPool?: HashPool };

export function hashPool(): HashPool {
  const cores = availableParallelism();
  return (holder.__authHashPool ??= new HashPool(cores * JOBS_PER_THREAD, cores * WAITING_PER_CORE, new HashThreads(cores)));
}
