import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import type { ClientInfo } from "@/lib/auth/types";
import { config } from "@/lib/config/env";

/** Set by server.mjs from the TCP peer address; any client-sent copy is dropped there. */
export const PEER_ADDRESS_HEADER = "x-auth-peer-address";

/**
 * Who sent the request. The address is the TCP peer, or behind TRUST_PROXY=N load balancers the
 * Nth entry from the right of X-Forwarded-For: each trusted proxy appends the address it received
 * the request from, so the entries it added are the rightmost N, and whatever stands further left
 * the client wrote itself and is never believed.
 */
export function clientInfo(headers: Headers): ClientInfo {
  return { ip: clientAddress(headers, config().trustedProxies), userAgent: headers.get("user-agent")?.slice(0, 512) ?? null };
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
