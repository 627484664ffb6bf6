import { randomUUID } from "node:crypto";
import { isIP, isIPv4, isIPv6 } from "node:net";
import { config } from "@/lib/config/env";

/** Who is asking: for per-address limits, the audit log and notices. Never trusted for authorization. */
export interface ClientInfo {
  /** The client's address as `clientInfo` found it; null when the server could not tell. */
  ip: string | null;
  userAgent: string | null;
  /** Its Accept-Language header, read only when a mail to an account without a language of its own is worded. */
  acceptLanguage?: string | null;
}

/** Set by server.mjs from the TCP peer address; any client-sent copy is dropped there. */
export const PEER_ADDRESS_HEADER = "x-auth-peer-address";

/**
 * Who sent the request. The address is the TCP peer, or behind TRUST_PROXY=N load balancers the
 * Nth entry from the right of X-Forwarded-For: each trusted proxy appends the address it received
 * the request from, so the entries it added are the rightmost N, and whatever stands further left
 * the client wrote itself and is never believed.
 */
export function clientInfo(headers: Headers): ClientInfo {
  return {
    ip: clientAddress(headers, config().trustedProxies),
    userAgent: headers.get("user-agent")?.slice(0, 512) ?? null,
    acceptLanguage: headers.get("accept-language"),
  };
}

export function clientAddress(headers: Headers, trustedProxies: number): string | null {
  const peer = plainAddress(headers.get(PEER_ADDRESS_HEADER));
  if (trustedProxies === 0) return peer;
  const forwarded = (headers.get("x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  // [client-written…, added by proxy 1, …, added by proxy N] followed by the peer (proxy N itself).
  const chain = [...forwarded, peer];
  const index = Math.max(0, chain.length - 1 - trustedProxies);
  // A trusted proxy writes a real address; anything else means a misconfigured chain: use the peer.
  return plainAddress(chain[index] ?? null) ?? peer;
}

/** An IP address without port, brackets or the IPv4-mapped prefix; null when it is not one. */
function plainAddress(value: string | null): string | null {
  if (!value) return null;
  let s = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(":"));
  if (s.toLowerCase().startsWith("::ffff:") && isIP(s.slice(7)) === 4) s = s.slice(7);
  return isIP(s) ? s.toLowerCase() : null;
}

/** A request id from a trusted upstream (same-shape token only) or a new one. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && /^[A-Za-z0-9._-]{8,128}$/.test(given) ? given : randomUUID();
}

/**
 * What the limits count a client address as: IPv4 addresses whole, IPv6 addresses by their /64
 * network (one subscriber gets a /64 and can use any address in it), and a request whose address
 * is unknown (the app served other than by server.mjs) as one shared client rather than none.
 */
export function addressKey(ip: string | null): string {
  if (!ip) return "unknown";
  const v4 = ip.startsWith("::ffff:") ? ip.slice(7) : ip;
  if (isIPv4(v4)) return v4;
  if (!isIPv6(ip)) return "unknown";
  return `${expandIPv6(ip).slice(0, 4).join(":")}::/64`;
}

function expandIPv6(ip: string): string[] {
  const [head = "", tail = ""] = ip.toLowerCase().split("%")[0]!.split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  // An embedded IPv4 tail (::ffff:1.2.3.4 is handled above; 64:ff9b::1.2.3.4 here) is two groups.
  const last = right.at(-1) ?? left.at(-1);
  if (last && isIPv4(last)) {
    const [a, b, c, d] = last.split(".").map(Number) as [number, number, number, number];
    const groups = [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
    if (right.length) right.splice(-1, 1, ...groups);
    else left.splice(-1, 1, ...groups);
  }
  const fill = ip.includes("::") ? Array(8 - left.length - right.length).fill("0") : [];
  return [...left, ...fill, ...right].map((g) => g.replace(/^0+(?=.)/, ""));
}
