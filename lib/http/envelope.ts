import { AppError } from "@/lib/errors";

/** The contract's envelope: every response has `success` and `errors`. */
export type Envelope = { success: boolean; errors: Record<string, unknown> } & Record<string, unknown>;

export function successBody(fields: Record<string, unknown> = {}): Envelope {
  return { success: true, errors: {}, ...fields };
}

/** `failure`: members the endpoint puts in every failure body; the error's own `extra` wins. */
export function errorBody(error: AppError, failure: Record<string, unknown> = {}): Envelope {
  return { success: false, errors: { ...error.fieldErrors, ...error.errorsExtra }, ...failure, ...error.extra };
}

export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): Response {
  return new Response(JSON.stringify(body), {
    status: init.status ?? 200,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      ...init.headers,
    },
  });
}

export function errorResponse(error: AppError, headers: Record<string, string> = {}, failure?: Record<string, unknown>): Response {
  return json(errorBody(error, failure), { status: error.status, headers: { ...error.headers, ...headers } });
}
