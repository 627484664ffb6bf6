import { describe, expect, it } from "vitest";
import { freshClient, setUpAuthTests } from "./testing";

setUpAuthTests();

const { streakWaitMs, withClientLimit, withClientLimitInTransaction } = await import("./limits");
const { statementsDuring } = await import("@/lib/db/testing");

describe("streakWaitMs", () => {
  it("waits nothing below 10 failures, then 30 s doubling to 15 minutes", () => {
    expect([0, 9].map(streakWaitMs)).toEqual([0, 0]);
    expect([10, 11, 12, 13, 14, 15, 16, 40].map((n) => streakWaitMs(n) / 1000)).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
  });
});

describe("the client limits", () => {
  // What node-postgres says when the server stopped answering: counting the request after it
  // would only wait out a second timeout before the 503.
  const outage = () => new Error("Query read timeout");
  const counts = (statements: string[]) => statements.filter((s) => s.includes('INSERT INTO "RateLimit"'));

  it("count a request that failed on its own afterwards, but not when the database failed it", async () => {
    const { ip } = freshClient();
    const failed = (error: Error) =>
      statementsDuring(async () => {
        await expect(withClientLimit("signup", ip, () => Promise.reject(error))).rejects.toBe(error);
        await expect(withClientLimitInTransaction("refresh", ip, () => Promise.reject(error))).rejects.toBe(error);
      });
    expect(counts(await failed(new Error("a fault of the request's own")))).toHaveLength(2);
    expect(counts(await failed(outage()))).toEqual([]);
  });
});
