import { randomUUID } from "node:crypto";
import { config } from "@/lib/config/env";

/** Set by server.mjs from the TCP peer address; any client-sent copy is dropped there. */
export const PEER_ADDRESS_HEADER = "x-auth-peer-address";

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/**
 * The client's address: the socket peer, or behind a trusted load balancer (TRUST_PROXY) the first
 * address of X-Forwarded-For. Without TRUST_PROXY the header is ignored, since anyone can send it.
 */
export function clientInfo(headers: Headers): ClientInfo {
  let ip = headers.get(PEER_ADDRESS_HEADER);
  if (config().trustProxy) {
    const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) ip = forwarded;
  }
  return { ip: ip ? ip.replace(/^::ffff:/, "") : null, userAgent: headers.get("user-agent")?.slice(0, 512) ?? null };
}

/** A request id from a trusted upstream (same-shape token only) or a new one. */
export function requestIdFrom(headers: Headers): string {
  const given = headers.get("x-request-id");
  return given && /^[A-Za-z0-9._-]{8,128}$/.test(given) ? given : randomUUID();
}
