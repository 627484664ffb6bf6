import { describe, expect, it } from "vitest";
import { streakWaitMs } from "./limits";

describe("streakWaitMs", () => {
  it("waits nothing below 10 failures, then 30 s doubling to 15 minutes", () => {
    expect([0, 9].map(streakWaitMs)).toEqual([0, 0]);
    expect([10, 11, 12, 13, 14, 15, 16, 40].map((n) => streakWaitMs(n) / 1000)).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
  });
});
