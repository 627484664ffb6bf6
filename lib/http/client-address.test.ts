import { describe, expect, it } from "vitest";
import { clientAddress, PEER_ADDRESS_HEADER } from "./client-address";

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
