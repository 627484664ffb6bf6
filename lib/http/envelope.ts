import { AppError } from "@/lib/errors";

/** The contract's envelope: every response has `success` and `errors`. */
export type Envelope = { success: boolean; errors: Record<string, unknown> } & Record<string, unknown>;

export function successBody(fields: Record<string, unknown> = {}): Envelope {
  return { success: true, errors: {}, ...fields };
}

export function errorBody(error: AppError): Envelope {
  return { success: false, errors: { ...error.fieldErrors, ...error.errorsExtra }, ...error.extra };
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

export function errorResponse(error: AppError, headers: Record<string, string> = {}): Response {
  return json(errorBody(error), { status: error.status, headers: { ...error.headers, ...headers } });
}
