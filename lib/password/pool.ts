import { availableParallelism } from "node:os";
import { AppError } from "@/lib/errors";
import { metrics } from "@/lib/metrics";

/**
 * Password hashing is the one CPU-heavy thing the service does. It runs at most one hash per core
 * at a time (more would only make every one slower and hold more Argon2 memory); others wait in
 * order, and when the wait would be long (a flood of logins) new ones are shed at once with 503 +
 * Retry-After rather than queued behind hundreds of hashes.
 */
export class HashPool {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    readonly concurrency: number,
    readonly maxWaiting: number,
  ) {}

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

/** About a third of a second of hashing per core may wait; beyond that, logins are shed. */
const WAITING_PER_CORE = 32;

const holder = globalThis as unknown as { __authHashPool?: HashPool };

export function hashPool(): HashPool {
  const cores = availableParallelism();
  return (holder.__authHashPool ??= new HashPool(cores, cores * WAITING_PER_CORE));
}
