import { describe, expect, it } from "vitest";
import { addressKey, clientAddress, PEER_ADDRESS_HEADER } from "./client-address";

const headers = (peer: string | null, forwardedFor?: string) =>
  new Headers({ ...(peer ? { [PEER_ADDRESS_HEADER]: peer } : {}), ...(forwardedFor !== undefined ? { "x-forwarded-for": forwardedFor } : {}) });

describe("clientAddress", () => {
  it("is the TCP peer when no proxy is trusted, whatever X-Forwarded-For says", () => {
    expect(clientAddress(headers("203.0.113.9", "198.51.100.1"), 0)).toBe("203.0.113.9");
    expect(clientAddress(headers("::ffff:203.0.113.9"), 0)).toBe("203.0.113.9");
  });

  it("is the Nth address from the right behind N trusted proxies; what the client wrote is never believed", () => {
    // The client wrote "6.6.6.6"; the load balancer appended the address it saw.
    expect(clientAddress(headers("10.0.0.2", "6.6.6.6, 198.51.100.7"), 1)).toBe("198.51.100.7");
    // Two proxies: the outer one appended the client, the inner one the outer proxy.
    expect(clientAddress(headers("10.0.0.3", "6.6.6.6, 198.51.100.7, 10.0.0.2"), 2)).toBe("198.51.100.7");
  });

  it("falls back to what is there when the chain is shorter than configured", () => {
    expect(clientAddress(headers("10.0.0.2"), 1)).toBe("10.0.0.2");
    expect(clientAddress(headers("10.0.0.2", "198.51.100.7"), 3)).toBe("198.51.100.7");
  });

  it("reads ports and brackets off, and refuses what is no address", () => {
    expect(clientAddress(headers("10.0.0.2", "198.51.100.7:5151"), 1)).toBe("198.51.100.7");
    expect(clientAddress(headers("10.0.0.2", "[2001:db8::1]:443"), 1)).toBe("2001:db8::1");
    expect(clientAddress(headers("10.0.0.2", "2001:DB8::1"), 1)).toBe("2001:db8::1");
    expect(clientAddress(headers("10.0.0.2", "not-an-ip"), 1)).toBe("10.0.0.2");
    expect(clientAddress(headers(null), 0)).toBeNull();
  });
});

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
