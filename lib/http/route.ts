import { AppError, isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { readBody } from "./body";
import { errorResponse, json, successBody } from "./envelope";
import { clientInfo, requestIdFrom, type ClientInfo } from "./request-context";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
type Method = (typeof METHODS)[number];

export interface RouteContext<P extends Record<string, string | string[]> = Record<string, string>> {
  request: Request;
  requestId: string;
  client: ClientInfo;
  params: P;
  /** The parsed body (JSON or form), read at most once. */
  body(): Promise<Record<string, unknown>>;
}

/** What a handler returns: a body (200 unless `status` says otherwise) or a ready Response. */
export type HandlerResult = Response | { status?: number; body: Record<string, unknown>; headers?: Record<string, string> };
type Handler<P extends Record<string, string | string[]>> = (ctx: RouteContext<P>) => Promise<HandlerResult>;

type NextRouteArgs = { params: Promise<Record<string, string | string[]>> };
type NextHandler = (request: Request, args: NextRouteArgs) => Promise<Response>;

/**
 * Every API route handler goes through here: request id, body parsing, the envelope for errors,
 * JSON 405 for methods a route does not serve, and one log line per request.
 * Usage: `export const { GET, POST, PUT, PATCH, DELETE } = route({ POST: async (ctx) => … })`.
 */
export function route<P extends Record<string, string | string[]> = Record<string, string>>(
  handlers: Partial<Record<Method, Handler<P>>>,
  options: {
    exists?: (params: P) => boolean;
    /**
     * Members every failure body of the endpoint carries, whatever failed (body parsing, a rate
     * limit, the service): VASITUM's `tokens: {}` and `otp: 0`, the login's `is_verified: false`.
     */
    failure?: Record<string, unknown>;
  } = {},
): Record<Method | "OPTIONS", NextHandler> {
  const allowed = METHODS.filter((m) => handlers[m]);
  const allow = allowed.join(", ");
  const wrap =
    (method: Method): NextHandler =>
    async (request, args) => {
      const handler = handlers[method];
      return run(request, args, handler, allow, method, options.exists, options.failure);
    };
  // Next.js would answer OPTIONS itself with every exported method; name only the served ones.
  const preflight: NextHandler = async (_request, args) => {
    if (options.exists && !options.exists(((await args?.params) ?? {}) as P)) return errorResponse(new AppError("NOT_FOUND"));
    return new Response(null, { status: 204, headers: { allow: `${allow}, OPTIONS` } });
  };
  return { ...(Object.fromEntries(METHODS.map((m) => [m, wrap(m)])) as Record<Method, NextHandler>), OPTIONS: preflight };
}

async function run<P extends Record<string, string | string[]>>(
  request: Request,
  args: NextRouteArgs | undefined,
  handler: Handler<P> | undefined,
  allow: string,
  method: Method,
  exists?: (params: P) => boolean,
  failure?: Record<string, unknown>,
): Promise<Response> {
  const started = performance.now();
  const requestId = requestIdFrom(request.headers);
  const client = clientInfo(request.headers);
  const path = new URL(request.url).pathname;
  let response: Response;
  try {
    const params = ((await args?.params) ?? {}) as P;
    if (exists && !exists(params)) throw new AppError("NOT_FOUND");
    if (!handler) throw new AppError("METHOD_NOT_ALLOWED", { params: { method }, headers: { allow } });
    let bodyPromise: Promise<Record<string, unknown>> | undefined;
    try {
      const result = await handler({ request, requestId, client, params, body: () => (bodyPromise ??= readBody(request)) });
      response = result instanceof Response ? result : json(successBodyIfNeeded(result.body), { status: result.status, headers: result.headers });
    } catch (error) {
      response = toErrorResponse(error, requestId, path, failure);
    }
  } catch (error) {
    response = toErrorResponse(error, requestId, path);
  }
  response.headers.set("x-request-id", requestId);
  log.info("request", {
    requestId,
    method: request.method,
    path,
    status: response.status,
    ms: Math.round(performance.now() - started),
    ip: client.ip,
  });
  return response;
}

function successBodyIfNeeded(body: Record<string, unknown>) {
  return "success" in body ? body : successBody(body);
}

/** Unexpected failures are logged with the request id and reach the client only as a 500. */
export function toErrorResponse(error: unknown, requestId: string, path: string, failure?: Record<string, unknown>): Response {
  if (isAppError(error)) return errorResponse(error, {}, failure);
  log.error("unhandled error", { requestId, path, error });
  return errorResponse(new AppError("INTERNAL"), {}, failure);
}

/** For paths under /auth that match no endpoint. */
export const notFoundRoute = () => route({}, { exists: () => false });
