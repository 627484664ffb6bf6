import { config } from "@/lib/config/env";
import { pingDatabase } from "@/lib/db/health";
import { AppError } from "@/lib/errors";
import { bearerTokenFrom } from "@/lib/http/authorization";
import { isShuttingDown } from "@/lib/lifecycle";
import { sameSecret } from "@/lib/tokens/hash";
import { publicJwks } from "@/lib/tokens/keys";
import { endpoint, UNAUTHORIZED } from "../endpoint";
import { metricsContentType, scrapeMetrics } from "../metrics";

/** The service itself: probes, metrics and the token-verification keys. */

export const health = endpoint({
  method: "GET",
  path: "/healthz",
  summary: "Health, including the database",
  auth: "none",
  async handle() {
    const up = await pingDatabase();
    const body = { success: up, errors: up ? {} : { errors: ["Database unreachable"] }, status: up ? "ok" : "error", db: up ? "ok" : "unreachable" };
    return Response.json(body, { status: up ? 200 : 503, headers: { "cache-control": "no-store", ...(up ? {} : { "retry-after": "5" }) } });
  },
  success: { description: "`status: ok`, `db: ok`" },
  failures: [{ status: 503, description: "Database unreachable" }],
});

/** Liveness for an orchestrator: the process answers; the database is not asked (an outage is no reason to restart). */
export const live = endpoint({
  method: "GET",
  path: "/livez",
  summary: "Liveness: the process serves requests (the database is not checked)",
  auth: "none",
  async handle() {
    return Response.json({ success: true, errors: {}, status: "ok" }, { headers: { "cache-control": "no-store" } });
  },
  success: { description: "`status: ok`" },
  failures: [],
});

/** Readiness: send traffic here only while the database answers and the process is not shutting down. */
export const ready = endpoint({
  method: "GET",
  path: "/readyz",
  summary: "Readiness: the database answers and the process is not shutting down",
  auth: "none",
  async handle() {
    const stopping = isShuttingDown();
    const up = !stopping && (await pingDatabase());
    const reason = stopping ? "Shutting down" : "Database unreachable";
    const body = { success: up, errors: up ? {} : { errors: [reason] }, status: up ? "ok" : "error", db: stopping ? "unknown" : up ? "ok" : "unreachable" };
    return Response.json(body, { status: up ? 200 : 503, headers: { "cache-control": "no-store", ...(up ? {} : { "retry-after": "5" }) } });
  },
  success: { description: "`status: ok`" },
  failures: [{ status: 503, description: "Database unreachable, or shutting down" }],
});

/**
 * Prometheus metrics, for the operator's scraper only: off (404) without METRICS_TOKEN, and then
 * only with `Authorization: Bearer <METRICS_TOKEN>`. Gauges read from the database are taken at
 * scrape time.
 */
export const metricsEndpoint = endpoint({
  method: "GET",
  path: "/metrics",
  summary: "Prometheus metrics (requires METRICS_TOKEN)",
  auth: "none",
  async handle(_input, ctx) {
    const { metricsToken } = config();
    if (!metricsToken) throw new AppError("NOT_FOUND");
    if (!sameSecret(bearerTokenFrom(ctx.request.headers) ?? "", metricsToken)) throw new AppError("NOT_AUTHENTICATED");
    return new Response(await scrapeMetrics(), { headers: { "content-type": metricsContentType(), "cache-control": "no-store" } });
  },
  success: { description: "Prometheus text format" },
  failures: [UNAUTHORIZED, { status: 404, description: "METRICS_TOKEN is not set" }],
});

/**
 * The JSON Web Key Set (RFC 7517) other services verify access tokens with: a standard document,
 * so the bare `{ keys: [...] }`, not the envelope. Verifiers may cache it for five minutes; a key
 * rotation must publish the new key at least that long before signing with it.
 */
export const jwks = endpoint({
  method: "GET",
  path: "/.well-known/jwks.json",
  summary: "Public keys of the access-token signatures",
  auth: "none",
  async handle() {
    return Response.json(await publicJwks(), { headers: { "cache-control": "public, max-age=300" } });
  },
  success: { description: "`{ keys: [...] }`" },
  failures: [],
});
