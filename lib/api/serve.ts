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
import { bodySchemaOf, type Context, type Endpoint, type Method } from "./endpoint";
import { errorResponse, unexpectedErrorResponse } from "./errors";
import { ENDPOINTS } from "./endpoints";

const METHODS: Method[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

type RouteArgs = { params?: Promise<Record<string, string | string[]>> };
type NextHandler = (request: Request, args: RouteArgs) => Promise<Response>;
export type RouteHandlers = Record<Method | "OPTIONS", NextHandler>;

/**
 * The route handlers of one documented path: every method the path's endpoints declare, a JSON
 * 405 (with `Allow`) for the others, and OPTIONS naming only the served ones. Route files are one
 * line: `export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serve("/auth/login")`.
 */
export function serve(path: string): RouteHandlers {
  const served = ENDPOINTS.filter((e) => e.path === path);
  if (served.length === 0) throw new Error(`no endpoint is declared for ${path}`);
  return handlersFor(served as Endpoint<never, never, unknown>[]);
}

/** For paths under /auth that match no endpoint: a JSON 404 whatever the method. */
export const serveNotFound = (): RouteHandlers => handlersFor([]);

function handlersFor(served: Endpoint<never, never, unknown>[]): RouteHandlers {
  const allow = served.map((e) => e.method).join(", ");
  // The metrics' endpoint label: the declared path, never the raw one (ids would explode it).
  const label = served[0]?.path ?? "unknown";
  const exists = (raw: Record<string, string | string[]>) => served.length > 0 && served.every((e) => !e.params || e.params(raw) !== null);
  const handlers = Object.fromEntries(
    METHODS.map((method) => [
      method,
      (request: Request, args: RouteArgs) =>
        logged(request, label, async (requestId, client) => {
          const raw = (await args?.params) ?? {};
          if (!exists(raw)) throw new AppError("NOT_FOUND");
          const endpoint = served.find((e) => e.method === method);
          if (!endpoint) return errorResponse(new AppError("METHOD_NOT_ALLOWED", { params: { method } }), {}, { allow });
          return run(endpoint, { request, requestId, client }, raw);
        }),
    ]),
  ) as Record<Method, NextHandler>;
  // Next.js would answer OPTIONS itself, naming every exported method.
  const OPTIONS: NextHandler = async (request, args) =>
    logged(request, label, async () => {
      if (!exists((await args?.params) ?? {})) throw new AppError("NOT_FOUND");
      return new Response(null, { status: 204, headers: { allow: `${allow}, OPTIONS` } });
    });
  return { ...handlers, OPTIONS };
}

async function run(endpoint: Endpoint<never, never, unknown>, base: Omit<Context<unknown>, "params">, raw: Record<string, string | string[]>) {
  const { request, requestId } = base;
  try {
    const ctx: Record<string, unknown> = { ...base, params: endpoint.params?.(raw) ?? {} };
    if (endpoint.auth === "access") ctx.caller = await authenticate(bearerTokenFrom(request.headers));
    if (endpoint.auth === "link") ctx.linkToken = bearerTokenFrom(request.headers);
    if (endpoint.auth === "client") assertClientToken(request.headers);
    const body = endpoint.method === "GET" ? {} : await readBody(request);
    await endpoint.precheck?.(ctx as never, body);
    const schema = bodySchemaOf(endpoint);
    const input = schema ? parseInput(schema, body) : body;
    const reply = await endpoint.handle(input as never, ctx as never);
    if (reply instanceof Response) return reply;
    return json("success" in reply ? reply : { success: true, errors: {}, ...reply }, { status: endpoint.success.status ?? 200 });
  } catch (error) {
    return unexpectedErrorResponse(error, { requestId, path: endpoint.path }, endpoint);
  }
}

/** Every answer carries the request id, and one log line records it. */
async function logged(request: Request, endpoint: string, respond: (requestId: string, client: ClientInfo) => Promise<Response>): Promise<Response> {
  const started = performance.now();
  const requestId = requestIdFrom(request.headers);
  const client = clientInfo(request.headers);
  const path = new URL(request.url).pathname;
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
