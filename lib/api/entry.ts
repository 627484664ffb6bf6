import { authenticate } from "@/lib/auth/sessions";
import { AppError } from "@/lib/errors";
import { bearerTokenFrom } from "@/lib/http/authorization";
import { readBody } from "@/lib/http/body";
import { clientInfo, requestIdFrom } from "@/lib/http/client-address";
import { json } from "@/lib/http/json";
import { log } from "@/lib/log";
import { metrics } from "@/lib/metrics";
import { parseInput } from "@/lib/validation/parse";
import { assertClientToken } from "./client-token";
import type { ClientInfo } from "@/lib/auth/types";
import { bodySchemaOf, type Context, type Endpoint } from "./endpoint";
import { errorResponse, unexpectedErrorResponse } from "./errors";
import { ENDPOINTS } from "./endpoints";
import { pathMatcher } from "./path-matcher";

/**
 * The one way into the JSON API: the route files under app/ hand their requests here
 * (lib/api/next-route.ts), and so does server.mjs's fast path (lib/http/api-router.mjs, ADR 008).
 * A declared path answers the methods its endpoints declare, a JSON 405 (with `Allow`) for the
 * others, and OPTIONS naming only the served ones; any other path under /auth is a JSON 404,
 * whatever the method.
 */

type Served = Endpoint<never, never, unknown>;

const matchPath = pathMatcher(ENDPOINTS.map((e) => e.path));
const endpointsAt = new Map<string, Served[]>();
for (const e of ENDPOINTS) endpointsAt.set(e.path, [...(endpointsAt.get(e.path) ?? []), e]);

export async function answer(request: Request): Promise<Response> {
  const { pathname } = new URL(request.url);
  const found = matchPath(pathname);
  const served = (found && endpointsAt.get(found.path)) || [];
  const raw = found?.params ?? {};
  // The metrics' endpoint label: the declared path, never the raw one (ids would explode it).
  const label = found?.path ?? "unknown";
  const allow = served.map((e) => e.method).join(", ");
  // Next.js answers HEAD with the GET handler; so does the fast path.
  const method = request.method === "HEAD" ? "GET" : request.method;
  return logged(request, pathname, label, async (requestId, client) => {
    if (served.length === 0 || served.some((e) => e.params && e.params(raw) === null)) throw new AppError("NOT_FOUND");
    if (method === "OPTIONS") return new Response(null, { status: 204, headers: { allow: `${allow}, OPTIONS` } });
    const endpoint = served.find((e) => e.method === method);
    if (!endpoint) return errorResponse(new AppError("METHOD_NOT_ALLOWED", { params: { method } }), {}, { allow });
    return run(endpoint, { request, requestId, client }, raw);
  });
}

/** A path the API owns: anything under /auth, and the service's own declared paths (/healthz, …). */
export const isApiPath = (pathname: string) => pathname === "/auth" || pathname.startsWith("/auth/") || matchPath(pathname) !== null;

/**
 * What instrumentation.ts offers on globalThis at start-up, for server.mjs's fast path and the
 * route files alike: one module instance answers both ways in (ADR 008).
 */
export interface ApiEntry {
  answer: (request: Request) => Promise<Response>;
  isApiPath: (pathname: string) => boolean;
  /** The declared endpoints it serves: the `apiEndpoints` figure of server.mjs's "started" line. */
  endpoints: number;
}

export function offerEntry(): void {
  (globalThis as { __authApi?: ApiEntry }).__authApi = { answer, isApiPath, endpoints: ENDPOINTS.length };
}

async function run(endpoint: Served, base: Omit<Context<unknown>, "params">, raw: Record<string, string>) {
  const { request, requestId } = base;
  try {
    const ctx: Record<string, unknown> = { ...base, params: endpoint.params?.(raw) ?? {} };
    if (endpoint.auth === "access") ctx.caller = await authenticate(bearerTokenFrom(request.headers));
    if (endpoint.auth === "link") ctx.linkToken = bearerTokenFrom(request.headers);
    if (endpoint.auth === "client") assertClientToken(request.headers);
    const body = endpoint.method === "GET" ? Object.fromEntries(new URL(request.url).searchParams) : await readBody(request);
    await endpoint.precheck?.(ctx as never, body);
    const schema = endpoint.method === "GET" ? endpoint.query : bodySchemaOf(endpoint);
    const input = schema ? parseInput(schema, body) : body;
    const reply = await endpoint.handle(input as never, ctx as never);
    if (reply instanceof Response) return reply;
    return json("success" in reply ? reply : { success: true, errors: {}, ...reply }, { status: endpoint.success.status ?? 200 });
  } catch (error) {
    return unexpectedErrorResponse(error, { requestId, path: endpoint.path }, endpoint);
  }
}

/** Every answer carries the request id, and one log line records it. */
async function logged(request: Request, path: string, endpoint: string, respond: (requestId: string, client: ClientInfo) => Promise<Response>): Promise<Response> {
  const started = performance.now();
  const requestId = requestIdFrom(request.headers);
  const client = clientInfo(request.headers);
  let response: Response;
  try {
    response = await respond(requestId, client);
  } catch (error) {
    response = unexpectedErrorResponse(error, { requestId, path });
  }
  response.headers.set("x-request-id", requestId);
  const seconds = (performance.now() - started) / 1000;
  metrics().requests.inc({ endpoint, method: request.method, status: response.status });
  metrics().duration.observe({ endpoint, method: request.method }, seconds);
  log.info("request", { requestId, method: request.method, path, status: response.status, ms: Math.round(performance.now() - started), ip: client.ip });
  return response;
}
