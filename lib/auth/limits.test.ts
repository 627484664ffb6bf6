import { describe, expect, it } from "vitest";
import { addressKey, streakWaitMs } from "./limits";

describe("addressKey", () => {
  it("keeps IPv4 addresses whole, mapped ones too", () => {
    expect(addressKey("203.0.113.9")).toBe("203.0.113.9");
    expect(addressKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
  });

  it("counts IPv6 addresses by their /64 network, however they are written", () => {
    const key = "2001:db8:0:1::/64";
    for (const ip of ["2001:db8:0:1::1", "2001:db8:0:1:ffff:ffff:ffff:ffff", "2001:0db8:0000:0001:0:0:0:9", "2001:DB8:0:1::2", "2001:db8:0:1::1.2.3.4"]) {
      expect(addressKey(ip), ip).toBe(key);
    }
    expect(addressKey("2001:db8:0:2::1")).not.toBe(key);
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
  });

  it("puts requests whose address is unknown into one shared bucket rather than none", () => {
    expect(addressKey(null)).toBe("unknown");
    expect(addressKey("garbage")).toBe("unknown");
  });
});

describe("streakWaitMs", () => {
  it("waits nothing below 10 failures, then 30 s doubling to 15 minutes", () => {
    expect([0, 9].map(streakWaitMs)).toEqual([0, 0]);
    expect([10, 11, 12, 13, 14, 15, 16, 40].map((n) => streakWaitMs(n) / 1000)).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
  });
});
