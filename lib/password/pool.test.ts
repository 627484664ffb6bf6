import { describe, expect, it } from "vitest";
import { HashPool } from "./pool";

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe("HashPool", () => {
  it("runs at most `concurrency` at once, the others in order", async () => {
    const pool = new HashPool(2, 10);
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
    const pool = new HashPool(1, 2);
    const gate = deferred();
    const held = [pool.run(() => gate.promise), pool.run(() => gate.promise), pool.run(() => gate.promise)];
    await expect(pool.run(async () => "never")).rejects.toMatchObject({ code: "SERVICE_UNAVAILABLE", retryAfterSeconds: 1 });
    gate.resolve();
    await Promise.all(held);
    await expect(pool.run(async () => "now it runs")).resolves.toBe("now it runs");
  });

  it("frees its slot when the work fails", async () => {
    const pool = new HashPool(1, 1);
    await expect(pool.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(pool.run(async () => 42)).resolves.toBe(42);
  });
});
